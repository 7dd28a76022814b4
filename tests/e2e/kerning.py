#!/usr/bin/python3
"""kerning.py - kerning and the right edge, measured the way a typographer
would, from the glyph positions the PDFs declare (pdfminer).

    kerning.py LIBERATION_DIR FILE.pdf...

1. Kerning.  For every pair of neighbouring glyphs in one word, the gap
   between the first's advance and the second's origin (x0 of the second
   minus x1 of the first) must equal what HarfBuzz (`hb-shape`) gives for
   that pair in Liberation Sans, which Statesheet Sans is cut from, at that
   size: the first glyph's advance and the second's x offset, both kerned,
   minus both unkerned, within 0.05 pt.  (Less the first's own x offset:
   HarfBuzz applies a pair of the legacy 'kern' table, which figures use,
   half to each glyph, offset and advance, so in "11," the second 1 has
   both moved and the pair "1," is not kerned at all.)  Pairs the font does not kern (and
   pairs across a change of font) show no gap.  The break hyphen (U+00AD,
   drawn as a hyphen) is shaped as "-".
2. Hanging punctuation.  Of the full justified lines ending in a hyphen,
   a period or a comma, at least 80 % hang that mark into the right margin
   by at least a quarter of its width.
3. The edge.  Every full justified line ends at the column's right edge
   within 0.15 pt, not counting what a final mark hangs out (its share of
   MARGIN_SHARE); nothing reaches past the page's print margin (0.5 in).

A full justified line: body size, starting at the column's left edge (or
hanging an opening mark out of it), ending within 3 pt of the right edge,
with three spaces or more, no table leader gap, and its spaces set wider
or narrower than they are (a paragraph's last line keeps them as they
are).  The column is
46 pt from either edge of the paper (layout.c, CONTENT_INSET).

Exit status 0 when all hold, 1 otherwise, 2 on bad use.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfchars import group_lines, pages_chars  # noqa: E402

CONTENT_INSET = 46.0
PRINT_MARGIN = 36.0
KERN_TOL = 0.05
EDGE_TOL = 0.15
NEAR_EDGE = 3.0
SOFT = "\u00ad"
# The share of its width a mark at the end of a justified line hangs into
# the margin (microtype's default protrusion set; layout.c, PROTRUDE).
MARGIN_SHARE = {"-": 0.7, SOFT: 0.7, ".": 0.7, ",": 0.5, ":": 0.5, ";": 0.5,
                "\u2019": 0.4, "\u201d": 0.3, "'": 0.3, '"': 0.3, ")": 0.1}
HANGING = "-.," + SOFT
GLYPH = re.compile(r"(\d+)(?:@(-?\d+),(-?\d+))?\+(-?\d+)")


def shape(font, words, kern):
    """Per word, [(advance, x offset), ...] in font units, from hb-shape."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt",
                                     delete=False) as f:
        f.write("\n".join(words) + "\n")
        name = f.name
    try:
        out = subprocess.run(["hb-shape", "--no-glyph-names", "--no-clusters",
                              "--features=" + ("kern" if kern else "-kern"),
                              font, "--text-file=" + name],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(name)
    rows = out.splitlines()
    assert len(rows) == len(words), (len(rows), len(words))
    return [[(int(m.group(4)), int(m.group(2) or 0)) for m in GLYPH.finditer(r)]
            for r in rows]


def style_of(c):
    return "Bold" if c.fontname.endswith("Bold") else "Regular"


def words_of(line):
    """Runs of neighbouring glyphs of one word: split at spaces and at
    gaps wider than a quarter em (a table's label and count)."""
    word = []
    for c in line:
        t = c.get_text()
        if t.isspace() or (word and c.x0 - word[-1].x1 > 0.25 * c.size):
            if len(word) > 1:
                yield word
            word = []
        if not t.isspace():
            word.append(c)
    if len(word) > 1:
        yield word


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    fonts = {s: os.path.join(argv[1], "LiberationSans-%s.ttf" % s)
             for s in ("Regular", "Bold")}
    pages = []
    for path in argv[2:]:
        for bbox, chars in pages_chars(path):
            pages.append((path, bbox, chars))
    # 1. Kerning: every same-font run of a word, shaped by hb-shape.
    runs = collections.defaultdict(list)  # style -> [[LTChar, ...], ...]
    for path, bbox, chars in pages:
        for line in group_lines(chars):
            for word in words_of(line):
                run = [word[0]]
                for c in word[1:]:
                    if style_of(c) != style_of(run[-1]) or abs(c.size - run[-1].size) > 0.01:
                        runs[style_of(run[-1])].append(run)
                        run = []
                    run.append(c)
                runs[style_of(run[-1])].append(run)
    pairs = kerned = bad = 0
    worst = []
    for style, rs in runs.items():
        texts = sorted({"".join("-" if c.get_text() == SOFT else c.get_text() for c in r)
                        for r in rs})
        on = dict(zip(texts, shape(fonts[style], texts, True)))
        off = dict(zip(texts, shape(fonts[style], texts, False)))
        for r in rs:
            text = "".join("-" if c.get_text() == SOFT else c.get_text() for c in r)
            k, u = on[text], off[text]
            if len(k) != len(r):
                continue  # not one glyph a character: not ours to judge
            for i in range(len(r) - 1):
                units = (k[i][0] + k[i + 1][1] - k[i][1]) - (u[i][0] + u[i + 1][1] - u[i][1])
                want = units * r[i].size / 2048.0
                got = r[i + 1].x0 - r[i].x1
                pairs += 1
                kerned += abs(want) >= 0.1
                if abs(got - want) > KERN_TOL:
                    bad += 1
                    worst.append((abs(got - want), text[max(0, i - 6):i + 8], style, r[i].size, got, want))
    # Pairs across a change of font within a word: no gap.
    for path, bbox, chars in pages:
        for line in group_lines(chars):
            for word in words_of(line):
                for a, b in zip(word, word[1:]):
                    if style_of(a) != style_of(b):
                        pairs += 1
                        if abs(b.x0 - a.x1) > KERN_TOL:
                            bad += 1
                            worst.append((abs(b.x0 - a.x1), a.get_text() + b.get_text(),
                                          "across fonts", a.size, b.x0 - a.x1, 0.0))
    worst.sort(reverse=True)
    fails = 0
    print("kerning: %d pairs (%d kerned by 0.1 pt or more by the font), %d off by more "
          "than %.2f pt" % (pairs, kerned, bad, KERN_TOL))
    for d, pair, style, size, got, want in worst[:10]:
        print("  %r (%s, %.2f pt): gap %.3f pt, HarfBuzz %.3f pt" % (pair, style, size, got, want))
    if bad or pairs == 0:
        print("FAIL - kerning")
        fails += 1
    else:
        print("ok   - kerning")
    # 2 and 3: the justified lines' right edge.
    ends = hung = 0
    off_edge = []
    beyond = []
    full_lines = 0
    for path, bbox, chars in pages:
        page_w = bbox[2] - bbox[0]
        left, right = CONTENT_INSET, page_w - CONTENT_INSET
        sizes = collections.Counter(round(c.size, 2) for c in chars)
        body = sizes.most_common(1)[0][0]
        for line in group_lines(chars):
            glyphs = [c for c in line if not c.get_text().isspace()]
            for c in glyphs:
                if c.x1 > page_w - PRINT_MARGIN + 0.01 or c.x0 < PRINT_MARGIN - 0.01:
                    beyond.append((os.path.basename(path), c.get_text(), c.x0, c.x1))
            if not glyphs or abs(glyphs[0].size - body) > 0.01:
                continue
            first, last = glyphs[0], glyphs[-1]
            spaces = sum(1 for c in line if c.get_text() == " " and first.x0 < c.x0 < last.x0)
            leader = any(b.x0 - a.x1 > 2 * a.size for a, b in zip(glyphs, glyphs[1:]))
            if spaces < 3 or leader or not (left - NEAR_EDGE < first.x0 < left + 0.5) or \
                    abs(last.x1 - right) > NEAR_EDGE:
                continue
            # A paragraph's last line is set with its spaces as they are
            # (no adjustment either side of a space): not a full line.
            if all(abs(c.x0 - a.x1) < 0.005 and abs(b.x0 - c.x1) < 0.005
                   for a, c, b in zip(line, line[1:], line[2:])
                   if c.get_text() == " " and first.x0 < c.x0 < last.x0):
                continue
            full_lines += 1
            mark = last.get_text()
            width = last.x1 - last.x0
            edge = last.x1 - MARGIN_SHARE.get(mark, 0.0) * width
            if mark in HANGING:
                ends += 1
                hung += last.x1 - right >= 0.25 * width
            if abs(edge - right) > EDGE_TOL:
                text = "".join(c.get_text() for c in line).strip()
                off_edge.append((edge - right, os.path.basename(path), text[-40:]))
    share = hung / ends if ends else 0.0
    print("hanging: %d of %d justified lines ending in - . , hang the mark by a quarter "
          "of its width or more (%.0f %%)" % (hung, ends, 100 * share))
    if ends == 0 or share < 0.8:
        print("FAIL - hanging punctuation")
        fails += 1
    else:
        print("ok   - hanging punctuation")
    off_edge.sort(key=lambda t: -abs(t[0]))
    span = (min(t[0] for t in off_edge), max(t[0] for t in off_edge)) if off_edge else (0, 0)
    print("edge: %d of %d full justified lines end more than %.2f pt from the column's "
          "edge (from %+.2f to %+.2f pt)" % (len(off_edge), full_lines, EDGE_TOL, *span))
    for d, name, text in off_edge[:8]:
        print("  %+.2f pt %s: ...%s" % (d, name, text))
    if off_edge or full_lines == 0:
        print("FAIL - edge")
        fails += 1
    else:
        print("ok   - edge")
    if beyond:
        print("FAIL - %d glyphs past the print margin, e.g. %r" % (len(beyond), beyond[0]))
        fails += 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
