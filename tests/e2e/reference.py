#!/usr/bin/python3
"""reference.py REFERENCE.txt EXTRACTED.txt

Every paragraph and table line of the reference sheet (tests/fixtures/reference/
north-dakota-2023.txt, the text of NCMEC's published 2023 sheet) must appear in the text pdftotext extracted from our
North Dakota sheet, in order, after normalising white space.  The
reference's known artefacts are corrected first: "North Carolina" is a typo
for "North Dakota", "**" marks bold, and the table's last label ends in a
stray " :".  Prints one line per check; exits 1 on any failure.
"""
import re
import sys


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def squash(s):
    """Fallback key: no white space and no hyphens, for a word that
    pdftotext rejoined without its hyphen at a line end."""
    return re.sub(r"[\s\-\u00ad]+", "", s)


def reference_units(path):
    raw = open(path, encoding="utf-8").read()
    raw = raw.replace("North Carolina", "North Dakota").replace("**", "")
    units = []
    for para in re.split(r"\n\s*\n", raw):
        if not para.strip():
            continue
        lines = para.strip("\n").split("\n")
        if all("\t" in ln for ln in lines):
            # The table: one unit per row, label then value, minus the
            # artefact " :" at the end of a label.
            for ln in lines:
                label, value = ln.rsplit("\t", 1)
                label = re.sub(r"\s+:\s*$", "", label)
                units.append(norm(label + " " + value))
        else:
            units.append(norm(para))
    return units


def main():
    ref_path, got_path = sys.argv[1], sys.argv[2]
    got = norm(open(got_path, encoding="utf-8").read())
    got_sq = squash(got)
    units = reference_units(ref_path)
    fails = 0
    pos = pos_sq = 0
    # Any exact match or squashed match must come after the previous one.
    for u in units:
        label = (u[:60] + "...") if len(u) > 63 else u
        i = got.find(u, pos)
        if i >= 0:
            pos = i + len(u)
            pos_sq = len(squash(got[:pos]))
            print("ok   - in order: %s" % label)
            continue
        j = got_sq.find(squash(u), pos_sq)
        if j >= 0:
            pos_sq = j + len(squash(u))
            # Move the exact cursor to the end of the same text.
            k, n = 0, 0
            while k < len(got) and n < pos_sq:
                if not re.match(r"[\s\-\u00ad]", got[k]):
                    n += 1
                k += 1
            pos = k
            print("ok   - in order (hyphen/space-insensitive): %s" % label)
            continue
        fails += 1
        # Say where it diverges: the longest prefix of the unit found.
        lo, hi = 0, len(u)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if got.find(u[:mid], pos) >= 0:
                lo = mid
            else:
                hi = mid - 1
        anywhere = got.find(u) >= 0 or got_sq.find(squash(u)) >= 0
        print("FAIL - not found %s: %s" % (
            "in order (present earlier: order wrong)" if anywhere else "",
            label))
        print("       matched up to: ...%s" % u[max(0, lo - 40):lo])
        print("       expected next: %s" % u[lo:lo + 60])
        at = got.find(u[:lo], pos)
        if at >= 0:
            print("       sheet has:     %s" % got[at + lo:at + lo + 60])
    print("%d of %d reference units found in order" % (len(units) - fails,
                                                       len(units)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
