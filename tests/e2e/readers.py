#!/usr/bin/python3
"""readers.py ND.pdf HI.pdf COMBINED.pdf PDFJS_DIR

Reads three PDFs with seven unpatched readers, as installed: pdftotext
(poppler), pdf2txt (pdfminer.six), pypdf, mutool (MuPDF), Ghostscript's
txtwrite, PDFBox's ExtractText and PDF.js (pdfjs-dist, tests/e2e/pdfjs).
Every reader must give every expected sentence exactly, after white space
is normalised (any run of spaces, tabs and line ends is one space), and
Hawaiʻi with its okina (U+02BB).  Prints one line per check; exits 1 on
any failure.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# The published sheet's text (tests/fixtures/reference/).
with open(os.path.join(HERE, "..", "fixtures", "reference", "north-dakota-2023.txt"),
          encoding="utf-8") as _f:
    REFERENCE = _f.read()

JAVA = "/usr/share/java"
PDFBOX_CP = ":".join(os.path.join(JAVA, j) for j in (
    "pdfbox2-tools.jar", "pdfbox2.jar", "fontbox2.jar", "commons-logging.jar"))


def readers_all(pdfjs_dir):
    py = "/usr/bin/python3"
    return {
        "pdftotext": lambda f: ["pdftotext", "-enc", "UTF-8", f, "-"],
        "pdfminer": lambda f: ["pdf2txt", f],
        "pypdf": lambda f: [py, "-c", "import sys, pypdf; r = pypdf.PdfReader(sys.argv[1]); "
                            "print('\\n'.join(p.extract_text() for p in r.pages))", f],
        "mutool": lambda f: ["mutool", "draw", "-q", "-F", "txt", f],
        "gs txtwrite": lambda f: ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER",
                                  "-sDEVICE=txtwrite", "-sOutputFile=-", f],
        "PDFBox": lambda f: ["java", "-cp", PDFBOX_CP, "org.apache.pdfbox.tools.ExtractText",
                             "-encoding", "UTF-8", "-console", f],
        "PDF.js": lambda f: ["node", os.path.join(pdfjs_dir, "read.mjs"), "text", f],
    }


def readers(pdfjs_dir):
    """Every reader; without PDF.js when the test set-up could not install
    it (SS_NO_PDFJS, set by readers.sh with the reason printed)."""
    r = readers_all(pdfjs_dir)
    if os.environ.get("SS_NO_PDFJS"):
        del r["PDF.js"]
    return r


def norm(s):
    # A soft hyphen (U+00AD) marks where a word was broken at a line's end:
    # invisible in running text (Unicode), so it and the line break after
    # it go.  A reader that honours /ActualText gives the word whole anyway.
    s = re.sub(r"\u00ad\s*", "", s)
    return re.sub(r"\s+", " ", s).strip()


def nd_units():
    """The reference sheet's paragraphs, and its table's labels and counts
    each on their own (a table row is no sentence: some readers give the
    label column before the count column).  Its artefacts corrected as in
    reference.py."""
    raw = REFERENCE.replace("North Carolina", "North Dakota").replace("**", "")
    units = []
    for para in re.split(r"\n\s*\n", raw):
        lines = [ln for ln in para.strip("\n").split("\n") if ln.strip()]
        if lines and all("\t" in ln for ln in lines):
            for ln in lines:
                label, value = ln.rsplit("\t", 1)
                units += [re.sub(r"\s+:\s*$", "", label), value.strip()]
        elif lines:
            units.append(norm(" ".join(lines)))
    return units


def main():
    nd_pdf, hi, combined, pdfjs_dir = sys.argv[1:5]
    nd = nd_units()
    hi_units = [
        "Hawai\u02BBi Data",
        "SAMPLE DATA \u2014 NOT REAL FIGURES",
        "In 2023, 4,321 CyberTipline reports were made available to law enforcement in "
        "Hawai\u02BBi.",
        "In 2023, NCMEC reviewed 12 submissions of child sexual exploitation material from "
        "Hawai\u02BBi law enforcement.",
        "Listed below are Hawai\u02BBi specific statistics relating to NCMEC's work.",
    ]
    combined_units = hi_units + ["\u0141\u00F3d\u017A Lowlands Data"]
    cases = [("ND-2023.pdf", nd_pdf, nd), ("HI-2023-SAMPLE.pdf", hi, hi_units),
             ("combined", combined, combined_units)]
    # Where each sheet breaks words at hyphenation points, as pdfminer reads
    # them: the two halves around a soft hyphen.  Some readers drop U+00AD
    # and ignore /ActualText, so a broken word comes out as two lines; only
    # at these points are the halves joined for them.
    breaks = {}
    for name, path, units in cases:
        r = subprocess.run(readers(pdfjs_dir)["pdfminer"](path), capture_output=True)
        breaks[name] = set(re.findall(r"(\w+)\u00ad\s*(\w+)",
                                      r.stdout.decode("utf-8", "replace")))
    fails = 0
    for reader, argv in readers(pdfjs_dir).items():
        for name, path, units in cases:
            try:
                r = subprocess.run(argv(path), capture_output=True, timeout=300)
                text = r.stdout.decode("utf-8", "replace")
                problem = "exit %d: %s" % (r.returncode, r.stderr.decode()[:200]) \
                    if r.returncode else None
            except (OSError, subprocess.TimeoutExpired) as e:
                text, problem = "", str(e)
            # A reader that drops the soft hyphen and ignores /ActualText
            # (PDF.js 4.10) keeps only the line break; one that prints it as
            # a hyphen keeps that; MuPDF 1.25 (trixie) lays the /ActualText
            # over the span's glyphs one by one, so the line break moves a
            # letter ("prog rams,").  Only the sheet's own broken words are
            # joined, wherever their halves were cut.
            for a, b in breaks[name]:
                w = a + b
                pat = r"[-\u2010]?\s*".join(re.escape(c) for c in w)
                text = re.sub(r"\b%s\b" % pat, w, text)
            got = norm(text)
            words = set(got.split(" "))
            missing = [u for u in units
                       if (norm(u) not in words if u.isdigit() else norm(u) not in got)]
            if problem:
                print("FAIL - %s on %s: %s" % (reader, name, problem))
                fails += 1
            elif missing:
                head = norm(missing[0])[:24]
                at = got.find(head)
                print("FAIL - %s on %s: %d of %d sentences missing, first: %r; the reader "
                      "gave: %r" % (reader, name, len(missing), len(units), missing[0][:100],
                                    got[at:at + 240] if at >= 0 else got[:240]))
                fails += 1
            else:
                print("ok   - %s on %s: all %d sentences" % (reader, name, len(units)))
    print("readers: %d check(s) failed" % fails if fails else "readers: all checks passed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
