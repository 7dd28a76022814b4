#!/usr/bin/python3
"""Make FICTIONAL sample data for statesheet.

    /usr/bin/python3 tools/make-sample.py --count N [--seed S] [--hard] > FILE.xml

Prints a <statedata year="2023" sample="true"> file (format: version 1, see
doc/data-format.md) with N invented jurisdictions, coded S001,
S002, ... (wider codes once N needs them).  Every figure, and every name, is
made up: the project never invents figures for a real state or territory, so
a generated name that matches a real one is drawn again.  The file says
sample="true", so every sheet made from it carries the "SAMPLE DATA" mark.

The output depends only on --count, --seed and --hard (same arguments, same
bytes).  --hard puts the cases that stress layout and text handling into
the first states (see HARD_CASES below); the rest are ordinary records.

Needs only the Python standard library.
"""
import argparse
import random
import sys
from xml.sax.saxutils import escape, quoteattr

YEAR = 2023
MAX_FIGURE = 999999999999  # largest value the data format allows

# Real US states, districts and territories: never produced as a name.
REAL_NAMES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado",
    "connecticut", "delaware", "florida", "georgia", "hawaii", "hawaiʻi",
    "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky",
    "louisiana", "maine", "maryland", "massachusetts", "michigan",
    "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
    "new hampshire", "new jersey", "new mexico", "new york",
    "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
    "pennsylvania", "rhode island", "south carolina", "south dakota",
    "tennessee", "texas", "utah", "vermont", "virginia", "washington",
    "west virginia", "wisconsin", "wyoming", "district of columbia",
    "puerto rico", "guam", "american samoa", "u.s. virgin islands",
    "virgin islands", "united states virgin islands", "northern mariana islands",
    "commonwealth of the northern mariana islands",
}

NATIONAL_KEYS = [
    # key, low, high, rounding (values are drawn in [low, high] and rounded)
    ("cybertipline.reports", 20000000, 45000000, 100000),
    ("cybertipline.content", 60000000, 140000000, 1000000),
    ("cvip.children_identified", 15000, 35000, 1),
    ("missing.cases", 20000, 35000, 1),
    ("missing.runaways_from_care", 10000, 19000, 1),
    ("missing.trafficking_percent", 5, 40, 1),
    ("trafficking.reports", 9000, 25000, 100),
    ("teamhope.supported", 3000, 8000, 1),
    ("teamadam.incidents", 20, 90, 1),
    ("teamadam.long_term_cases", 80, 220, 1),
    ("connect.users", 9000, 30000, 1000),
]

STATE_FIGURES = [
    "cybertipline.reports",
    "cvip.submissions",
    "teamhope.supported",
    "mentalhealth.connected",
    "connect.new_users",
]
TABLE_KEY = "missing.cases"

ROW_LABELS = [
    "Children Missing From Social Services Facility",
    "Other Missing Children Cases",
    "Children Reported Missing by Office of Refugee Resettlement (HHS-ORR)",
    "Endangered Runaways",
    "Family Abductions",
    "Nonfamily Abductions",
    "Lost, Injured or Otherwise Missing Children",
]

SYLLABLES = [
    "bar", "cor", "dal", "ven", "mir", "tal", "os", "quen", "rav", "sel",
    "thal", "ur", "vor", "wen", "yar", "zel", "an", "bri", "esk", "fen",
    "gar", "hol", "ith", "kel", "lun", "mor", "nev", "orl", "pel", "ros",
]
PREFIXES = ["", "", "", "North ", "South ", "East ", "West ", "New ", "Upper ",
            "Lower ", "Port "]
SUFFIXES = ["", "", "", " Islands", " Valley", " Coast", " Territory",
            " Highlands", " Plains", " Reach", " Marches"]

LONG_LABEL_WORDS = (
    "Children Reported Missing After Leaving Court-Ordered Placement With "
    "Relatives Or Foster Families Across County And Tribal Jurisdiction "
    "Boundaries During Transfers Between Agencies And Programs Including "
    "Cases Referred By Schools Hospitals Shelters And Local Law Enforcement "
    "Partners Under Interstate Agreements").split()


