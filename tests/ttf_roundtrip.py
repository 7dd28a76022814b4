"""Reads a font cut by ss_ttf_subset back with fontTools and compares it with
the original, glyph by glyph (run by test_render.c's test_ttf_subset).

    ttf_roundtrip.py ORIGINAL CUT GID,GID,...

Every kept glyph (and every glyph a kept composite uses) has the original's
outline: the same contours, points, on-curve flags and components, and the
same advance width and left side bearing; glyph IDs are unchanged; every
other glyph below the highest kept one is empty.  Exits 0 when all hold,
1 with one line per difference otherwise.
"""
import sys

from fontTools.ttLib import TTFont


def outline(font, gid):
    glyf = font["glyf"]
    g = glyf[font.getGlyphName(gid)]
    if g.numberOfContours == 0:
        return ("empty",)
    if g.isComposite():
        return ("composite", tuple((font.getGlyphID(c.glyphName), c.x, c.y, c.flags & ~0x0100)
                                   for c in g.components))
    coords, ends, flags = g.getCoordinates(glyf)
    return ("simple", tuple(coords), tuple(ends), tuple(f & 1 for f in flags))


def main():
    orig, cut = TTFont(sys.argv[1]), TTFont(sys.argv[2])
    keep = {int(x) for x in sys.argv[3].split(",")} | {0}
    todo = list(keep)
    while todo:  # the parts of composites are kept too
        g = orig["glyf"][orig.getGlyphName(todo.pop())]
        if g.isComposite():
            for c in g.components:
                gid = orig.getGlyphID(c.glyphName)
                if gid not in keep:
                    keep.add(gid)
                    todo.append(gid)
    bad = []
    n = cut["maxp"].numGlyphs
    if n != max(keep) + 1:
        bad.append(f"maxp.numGlyphs is {n}, expected {max(keep) + 1}")
    for gid in range(min(n, orig["maxp"].numGlyphs)):
        want = outline(orig, gid) if gid in keep else ("empty",)
        got = outline(cut, gid)
        if got != want:
            bad.append(f"glyph {gid} ({orig.getGlyphName(gid)}): outline differs")
        if gid in keep:
            w = orig["hmtx"][orig.getGlyphName(gid)]
            g = cut["hmtx"][cut.getGlyphName(gid)]
            if w != g:
                bad.append(f"glyph {gid}: metrics {g}, expected {w}")
    for line in bad:
        print(line)
    if not bad:
        print(f"ok: {len(keep)} glyphs kept, {n} slots, every outline as in the original")
    return 1 if bad else 0


sys.exit(main())
