#!/usr/bin/python3
"""hyphen_order.py - words broken across lines read in their place.

    hyphen_order.py FILE.pdf...

For every sheet, each paragraph and heading of the tagged text (poppler's
`pdfinfo -struct-text`, which must read every broken word whole) must
appear, word for word and in order, in what `pdftotext` reads in its
default mode, with a soft hyphen at a line's end joining the two halves of
a word (ISO 32000-1, 14.8.2.2.3), as does a word's own hyphen there.  A word broken across lines once carried
an /ActualText span over both halves, and pdftotext read it out of place
("peer support, 3 survivors/families ... Family Advocacy including").

Also counts the words in bold broken across lines (pdfminer: a line ending
in a bold U+00AD), so that a run shows the case it guards was there.

Exit status 0 when every element reads in order (and the tagged text holds
no soft hyphen), 1 otherwise, 2 on bad use.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfchars import group_lines, pages_chars  # noqa: E402

SOFT = "\u00ad"
QUOTED = re.compile(r'^\s+"(.*)"$')


def norm(s):
    """Spaces collapsed, and a word's own hyphens left out: pdftotext
    drops one that ends a line ("child-/serving" reads "childserving"),
    as it would a hyphen added there."""
    return re.sub(r"(?<=\w)-(?=\w)", "", " ".join(s.split()))


def elements(pdf):
    out = subprocess.run(["pdfinfo", "-struct-text", pdf], check=True,
                         capture_output=True, text=True).stdout
    return [m.group(1) for m in map(QUOTED.match, out.splitlines()) if m]


def plain(pdf):
    text = subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True,
                          text=True).stdout
    text = re.sub(SOFT + r"\s*\n\s*", "", text)
    # A line broken after a word's own hyphen ("child-/serving").
    return norm(re.sub(r"(?<=\w-)\n(?=\w)", "", text))


def bold_breaks(pdf):
    n = 0
    for _, chars in pages_chars(pdf):
        for line in group_lines(chars):
            glyphs = [c for c in line if not c.get_text().isspace()]
            n += bool(glyphs) and glyphs[-1].get_text() == SOFT and \
                glyphs[-1].fontname.endswith("Bold")
    return n


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    bad = checked = bold = 0
    for pdf in argv[1:]:
        text = plain(pdf)
        for e in elements(pdf):
            checked += 1
            if SOFT in e or norm(e) not in text:
                bad += 1
                if bad <= 5:
                    words = norm(e).split()
                    # The first word from which the element no longer reads.
                    k = next((i for i in range(1, len(words) + 1)
                              if " ".join(words[:i]) not in text), len(words))
                    print("FAIL - %s: pdftotext loses the order near %r" %
                          (os.path.basename(pdf), " ".join(words[max(0, k - 4):k + 2])))
        bold += bold_breaks(pdf)
    print("%d elements of %d sheets, %d out of order in pdftotext; %d bold words broken "
          "across lines" % (checked, len(argv) - 1, bad, bold))
    return 1 if bad or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
