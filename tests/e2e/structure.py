#!/usr/bin/python3
"""structure.py ND.pdf HI.pdf COMBINED.pdf PDFJS_DIR

The tag tree, read by two independent readers, poppler's
`pdfinfo -struct-text` and PDF.js's page.getStructTree(): the North Dakota
sheet's elements are, in reading order, the organisation line (P), the
title (H1), the paragraphs (P) and the five section headings (H2) of the
reference sheet, and its table as Table > TR > TH (/Scope /Row) + TD; no
footer text anywhere.  The sample sheet's first element is the SAMPLE
notice.  The combined file has one Part per page, in page order, each
holding only its state.  Then a walk of every content stream (pikepdf):
no text or shape outside marked content, every MCID on a page is in the
parent tree and points at an element that lists it, and every MCID an
element lists is on its page.  And the document-level entries: MarkInfo,
/Lang, DisplayDocTitle, dc:title and pdfuaid:part in the XMP, /Tabs /S,
every font Type0 /Identity-H, every code drawn in its ToUnicode map.
Prints one line per check; exits 1 on any failure.
"""
import os
import re
import subprocess
import sys

import pikepdf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# The published sheet's text (tests/fixtures/reference/).
with open(os.path.join(HERE, "..", "fixtures", "reference", "north-dakota-2023.txt"),
          encoding="utf-8") as _f:
    REFERENCE = _f.read()

fails = 0


def ok(msg):
    print("ok   - " + msg)


def fail(msg):
    global fails
    fails += 1
    print("FAIL - " + msg)


def norm(s):
    # A soft hyphen (U+00AD) marks where a word was broken at a line's end:
    # invisible in running text (Unicode), so it and the line break after
    # it go.  A reader that honours /ActualText gives the word whole anyway.
    s = re.sub(r"\u00ad\s*", "", s)
    return re.sub(r"\s+", " ", s).strip()


# ---- the two readers, as (depth, role, text) lists ----------------------

def pdfinfo_tree(path):
    out = subprocess.run(["pdfinfo", "-struct-text", path], capture_output=True,
                         check=True).stdout.decode("utf-8")
    nodes, attrs = [], {}
    for line in out.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        s = line.strip()
        if s.startswith('"'):
            role_depth, role, text = nodes[-1]
            nodes[-1] = (role_depth, role, norm(text + " " + s.strip('"')))
        elif s.startswith("/"):
            attrs.setdefault(len(nodes) - 1, []).append(s)
        elif s:
            nodes.append((depth, re.sub(r"[:]?( \(\w+\))?$", "", s), ""))
    return nodes, attrs


# Set by structure.sh when the test set-up could not install PDF.js (the
# reason is printed there): its checks are left out, pdfinfo's still run.
NO_PDFJS = bool(os.environ.get("SS_NO_PDFJS"))


def soft_breaks(path):
    """The halves of the words a sheet breaks at hyphenation points, around
    the soft hyphen pdfminer reads there."""
    out = subprocess.run(["pdf2txt", path], capture_output=True).stdout.decode("utf-8")
    return set(re.findall(r"(\w+)\u00ad\s*(\w+)", out))


def pdfjs_tree(path, pdfjs_dir):
    out = subprocess.run(["node", os.path.join(pdfjs_dir, "read.mjs"), "struct", path],
                         capture_output=True, check=True).stdout.decode("utf-8")
    # PDF.js drops U+00AD and ignores /ActualText: a broken word comes out as
    # its two halves with a line's end between them; joined at the sheet's
    # own hyphenation points only.
    for a, b in soft_breaks(path):
        out = re.sub(r"\b%s %s\b" % (re.escape(a), re.escape(b)), a + b, out)
    nodes = []
    for line in out.splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        role, _, text = line.strip().partition(":")
        nodes.append((depth, role, norm(text)))
    # PDF.js puts a Root above the Document, one per page.
    return [(d - 1, r, t) for d, r, t in nodes if r != "Root"]


# ---- what the North Dakota sheet must say, in order ----------------------

