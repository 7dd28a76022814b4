#!/usr/bin/python3
"""cidset.py FILE.pdf ...

Every font's CIDSet names every glyph its embedded program holds (PDF/A-1,
6.3.5: "all CIDs which are present in the font program"), the parts of
composite glyphs and the glyphs kept but not drawn (the digits, the break
hyphen) included.  PDFBox Preflight does not check this; veraPDF does.  A
glyph is held when its loca entry gives it outline bytes.  Uses pikepdf.
One line per check; exit 1 on failure.
"""
import struct
import sys

import pikepdf


def held_glyphs(program):
    """Glyph ids with outline bytes in a TrueType font program."""
    ntables = struct.unpack(">H", program[4:6])[0]
    tables = {}
    for i in range(ntables):
        tag, _, off, length = struct.unpack(">4sIII", program[12 + 16 * i:28 + 16 * i])
        tables[tag.decode("latin-1")] = (off, length)
    loca_at, loca_len = tables["loca"]
    head_at = tables["head"][0]
    long_loca = struct.unpack(">h", program[head_at + 50:head_at + 52])[0] == 1
    if long_loca:
        offs = struct.unpack(">%dI" % (loca_len // 4), program[loca_at:loca_at + loca_len])
    else:
        offs = [2 * v for v in
                struct.unpack(">%dH" % (loca_len // 2), program[loca_at:loca_at + loca_len])]
    return {g for g in range(len(offs) - 1) if offs[g + 1] > offs[g]}


def main():
    fails = checked = 0
    for path in sys.argv[1:]:
        pdf = pikepdf.open(path)
        seen = set()
        for page in pdf.pages:
            for name, font in page.Resources.Font.items():
                cid = font.DescendantFonts[0]
                if cid.objgen in seen:
                    continue
                seen.add(cid.objgen)
                fd = cid.FontDescriptor
                held = held_glyphs(fd.FontFile2.read_bytes())
                bits = fd.CIDSet.read_bytes()
                named = {i for i in range(len(bits) * 8) if bits[i // 8] >> (7 - i % 8) & 1}
                checked += 1
                if not held <= named:
                    fails += 1
                    print("FAIL - %s %s: glyphs %s are in the font program, not in its "
                          "CIDSet" % (path, name, sorted(held - named)))
    if not fails:
        print("ok   - the CIDSet of each of %d fonts names every glyph its program holds"
              % checked)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
