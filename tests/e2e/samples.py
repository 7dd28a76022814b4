#!/usr/bin/python3
"""samples.py DATA.xml OUTDIR PAPER

Checks every sheet statesheet made from the sample file DATA.xml into
OUTDIR (paper letter or a4): one page of the right size, every font
embedded, qpdf --check clean, pdftotext silent; with pdfminer, every
character at least 36 pt from every edge and at least 7 pt tall, no two
text runs overlapping, the SAMPLE DATA mark; the names (okina, Polish
letters, 100-character names) extract exactly; table values are never
broken across lines; singular and zero forms.  One line per check (grouped
per sheet when all is well); exit 1 on any failure.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfchars import group_lines, pages_chars, split_runs, text_with_map  # noqa: E402

MARGIN = 36.0          # 0.5 in from every paper edge
MIN_SIZE = 7.0         # smallest type allowed anywhere
OVERLAP_TOL = 0.25     # pt of vertical overlap tolerated (rounding)
PAPER = {"letter": (612.0, 792.0), "a4": (595.276, 841.89)}

fails = 0


def ok(msg):
    print("ok   - " + msg)


def fail(msg):
    global fails
    fails += 1
    print("FAIL - " + msg)


def norm(s):
    # A word hyphenated at a line end (soft hyphen, U+00AD) reads whole.
    s = re.sub("\u00ad\\s*", "", s)
    return re.sub(r"\s+", " ", s).strip()


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


def fmt(n):
    return "{:,}".format(n)


def load_states(path):
    root = ET.parse(path).getroot()
    year = root.get("year")
    states = []
    for st in root.findall("state"):
        figs = {f.get("key"): int(f.text) for f in st.findall("figure")}
        rows = []
        tab = st.find("table")
        if tab is not None:
            rows = [(r.get("label").strip(), int(r.text)) for r in tab.findall("row")]
        states.append({"code": st.get("code"), "name": st.get("name").strip(),
                       "figs": figs, "rows": rows,
                       "file": "%s-%s%s.pdf" % (st.get("code"), year,
                                                "-SAMPLE" if root.get("sample") == "true" else "")})
    return states


def check_tools(pdf, paper, errs):
    """pdfinfo, pdffonts, qpdf, pdftotext; returns the extracted text."""
    want_w, want_h = PAPER[paper]
    rc, out, err = run(["pdfinfo", pdf])
    pages = re.search(r"^Pages:\s+(\d+)", out, re.M)
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    if rc != 0 or not pages or pages.group(1) != "1":
        errs.append("pdfinfo: pages %s (rc %d) %s" % (pages and pages.group(1), rc, err.strip()))
    if not size or abs(float(size.group(1)) - want_w) > 1 or \
            abs(float(size.group(2)) - want_h) > 1:
        errs.append("page size %s, want %s x %s" % (size and size.group(0), want_w, want_h))

    rc, out, err = run(["pdffonts", pdf])
    fonts = [ln for ln in out.splitlines()[2:] if ln.strip()]
    if rc != 0 or not fonts:
        errs.append("pdffonts: rc %d, %d fonts: %s" % (rc, len(fonts), err.strip()))
    for ln in fonts:
        # name type encoding emb sub uni object ID: emb is 5th from the end
        if ln.split()[-5] != "yes":
            errs.append("font not embedded: %s" % ln)

    rc, out, err = run(["qpdf", "--check", pdf])
    if rc != 0:
        errs.append("qpdf --check exit %d: %s" % (rc, (out + err).strip()[-300:]))

    rc, out, err = run(["pdftotext", "-enc", "UTF-8", pdf, "-"])
    if rc != 0 or err.strip():
        errs.append("pdftotext rc %d, stderr: %s" % (rc, err.strip()[:200]))
    return out


def check_geometry(pdf, paper, errs):
    """pdfminer: margins, type sizes, overlaps, sample mark; returns the
    text runs (for the table check)."""
    want_w, want_h = PAPER[paper]
    pages = pages_chars(pdf)
    if len(pages) != 1:
        errs.append("pdfminer sees %d pages" % len(pages))
        return []
    bbox, chars = pages[0]
    if not chars:
        errs.append("pdfminer found no characters")
        return []
    for c in chars:
        if c.x0 < MARGIN - 0.01 or c.y0 < MARGIN - 0.01 or \
                c.x1 > want_w - MARGIN + 0.01 or c.y1 > want_h - MARGIN + 0.01:
            errs.append("char %r at (%.1f,%.1f)-(%.1f,%.1f) closer than %g pt to the edge"
                        % (c.get_text(), c.x0, c.y0, c.x1, c.y1, MARGIN))
            break
    small = [c for c in chars if c.size < MIN_SIZE - 0.01]
    if small:
        errs.append("%d chars below %g pt, e.g. %r at %.2f pt"
                    % (len(small), MIN_SIZE, small[0].get_text(), small[0].size))
    runs = []
    for line in group_lines(chars):
        for r in split_runs(line):
            runs.append((min(c.x0 for c in r), min(c.y0 for c in r),
                         max(c.x1 for c in r), max(c.y1 for c in r),
                         "".join(c.get_text() for c in r), r))
    bad = 0
    for i in range(len(runs)):
        a = runs[i]
        for b in runs[i + 1:]:
            if a[0] < b[2] and b[0] < a[2] and \
                    min(a[3], b[3]) - max(a[1], b[1]) > OVERLAP_TOL:
                bad += 1
                if bad <= 2:
                    errs.append("text overlaps: %r and %r" % (a[4][:40], b[4][:40]))
    text, _ = text_with_map(chars)
    if "SAMPLE DATA" not in text:
        errs.append("no 'SAMPLE DATA' mark on the page")
    return runs


def main():
    data, outdir, paper = sys.argv[1], sys.argv[2], sys.argv[3]
    states = load_states(data)
    texts = {}
    for st in states:
        pdf = os.path.join(outdir, st["file"])
        errs = []
        if not os.path.isfile(pdf):
            fail("%s: %s not written" % (st["code"], st["file"]))
            continue
        text = check_tools(pdf, paper, errs)
        texts[st["code"]] = norm(text)
        runs = check_geometry(pdf, paper, errs)
        # Table values are drawn whole on one line: "999,999,999,999", not
        # "999,999,999,99" and a stray "9" under it.
        run_texts = {r[4] for r in runs}
        for label, v in st["rows"]:
            if fmt(v) not in run_texts:
                near = [r[4] for r in runs if r[4] and r[4].replace(",", "").isdigit()
                        and fmt(v).replace(",", "").startswith(r[4].replace(",", ""))]
                errs.append("table value %s (row %r) not drawn whole on one line; "
                            "digit runs seen: %s" % (fmt(v), label[:30], near[:3]))
        # The name, exactly (white space normalised; a name without spaces
        # may be broken across lines, so compare it without white space).
        name = norm(st["name"])
        t = texts[st["code"]]
        if name not in t and (" " in name or name not in t.replace(" ", "")):
            errs.append("name %r not in the extracted text" % name)
        if errs:
            for e in errs:
                fail("%s %s: %s" % (paper, st["file"], e))
        else:
            ok("%s %s: 1 page, size, fonts embedded, qpdf, pdftotext, margins, "
               ">= 7 pt, no overlaps, SAMPLE DATA, table values, name" % (paper, st["file"]))

    # Hard-case names extract exactly.
    special = [s for s in states if "\u02bb" in s["name"]]
    special += [s for s in states if "\u0141" in s["name"]]
    if len(special) < 2:
        fail("sample has no okina or no Ł name (make-sample.py --hard?)")
    for s in special:
        if s["code"] in texts and norm(s["name"]) in texts[s["code"]]:
            ok("%s: name %r extracts exactly" % (s["code"], s["name"]))
        else:
            fail("%s: name %r not extracted exactly" % (s["code"], s["name"]))

    # Singular forms, for every state whose figures are all 1.
    singular = [
        "1 CyberTipline report was made available",
        "NCMEC reviewed 1 submission of child",
        "NCMEC handled 1 case of missing children",
        "including 1 survivor/family in",
        "connected 1 survivor/family to mental health",
        "including 1 new law enforcement or child-serving professional in",
    ]
    ones = [s for s in states if set(s["figs"].values()) == {1}
            and sum(v for _, v in s["rows"]) == 1]
    if not ones:
        fail("sample has no all-ones state")
    for s in ones:
        t = texts.get(s["code"], "")
        missing = [p for p in singular if p not in t]
        if missing:
            fail("%s: singular form missing: %r" % (s["code"], missing[0]))
        else:
            ok("%s: all %d singular forms present" % (s["code"], len(singular)))

    # Zero forms: the zero state says "no ...", and no sheet prints "0 x".
    zeros = [s for s in states if set(s["figs"].values()) == {0} and not s["rows"]]
    if not zeros:
        fail("sample has no all-zero state")
    for s in zeros:
        t = texts.get(s["code"], "")
        want = ["no CyberTipline reports were made available",
                "NCMEC handled no cases of missing children"]
        missing = [p for p in want if p not in t]
        if missing:
            fail("%s: zero form missing: %r" % (s["code"], missing[0]))
        else:
            ok("%s: zero forms present" % s["code"])
    zero_rx = re.compile(r"(?<![\d,.])0 (submissions?|cases?|survivors?/famil\w*|"
                         r"CyberTipline|new law)")
    hits = [(c, m.group(0)) for c, t in texts.items() for m in zero_rx.finditer(t)]
    if hits:
        fail("zero printed as a number: %s" % hits[:3])
    else:
        ok("no sheet prints '0 submissions', '0 cases', '0 survivors/families'")

    print("samples (%s): %d check(s) failed" % (paper, fails) if fails
          else "samples (%s): all checks passed" % paper)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