def nd_expected():
    raw = REFERENCE.replace("North Carolina", "North Dakota").replace("**", "")
    want = []
    for para in re.split(r"\n\s*\n", raw):
        lines = [ln for ln in para.strip("\n").split("\n") if ln.strip()]
        if not lines:
            continue
        if all("\t" in ln for ln in lines):
            for ln in lines:
                label, value = ln.rsplit("\t", 1)
                want += [("TH", re.sub(r"\s+:\s*$", "", label)), ("TD", value.strip())]
            continue
        text = norm(" ".join(lines))
        if text == "The National Center for Missing and Exploited Children":
            want.append(("P", text))
        elif text.endswith(" Data"):
            want.append(("H1", text))
        elif re.match(r"NCMEC's (Work|Education) ", text) and not text.endswith("."):
            want.append(("H2", text))
        else:
            want.append(("P", text))
    return want


def check_order(reader, nodes, want, footer):
    """Every wanted (role, text) is in a leaf of that role, in order (a
    reference paragraph split in two may fall in one leaf); every leaf is
    wanted; no leaf holds footer text."""
    leaves = [(r, t) for _, r, t in nodes if t]
    i, used = 0, set()
    for role, text in want:
        j = i
        while j < len(leaves) and not (leaves[j][0] == role and norm(text) in leaves[j][1]):
            j += 1
        if j == len(leaves):
            fail("%s: no %s %r after element %d" % (reader, role, text[:60], i))
            return
        used.add(j)
        i = j
    extra = [leaves[k] for k in range(len(leaves)) if k not in used]
    if extra:
        fail("%s: elements not on the reference sheet: %r" % (reader, extra[:3]))
    elif any(f in t for _, t in leaves for f in footer):
        fail("%s: footer text in the tag tree" % reader)
    else:
        ok("%s: %d elements in the reference sheet's order, no footer" % (reader, len(leaves)))


def counts(nodes):
    c = {}
    for _, r, _ in nodes:
        c[r] = c.get(r, 0) + 1
    return c


def check_nd(nd, pdfjs_dir):
    want = nd_expected()
    footer = ["Source: NCMEC program data", "missingkids.org\u00a0", "Exploited Children \u00b7"]
    pi, attrs = pdfinfo_tree(nd)
    trees = [("pdfinfo -struct-text", pi)]
    if not NO_PDFJS:
        trees.append(("PDF.js getStructTree", pdfjs_tree(nd, pdfjs_dir)))
    for reader, nodes in trees:
        if not nodes or nodes[0][1] != "Document" or any(d < 1 for d, _, _ in nodes[1:]):
            fail("%s: the tree is not one Document: %r" % (reader, nodes[:2]))
            continue
        c = counts(nodes)
        got = tuple(c.get(r, 0) for r in ("H1", "H2", "Table", "TR", "TH", "TD"))
        if got == (1, 5, 1, 3, 3, 3):
            ok("%s: H1, five H2, one Table of three TR with TH and TD" % reader)
        else:
            fail("%s: H1, H2, Table, TR, TH, TD counts %r (want 1, 5, 1, 3, 3, 3)"
                 % (reader, got))
        check_order(reader, nodes, want, footer)
    th = [k for k, (_, r, _) in enumerate(pi) if r == "TH"]
    if th and all("/Scope /Row" in attrs.get(k, []) for k in th):
        ok("pdfinfo: every TH has /Scope /Row")
    else:
        fail("pdfinfo: a TH without /Scope /Row")


def check_sample(hi, pdfjs_dir):
    trees = [("pdfinfo", pdfinfo_tree(hi)[0])]
    if not NO_PDFJS:
        trees.append(("PDF.js", pdfjs_tree(hi, pdfjs_dir)))
    for reader, nodes in trees:
        leaves = [(r, t) for _, r, t in nodes if t]
        if leaves and leaves[0] == ("P", "SAMPLE DATA \u2014 NOT REAL FIGURES"):
            ok("%s: the SAMPLE notice is the sample sheet's first element" % reader)
        else:
            fail("%s: the sample sheet starts with %r" % (reader, leaves[:1]))
        if ("H1", "Hawai\u02BBi Data") in leaves:
            ok("%s: H1 'Hawai\u02BBi Data' with its okina" % reader)
        else:
            fail("%s: no H1 'Hawai\u02BBi Data'" % reader)


