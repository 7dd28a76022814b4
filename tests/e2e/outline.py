#!/usr/bin/python3
"""outline.py COMBINED.pdf DATA.xml

The --combined file has one page per state and one top-level bookmark per
state, in data order: bookmark i is titled with state i's name and opens
page i.  Uses pikepdf.  One line per check; exit 1 on failure.
"""
import sys
import xml.etree.ElementTree as ET

import pikepdf


def main():
    pdf_path, data = sys.argv[1], sys.argv[2]
    root = ET.parse(data).getroot()
    year = root.get("year")
    names = [s.get("name").strip() for s in root.findall("state")]
    fails = 0
    pdf = pikepdf.open(pdf_path)
    npages = len(pdf.pages)
    if npages == len(names):
        print("ok   - combined file has %d pages" % npages)
    else:
        print("FAIL - combined file has %d pages (want %d)" % (npages, len(names)))
        fails += 1
    page_index = {p.objgen: i for i, p in enumerate(pdf.pages)}
    with pdf.open_outline() as outline:
        items = list(outline.root)
        if len(items) == len(names):
            print("ok   - %d bookmarks" % len(items))
        else:
            print("FAIL - %d bookmarks (want %d)" % (len(items), len(names)))
            fails += 1
        bad = 0
        for i, (item, name) in enumerate(zip(items, names)):
            dest = item.destination
            if dest is None and item.action is not None and "/D" in item.action:
                dest = item.action.D
            target = None
            if isinstance(dest, pikepdf.Array) and len(dest) > 0:
                target = page_index.get(dest[0].objgen)
            if name not in item.title or target != i:
                bad += 1
                if bad <= 3:
                    print("FAIL - bookmark %d: title %r -> page %s; want %r -> page %d"
                          % (i + 1, item.title, None if target is None else target, name, i))
        if bad:
            fails += 1
        else:
            print("ok   - bookmarks in data order, each titled with its state's "
                  "name and opening its own page (e.g. %r)" % (items[0].title if items else None))
        if items and "%s Data %s" % (names[0], year) != items[0].title:
            print("note - first bookmark title is %r" % items[0].title)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
