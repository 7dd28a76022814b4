#!/usr/bin/python3
"""Make statesheet's font assets from Debian's Liberation Sans 2.

    /usr/bin/python3 tools/subset-fonts.py [SRC_DIR] [DEST_DIR]

SRC_DIR defaults to /usr/share/fonts/truetype/liberation2 (package
fonts-liberation2), DEST_DIR to assets/fonts.  Needs python3-fonttools.

Kerning: the subsets keep GPOS 'kern' and the 'kern' table for the kept
glyphs; statesheet
shapes text with HarfBuzz, which reads it (src/shape.c).  The PDFs embed
only glyph outlines and metrics (src/render_pdf.c, hb-subset), so the kerning costs a
sheet no bytes.

Why: libharu embeds a TrueType font with every glyph slot and table, so the
full Liberation Sans costs ~30 KB a font in every PDF.  A subset holding
only the characters a fact sheet can print (see RANGES) keeps sheets small
while every name the data format allows in practice still prints; a
character outside the subset is reported as a data error, never drawn as a
blank box.

The fonts are under the SIL Open Font License 1.1 with the Reserved Font
Names "Liberation" (Red Hat) and "Arimo" (Google).  A subset is a Modified
Version, so it must not carry those names: the subsets are renamed
"Statesheet Sans".  The licence ships beside them (assets/fonts/LICENSE).
"""
import hashlib
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

# Unicode ranges kept (inclusive).  Latin in all its forms (names of states,
# territories, people and places), the modifier letters (the Hawaiian okina
# U+02BB), Greek and Cyrillic, typographic punctuation, and a few symbols.
RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A (Ł, ő, ž ...)
    (0x0180, 0x024F),  # Latin Extended-B
    (0x02B0, 0x02FF),  # Spacing Modifier Letters (ʻ ʼ ˘ ...)
    (0x0300, 0x036F),  # Combining Diacritical Marks
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese ...)
    (0x2000, 0x206F),  # General Punctuation (– — ‘ ’ “ ” • …)
    (0x20AC, 0x20AC),  # Euro sign
    (0x2116, 0x2116),  # Numero sign
    (0x2122, 0x2122),  # Trade mark sign
]

FACES = [("LiberationSans-Regular.ttf", "StatesheetSans-Regular.ttf", "Regular"),
         ("LiberationSans-Bold.ttf", "StatesheetSans-Bold.ttf", "Bold")]
FAMILY = "Statesheet Sans"


def rename(font, style):
    ps = "StatesheetSans-" + style
    for rec in font["name"].names:
        if rec.nameID in (1, 16):
            rec.string = FAMILY
        elif rec.nameID in (2, 17):
            rec.string = style
        elif rec.nameID == 3:
            rec.string = f"{FAMILY} {style}; subset of Liberation Sans 2 for statesheet"
        elif rec.nameID == 4:
            rec.string = f"{FAMILY} {style}"
        elif rec.nameID == 6:
            rec.string = ps


def sort_pairs(font, gid):
    """Sorts the kerning pairs by the new glyph ids.

    A Coverage table and a pair set list must be in glyph id order, the
    first glyphs in step with their pair sets; fontTools 4.38 re-sorts a
    Coverage alone when it writes one (and warns), which would give the
    pairs to the wrong glyphs.
    """
    for lookup in font["GPOS"].table.LookupList.Lookup:
        for st in lookup.SubTable:
            st = getattr(st, "ExtSubTable", st)
            if lookup.LookupType not in (2, 9) or not hasattr(st, "Coverage"):
                raise SystemExit("unexpected GPOS lookup type %d" % lookup.LookupType)
            if st.Format == 1:
                both = sorted(zip(st.Coverage.glyphs, st.PairSet), key=lambda t: gid[t[0]])
                st.Coverage.glyphs = [g for g, _ in both]
                st.PairSet = [ps for _, ps in both]
                for ps in st.PairSet:
                    ps.PairValueRecord.sort(key=lambda r: gid[r.SecondGlyph])
            else:
                st.Coverage.glyphs.sort(key=lambda g: gid[g])


def reorder_glyphs(font):
    """Glyphs in Unicode order, .notdef first.

    statesheet embeds glyph slots up to the highest one a sheet uses, so the
    characters of ordinary English text must have the lowest glyph IDs.
    """
    cmap = font.getBestCmap()
    first = {}
    for cp, name in sorted(cmap.items()):
        first.setdefault(name, cp)
    old = font.getGlyphOrder()
    for tag in font.keys():  # decompile every table under the old order
        if tag != "GlyphOrder":
            font[tag]
    glyf = font["glyf"]
    for name in old:  # components are resolved by index until expanded
        glyf[name].expand(glyf)
    order, placed = [], set()

    def place(name):
        # A composite glyph's parts follow it, so they are low too.
        if name in placed:
            return
        placed.add(name)
        order.append(name)
        g = glyf[name]
        if g.isComposite():
            for comp in g.components:
                place(comp.glyphName)

    place(".notdef")
    for name in sorted(first, key=first.get):
        place(name)
    for name in old:
        place(name)
    font.setGlyphOrder(order)
    font["glyf"].glyphOrder = order
    if "GPOS" in font:
        sort_pairs(font, {name: i for i, name in enumerate(order)})
    if "post" in font:
        font["post"].formatType = 3.0  # no glyph names: smaller


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/liberation2"
    dest = sys.argv[2] if len(sys.argv) > 2 else "assets/fonts"
    os.makedirs(dest, exist_ok=True)
    unicodes = [cp for lo, hi in RANGES for cp in range(lo, hi + 1)]
    for name, out, style in FACES:
        opts = subset.Options()
        opts.hinting = False          # hinting tables are useless in print
        # Kerning only (GPOS 'kern', which HarfBuzz applies: src/shape.c,
        # and the legacy 'kern' table, which it applies to text GPOS has no
        # kerning for, such as figures: "11"); no GSUB, so every character
        # keeps a glyph of its own and every reader extracts the exact text.
        opts.layout_features = ["kern"]
        opts.legacy_kern = True
        opts.name_IDs = ["*"]
        opts.name_languages = [0x409]
        opts.notdef_outline = True
        opts.glyph_names = False
        opts.drop_tables += ["DSIG", "GDEF", "GSUB", "gasp",
                             "hdmx", "VDMX", "LTSH", "PCLT", "FFTM", "meta"]
        font = TTFont(os.path.join(src, name), recalcTimestamp=False)
        sub = subset.Subsetter(options=opts)
        sub.populate(unicodes=unicodes)
        sub.subset(font)
        reorder_glyphs(font)
        rename(font, style)
        path = os.path.join(dest, out)
        font.save(path, reorderTables=True)
        data = open(path, "rb").read()
        cmap = font.getBestCmap()
        print(f"{path}: {len(data)} bytes, {len(font.getGlyphOrder())} glyphs, "
              f"{len(cmap)} characters, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