def check_combined(path, pdfjs_dir):
    names = ["Hawai\u02BBi", "\u0141\u00F3d\u017A Lowlands"]
    pi = pdfinfo_tree(path)[0]
    parts = [k for k, (d, r, _) in enumerate(pi) if r == "Part" and d == 1]
    if pi and pi[0][1] == "Document" and len(parts) == len(names):
        ok("pdfinfo: combined file is one Document with one Part per page")
    else:
        fail("pdfinfo: combined file tree %r (want Document > %d Parts)"
             % ([(d, r) for d, r, _ in pi[:3]], len(names)))
        return
    for n, k in enumerate(parts):
        end = parts[n + 1] if n + 1 < len(parts) else len(pi)
        texts = " ".join(t for _, _, t in pi[k:end])
        h1 = [t for _, r, t in pi[k:end] if r == "H1"]
        others = [m for m in names if m != names[n] and m in texts]
        if h1 == [names[n] + " Data"] and not others:
            ok("pdfinfo: Part %d holds only %s" % (n + 1, names[n]))
        else:
            fail("pdfinfo: Part %d: H1 %r, other states %r" % (n + 1, h1, others))
    # PDF.js reads the tree per page: each page's tree has that state's H1.
    if NO_PDFJS:
        return
    js = pdfjs_tree(path, pdfjs_dir)
    h1 = [t for _, r, t in js if r == "H1"]
    if h1 == [m + " Data" for m in names]:
        ok("PDF.js: one H1 per page, in page order")
    else:
        fail("PDF.js: H1s %r" % h1)


# ---- the content streams --------------------------------------------------

SHOW = {"Tj", "TJ", "'", '"'}
PAINT = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do"}


def check_content(label, path):
    pdf = pikepdf.open(path)
    tree = pdf.Root.StructTreeRoot
    nums = list(tree.ParentTree.Nums)
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    bad = []
    listed = {}  # (page objgen, mcid) -> element, from the elements' K
    stack = [tree]
    while stack:
        e = stack.pop()
        kids = e.get("/K")
        if kids is None:
            continue
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for k in kids:
            if isinstance(k, int) or (isinstance(k, pikepdf.Object) and not isinstance(
                    k, pikepdf.Dictionary)):
                pg = e.get("/Pg")
                listed[(pg.objgen if pg is not None else None, int(k))] = e
            elif isinstance(k, pikepdf.Dictionary):
                stack.append(k)
    seen = set()
    for n, page in enumerate(pdf.pages):
        key = int(page.obj.get("/StructParents", -1))
        arr = parents.get(key)
        if arr is None:
            bad.append("page %d has no parent tree entry" % (n + 1))
            continue
        depth, kinds = 0, []
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op in ("BDC", "BMC"):
                # Matterhorn 01-003/01-004: no artifact inside tagged content
                # and no tagged content inside an artifact.
                kind = "artifact" if str(operands[0]) == "/Artifact" else "tagged"
                if kinds and kinds[0] != kind:
                    bad.append("page %d: %s content inside %s content" % (n + 1, kind, kinds[0]))
                kinds.append(kind)
                depth += 1
                if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and \
                        "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                    seen.add((page.obj.objgen, mcid))
                    elem = arr[mcid] if mcid < len(arr) else None
                    if elem is None or listed.get((page.obj.objgen, mcid)) is None or \
                            listed[(page.obj.objgen, mcid)].objgen != elem.objgen:
                        bad.append("page %d MCID %d is not in the tree" % (n + 1, mcid))
                    elif str(elem.S) != str(operands[0]) and not (
                            str(operands[0]) == "/Span" and "/ActualText" in operands[1]):
                        # A word broken at a hyphenation point is a Span of
                        # its element with the whole word as /ActualText
                        # (poppler reads /ActualText on a Span only).
                        bad.append("page %d MCID %d tagged %s, element %s"
                                   % (n + 1, mcid, operands[0], elem.S))
            elif op == "EMC":
                depth -= 1
                kinds.pop()
            elif op in SHOW and depth == 0:
                bad.append("page %d: text outside marked content" % (n + 1))
            elif op in PAINT and depth == 0:
                bad.append("page %d: %s outside marked content" % (n + 1, op))
    missing = [k for k in listed if k not in seen]
    if missing:
        bad.append("%d MCIDs listed in the tree but not in the content" % len(missing))
    if bad:
        fail("%s: %s" % (label, "; ".join(bad[:3])))
    else:
        ok("%s: all text and shapes in marked content; %d MCIDs, each in the tree and on "
           "its page" % (label, len(seen)))