def make_root(rng):
    n = rng.choice((2, 2, 3))
    word = "".join(rng.choice(SYLLABLES) for _ in range(n))
    return word.capitalize()


def is_real(name):
    return name.strip().lower() in REAL_NAMES


def ordinary_name(rng, used):
    for _ in range(1000):
        name = rng.choice(PREFIXES) + make_root(rng) + rng.choice(SUFFIXES)
        if name not in used and not is_real(name):
            return name
    # The space is large; only a huge --count gets here.
    n = 2
    base = rng.choice(PREFIXES) + make_root(rng)
    while "%s %d" % (base, n) in used:
        n += 1
    return "%s %d" % (base, n)


def long_label(rng, length):
    """A label of roughly LENGTH characters made of title-case words."""
    words = []
    start = rng.randrange(len(LONG_LABEL_WORDS))
    i = start
    while len(" ".join(words)) < length:
        words.append(LONG_LABEL_WORDS[i % len(LONG_LABEL_WORDS)])
        i += 1
    label = " ".join(words)
    return label[:length].rstrip()


def exact_name_with_spaces(rng, length=100):
    """A fictional name of exactly LENGTH code points, words and spaces."""
    words = []
    while True:
        w = make_root(rng)
        cand = " ".join(words + [w])
        if len(cand) > length:
            break
        words.append(w)
    name = " ".join(words)
    # Pad the last word with letters to hit the exact length.
    pad = length - len(name)
    name += "ae" * (pad // 2) + "a" * (pad % 2)
    assert len(name) == length and " " in name and name == name.strip()
    return name


def exact_name_no_space(length=100):
    base = "Tallowmereninghavenshireborough"
    name = (base * (length // len(base) + 1))[:length]
    assert len(name) == length and " " not in name
    return name


def ordinary_state(rng):
    figs = {}
    scale = rng.choice((1, 10, 100, 1000, 10000))
    figs["cybertipline.reports"] = rng.randint(0, 20 * scale)
    figs["cvip.submissions"] = rng.randint(0, 3 * scale // 10 + 5)
    figs["teamhope.supported"] = rng.randint(0, 40)
    figs["mentalhealth.connected"] = rng.randint(0, 30)
    figs["connect.new_users"] = rng.randint(0, 5 * scale // 10 + 20)
    nrows = rng.randint(0, 4)
    labels = rng.sample(ROW_LABELS, nrows)
    rows = [(lab, rng.randint(0, 12 * scale // 10 + 3)) for lab in labels]
    return figs, rows


def hard_cases(rng):
    """(name, figures, rows) for the hard cases, in the order they appear."""
    def figs(v):
        return {k: v for k in STATE_FIGURES}

    cases = []
    # The longest real-world jurisdiction name shape (44 characters), but
    # fictional: the real Commonwealth's name is never used with made-up
    # figures.
    f, r = ordinary_state(rng)
    cases.append(("Commonwealth of the Northern Corvane Islands", f, r))
    # The okina (U+02BB), which is outside CP1252.
    f, r = ordinary_state(rng)
    cases.append(("Ka\u02BBula\u02BBi Islands", f, r))
    # Polish letters outside CP1252: Ł, ó, ź.
    f, r = ordinary_state(rng)
    cases.append(("\u0141\u00F3d\u017A Lowlands", f, r))
    # Longest names the format allows: 100 code points, with and without
    # spaces (the second cannot be broken at a space).
    f, r = ordinary_state(rng)
    cases.append((exact_name_with_spaces(rng), f, r))
    f, r = ordinary_state(rng)
    cases.append((exact_name_no_space(), f, r))
    # A table of 8 rows with long labels: every other label 150-200
    # characters (two lines at any type size), the others 60-100.  Eight
    # labels of 150-200 characters do not fit one page even at the
    # smallest body size, and statesheet refuses such a state (exit 65).
    f, _ = ordinary_state(rng)
    rows = [(long_label(rng, rng.randint(150, 200) if i % 2 == 0
                        else rng.randint(60, 100)), rng.randint(0, 500))
            for i in range(8)]
    cases.append(("Greater " + make_root(rng) + " Archipelago", f, rows))
    # The largest figures allowed, everywhere.  The table total has the
    # same limit as a figure, so the table holds one row.
    cases.append(("Upper " + make_root(rng) + " Reach", figs(MAX_FIGURE),
                  [("Other Missing Children Cases", MAX_FIGURE)]))
    # All zero, empty table: every zero form.
    cases.append(("Lower " + make_root(rng) + " Plains", figs(0), []))
    # All one, one row of one: every singular form.
    cases.append(("East " + make_root(rng) + " Coast", figs(1),
                  [("Children Missing From Social Services Facility", 1)]))
    # Singular forms again, with a table of several rows adding up to one.
    cases.append(("West " + make_root(rng) + " Territory", figs(1),
                  [("Children Missing From Social Services Facility", 0),
                   ("Other Missing Children Cases", 1),
                   ("Endangered Runaways", 0)]))
    # Several at once: the longest spaced name, 12-digit figures and two
    # rows of 12-digit values adding up to the largest total at most.
    rows = [(lab, MAX_FIGURE // 2) for lab in ROW_LABELS[:2]]
    cases.append((exact_name_with_spaces(rng), figs(MAX_FIGURE), rows))
    return cases


def national_block(rng):
    out = ["  <national>"]
    for key, lo, hi, rnd in NATIONAL_KEYS:
        v = rng.randint(lo, hi)
        v = max(rnd, (v // rnd) * rnd)
        out.append('    <figure key="%s">%d</figure>' % (key, v))
    out.append("  </national>")
    return out


def state_block(code, name, figs, rows):
    assert not is_real(name), name
    total = sum(v for _, v in rows)
    assert total <= MAX_FIGURE
    out = ['  <state code="%s" name=%s>' % (code, quoteattr(name))]
    for key in STATE_FIGURES:
        out.append('    <figure key="%s">%d</figure>' % (key, figs[key]))
    if rows:
        out.append('    <table key="%s" total="%d">' % (TABLE_KEY, total))
        for label, v in rows:
            out.append("      <row label=%s>%d</row>" % (quoteattr(label), v))
        out.append("    </table>")
    else:
        out.append('    <table key="%s" total="0"/>' % TABLE_KEY)
    out.append("  </state>")
    return out


def main(argv):
    ap = argparse.ArgumentParser(
        description="Print fictional statesheet sample data (XML) to stdout.")
    ap.add_argument("--count", type=int, required=True,
                    help="number of jurisdictions (at least 1)")
    ap.add_argument("--seed", type=int, default=0,
                    help="random seed (default 0); same seed, same output")
    ap.add_argument("--hard", action="store_true",
                    help="make the first states the hard cases")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    width = max(3, len(str(args.count)))
    if width + 1 > 10:
        ap.error("--count too large for 10-character state codes")

    rng = random.Random(args.seed)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        # No "--" inside an XML comment: spell the options out.
        "<!-- FICTIONAL sample data made by tools/make-sample.py (count %d,"
        " seed %d%s).\n     Every name and figure is invented; do not"
        " publish sheets made from it. -->"
        % (args.count, args.seed, ", hard cases" if args.hard else ""),
        '<statedata year="%d" sample="true">' % YEAR,
    ]
    lines += national_block(rng)

    specs = hard_cases(rng) if args.hard else []
    specs = specs[:args.count]
    used = {name for name, _, _ in specs}
    for _ in range(args.count - len(specs)):
        name = ordinary_name(rng, used)
        used.add(name)
        figs, rows = ordinary_state(rng)
        specs.append((name, figs, rows))

    for i, (name, figs, rows) in enumerate(specs, 1):
        code = "S%0*d" % (width, i)
        lines += state_block(code, name, figs, rows)
    lines.append("</statedata>")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
