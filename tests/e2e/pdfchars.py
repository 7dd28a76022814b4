"""Shared helpers for the end-to-end checks: read a PDF's characters back
with pdfminer (python3-pdfminer, as installed: nothing patched), group them
into lines and into one text string whose every character maps to the LTChar
it came from.

Imported by bold.py and samples.py; run them with /usr/bin/python3.
"""
import re

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar

# Unpatched: statesheet's fonts use the predefined /Identity-H encoding,
# which every reader knows (an embedded CMap stream, which statesheet once
# used, makes Debian's pdfminer.six 20221105 extract nothing).


def _walk(obj):
    if isinstance(obj, LTChar):
        yield obj
    elif hasattr(obj, "__iter__"):
        for child in obj:
            yield from _walk(child)


def pages_chars(path):
    """[(page_bbox, [LTChar, ...]), ...] for every page of PATH."""
    out = []
    for page in extract_pages(path, laparams=LAParams()):
        out.append((page.bbox, [c for c in _walk(page) if c.get_text() != ""]))
    return out


def group_lines(chars):
    """Group characters into text lines: same baseline (within a fraction of
    the type size), sorted left to right.  Returns a list of lists, top of
    the page first.  A baseline is estimated as y0 (pdfminer's y0 is the
    descent line, the same offset for every char of a font size)."""
    lines = []
    for c in sorted(chars, key=lambda c: (-round(c.y0, 1), c.x0)):
        for line in lines:
            ref = line[0]
            if abs(ref.y0 - c.y0) <= 0.2 * min(ref.size, c.size) and \
                    abs(ref.size - c.size) < 0.01:
                line.append(c)
                break
        else:
            lines.append([c])
    for line in lines:
        line.sort(key=lambda c: c.x0)
    lines.sort(key=lambda ln: (-ln[0].y0, ln[0].x0))
    return lines


def split_runs(line):
    """Split a line where a horizontal gap is wider than 2 em: a table's
    label and value on one baseline are two runs, not one."""
    runs, cur = [], [line[0]]
    for prev, c in zip(line, line[1:]):
        if c.x0 - prev.x1 > 2.0 * c.size:
            runs.append(cur)
            cur = []
        cur.append(c)
    runs.append(cur)
    return runs


def text_with_map(chars):
    """(text, fonts): the page's text in reading order, lines joined with a
    single space, a space inserted at every word gap (no space glyphs are
    drawn); fonts[i] is the font name of text[i] (None for inserted
    spaces)."""
    text, fonts = [], []
    for line in group_lines(chars):
        for run in split_runs(line):
            if text and text[-1] != " ":
                text.append(" ")
                fonts.append(None)
            prev = None
            for c in run:
                if prev is not None and c.x0 - prev.x1 > 0.12 * c.size and \
                        text[-1] != " ":
                    text.append(" ")
                    fonts.append(None)
                t = c.get_text()
                if t.isspace():
                    if text and text[-1] != " ":
                        text.append(" ")
                        fonts.append(None)
                else:
                    for ch in t:
                        text.append(ch)
                        fonts.append(c.fontname)
                prev = c
    return "".join(text), fonts


def phrase_regex(phrase):
    """A regex for PHRASE that allows any white space between words, after
    a hyphen (a word broken at a hyphen at the end of a line), and a soft
    hyphen (U+00AD) with a line break between any two letters (a word
    broken at a hyphenation point)."""
    parts = []
    for word in phrase.split():
        chars = [re.escape(c).replace(r"\-", r"-\s?") for c in word]
        parts.append("(?:\u00ad\\s?)?".join(chars))
    return r"\s+".join(parts)