def tounicode_codes(font):
    """The codes a Type0 font's ToUnicode maps (bfchar and bfrange)."""
    data = font.ToUnicode.read_bytes().decode("latin-1")
    codes = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, _ in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            codes.add(int(src, 16))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<[0-9A-Fa-f]+>", block):
            codes.update(range(int(lo, 16), int(hi, 16) + 1))
    return codes


def check_document(label, path):
    """The catalog, page and font entries PDF/UA-1 and issue 9 ask for."""
    pdf = pikepdf.open(path)
    root, bad = pdf.Root, []
    if not (root.get("/MarkInfo") and bool(root.MarkInfo.get("/Marked"))):
        bad.append("no /MarkInfo <</Marked true>>")
    if str(root.get("/Lang", "")) != "en-US":
        bad.append("/Lang is %r" % str(root.get("/Lang", "")))
    if not (root.get("/ViewerPreferences") and
            bool(root.ViewerPreferences.get("/DisplayDocTitle"))):
        bad.append("no /DisplayDocTitle true")
    if "/ParentTree" not in root.get("/StructTreeRoot", {}):
        bad.append("no StructTreeRoot with a ParentTree")
    xmp = root.Metadata.read_bytes().decode("utf-8")
    if "<pdfuaid:part>1</pdfuaid:part>" not in xmp or "<dc:title>" not in xmp or \
            "pdfaExtension:schemas" not in xmp:
        bad.append("XMP lacks pdfuaid:part 1, dc:title or the extension schema")
    for n, page in enumerate(pdf.pages):
        if str(page.obj.get("/Tabs", "")) != "/S":
            bad.append("page %d: no /Tabs /S" % (n + 1))
        fonts = page.Resources.Font
        for name in fonts.keys():
            f = fonts[name]
            if str(f.Subtype) != "/Type0" or str(f.get("/Encoding")) != "/Identity-H" or \
                    "/ToUnicode" not in f:
                bad.append("font %s is not Type0 /Identity-H with ToUnicode" % name)
                continue
        # Every code drawn maps to Unicode.
        known = {str(k): tounicode_codes(fonts[k]) for k in fonts.keys()}
        font = None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "Tf":
                font = str(operands[0])
            elif op in ("Tj", "TJ"):
                items = operands[0] if op == "TJ" else [operands[0]]
                for it in items:
                    if isinstance(it, pikepdf.String):
                        b = bytes(it)
                        for i in range(0, len(b) - 1, 2):
                            code = b[i] << 8 | b[i + 1]
                            if code not in known.get(font, ()):
                                bad.append("page %d: code %04X of %s has no Unicode"
                                           % (n + 1, code, font))
    if bad:
        fail("%s: %s" % (label, "; ".join(sorted(set(bad))[:3])))
    else:
        ok("%s: MarkInfo, /Lang en-US, DisplayDocTitle, ParentTree, dc:title and "
           "pdfuaid:part in XMP, /Tabs /S, Type0 /Identity-H fonts, every code in ToUnicode"
           % label)


def main():
    nd, hi, combined, pdfjs_dir = sys.argv[1:5]
    check_nd(nd, pdfjs_dir)
    check_sample(hi, pdfjs_dir)
    check_combined(combined, pdfjs_dir)
    for label, path in (("ND", nd), ("HI sample", hi), ("combined", combined)):
        check_content(label, path)
        check_document(label, path)
    print("structure: %d check(s) failed" % fails if fails else "structure: all checks passed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
