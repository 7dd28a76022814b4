#!/usr/bin/python3
"""typography.py - how evenly the sheets are set, read back from the PDFs.

    typography.py [--max-gap X] [--data DATA.xml] FILE.pdf...

Reads each sheet's word boxes with `pdftotext -bbox-layout` (poppler) and
reports, per sheet:

  gap      the widest space between two words on a justified line, as a
           multiple of the natural space (0.278 em of Statesheet Sans at the
           line's type size), and the two words around it;
  oneword  body paragraphs whose last line is a single word;
  hyphens  the longest run of consecutive lines ending in a hyphenation
           break, and hyphens inside a figure, the state's name (with --data)
           or a web address.

A justified line is one that runs from the text column's left edge to its
right edge (both found from the page: the most common line ends) and is not
a table row (a row ends in a bare count).  Type size comes from the word
box height: poppler makes it (ascent + descent) x size, and the footer,
always 7.5 pt, calibrates that ratio.

Exit status: 0 when every sheet keeps within --max-gap (default: no limit),
has no one-word last line, at most two hyphenated lines in a row and no
hyphen in a figure, name or address; 1 otherwise; 2 on bad use.
"""
import collections
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NATURAL_SPACE = 0.278  # em, the space of Statesheet Sans
FOOTER_SIZE = 7.5
SOFT = "\u00ad"
NS = "{http://www.w3.org/1999/xhtml}"
COUNT = re.compile(r"^[0-9][0-9,.]*$")


def lines_of(pdf):
    xml = subprocess.run(["pdftotext", "-bbox-layout", pdf, "-"], check=True,
                         capture_output=True).stdout
    root = ET.fromstring(xml)
    out = []
    for line in root.iter(NS + "line"):
        words = [(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                  float(w.get("yMax")), w.text or "") for w in line.iter(NS + "word")]
        if words:
            out.append(words)
    return out


def measure(pdf, names):
    lines = lines_of(pdf)
    # The footer (the lowest line) calibrates height -> size.
    foot = max(lines, key=lambda l: l[0][1])
    ratio = (foot[0][3] - foot[0][1]) / FOOTER_SIZE
    lines.sort(key=lambda l: (round(l[0][1], 1), l[0][0]))
    x0 = collections.Counter(round(l[0][0], 1) for l in lines if len(l) > 3).most_common(1)[0][0]
    x1 = collections.Counter(round(l[-1][2], 0) for l in lines
                             if len(l) > 3 and abs(l[0][0] - x0) < 0.6).most_common(1)[0][0]

    def justified(l):
        return (len(l) >= 2 and abs(l[0][0] - x0) < 0.6 and abs(l[-1][2] - x1) < 1.0
                and not COUNT.match(l[-1][4]))

    def hyphenated(l):
        return l[-1][4].endswith(SOFT) or l[-1][4].endswith("-")

    worst = (0.0, "")
    oneword = []
    run = best_run = 0
    bad_hyphens = []
    prev = None
    for l in lines:
        if justified(l):
            heights = collections.Counter(round(w[3] - w[1], 2) for w in l)
            size = heights.most_common(1)[0][0] / ratio
            space = NATURAL_SPACE * size
            for a, b in zip(l, l[1:]):
                g = (b[0] - a[2]) / space
                if g > worst[0]:
                    worst = (g, "%s / %s" % (a[4], b[4]))
        elif (prev is not None and justified(prev) and abs(l[0][0] - x0) < 0.6
              and len(l) == 1 and l[0][1] - prev[0][1] < 2.0 * (prev[0][3] - prev[0][1])):
            oneword.append("%s / %s" % (prev[-1][4], l[0][4]))
        if hyphenated(l) and abs(l[0][0] - x0) < 0.6:
            run += 1
            best_run = max(best_run, run)
            word = l[-1][4]
            stem = word.rstrip(SOFT + "-")
            if (any(c.isdigit() for c in stem) or "." in stem or "/" in stem
                    or any(n and stem and stem in n.split() for n in names)):
                bad_hyphens.append(word)
        else:
            run = 0
        prev = l
    return worst, oneword, best_run, bad_hyphens


def main(argv):
    max_gap = None
    names = []
    files = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--max-gap":
            max_gap = float(argv[i + 1])
            i += 2
            continue
        if a == "--data":
            root = ET.parse(argv[i + 1]).getroot()
            names = [s.get("name", "") for s in root.iter("state")]
            i += 2
            continue
        if a.startswith("-"):
            print(__doc__.split("\n\n")[1], file=sys.stderr)
            return 2
        files.append(a)
        i += 1
    if not files:
        print("typography.py: no PDF given", file=sys.stderr)
        return 2
    bad = 0
    over = 0
    widest = (0.0, "", "")
    for f in files:
        (gap, where), oneword, hruns, hbad = measure(f, names)
        problems = []
        if max_gap is not None and gap > max_gap + 1e-9:
            problems.append("gap %.2fx > %.2fx (%s)" % (gap, max_gap, where))
            over += 1
        if oneword:
            problems.append("one-word last line: %s" % "; ".join(oneword))
        if hruns > 2:
            problems.append("%d hyphenated lines in a row" % hruns)
        if hbad:
            problems.append("hyphen in a figure, name or address: %s" % ", ".join(hbad))
        if gap > widest[0]:
            widest = (gap, f, where)
        print("%-40s gap %.2fx (%s)%s" % (f.rsplit("/", 1)[-1], gap, where,
                                          "" if not problems else "  FAIL: " + "; ".join(problems)))
        bad += bool(problems)
    print("typography: %d sheet(s), widest gap %.2fx in %s (%s); %d over the limit; %d failing"
          % (len(files), widest[0], widest[1].rsplit("/", 1)[-1], widest[2], over, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
