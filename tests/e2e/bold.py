#!/usr/bin/python3
"""bold.py ND-2023.pdf

Per-character font check of the North Dakota sheet with pdfminer: every
character of each state figure is bold, every national figure is regular,
and the sentences the reference sheet marks bold are bold whole (and the
words just outside them are not).  One line per check; exit 1 on failure.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfchars import pages_chars, phrase_regex, text_with_map  # noqa: E402

fails = 0


def ok(msg):
    print("ok   - " + msg)


def fail(msg):
    global fails
    fails += 1
    print("FAIL - " + msg)


def is_bold(font):
    return font is not None and "Bold" in font


def find(text, context, group_phrase):
    """Find CONTEXT (a phrase containing GROUP_PHRASE once) in TEXT; return
    the (start, end) span of GROUP_PHRASE within it, or None."""
    a, b = context.split(group_phrase, 1)
    rx = ""
    if a.strip():
        rx += phrase_regex(a) + (r"\s+" if a.endswith(" ") else "")
    rx += "(" + phrase_regex(group_phrase) + ")"
    if b.strip():
        rx += (r"\s+" if b.startswith(" ") else "") + phrase_regex(b)
    hits = list(re.finditer(rx, text))
    if len(hits) != 1:
        return None, len(hits)
    return hits[0].span(1), 1


def fonts_of(text, fonts, span):
    """Font names of the non-space characters in SPAN."""
    return [(text[i], fonts[i]) for i in range(*span) if not text[i].isspace()]


def check(text, fonts, what, context, phrase, want_bold):
    span, n = find(text, context, phrase)
    if span is None:
        fail("%s: %r found %d times (want exactly 1)" % (what, context, n))
        return
    got = fonts_of(text, fonts, span)
    wrong = [(ch, f) for ch, f in got if is_bold(f) != want_bold]
    kind = "bold" if want_bold else "regular"
    if not got:
        fail("%s: no characters" % what)
    elif wrong:
        fail("%s: %r not all %s; e.g. %r in %s" % (what, phrase, kind,
                                                   wrong[0][0], wrong[0][1]))
    else:
        ok("%s: %r is %s (%d chars)" % (what, phrase, kind, len(got)))


def main():
    pages = pages_chars(sys.argv[1])
    if len(pages) != 1:
        fail("expected 1 page, got %d" % len(pages))
        return 1
    text, fonts = text_with_map(pages[0][1])
    names = {f for f in fonts if f}
    if not any(is_bold(f) for f in names) or all(is_bold(f) for f in names):
        fail("need both a bold and a regular font; fonts: %s" % sorted(names))

    # State figures: (context that occurs once, the figure) -> bold.
    state = [
        ("In 2023, 1,333 CyberTipline reports", "1,333"),
        ("NCMEC reviewed 28 submissions", "28"),
        ("including 8 survivors/families in North Dakota", "8"),
        ("NCMEC connected 7 survivors/families", "7"),
        ("including 30 new law enforcement", "30"),
        ("NCMEC handled 68 cases of missing children", "68"),
        ("Children Missing From Social Services Facility 61", "61"),
        ("Other Missing Children Cases 6", "6"),
        ("Resettlement (HHS-ORR) 1", "1"),
    ]
    for ctx, fig in state:
        check(text, fonts, "state figure", ctx, fig, True)

    national = [
        ("received 36.2 million reports", "36.2 million"),
        ("more than 105 million pieces", "105 million"),
        ("identification of 27,130 children", "27,130"),
        ("agencies on 28,886 missing child cases", "28,886"),
        ("22,442 of which involved", "22,442"),
        ("analysis, 19% of these children", "19%"),
        ("more than 18,400 reports relating", "18,400"),
        ("supported 5,759 survivors and families", "5,759"),
        ("activated on 57 incidents", "57"),
        ("assistance to 146 long-term", "146"),
        ("more than 18,000 registered users", "18,000"),
    ]
    for ctx, fig in national:
        check(text, fonts, "national figure", ctx, fig, False)

    # The reference's ** spans, bold whole.
    bold_spans = [
        "In 2023, 1,333 CyberTipline reports were made available to law "
        "enforcement in North Dakota.",
        "In 2023, NCMEC reviewed 28 submissions of child sexual exploitation "
        "material from North Dakota law enforcement.",
        "including 8 survivors/families in North Dakota",
        "In 2023, NCMEC connected 7 survivors/families to mental health "
        "services in North Dakota.",
        "30 new law enforcement and child-serving professionals",
    ]
    for s in bold_spans:
        check(text, fonts, "bold sentence", s, s, True)

    # The words right outside a bold span are regular: the bold does not
    # spill over (the whole sheet in bold would pass the checks above).
    regular = [
        ("pieces of reported content. In 2023, 1,333", "pieces of reported content."),
        ("identification of 27,130 children. In 2023,", "identification of 27,130 children."),
        ("with peer support, including 8", "with peer support,"),
        ("survivors/families in North Dakota. NCMEC also facilitates", ". NCMEC also facilitates"),
        ("registered users, including 30 new", "registered users, including"),
        ("child-serving professionals in North Dakota.", "in North Dakota."),
    ]
    for ctx, phrase in regular:
        check(text, fonts, "regular around bold", ctx, phrase, False)

    print("bold: %d check(s) failed" % fails if fails else "bold: all checks passed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
