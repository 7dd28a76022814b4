#!/usr/bin/python3
"""Write statesheet's output-intent colour profile: a compact ICC v2 sRGB.

    /usr/bin/python3 tools/make-icc.py [assets/icc/sRGB.icc]

PDF/A-1 needs an ICC *version 2* profile for its output intent.  The usual
v2 sRGB profiles are 3-7 KB (about 2.5 KB compressed in every sheet); this
one is 568 bytes (313 compressed): the sRGB primaries and white point
adapted to D50 (the values IEC 61966-2-1 profiles carry) and the sRGB tone
curve sampled at 32 points, which colour engines interpolate linearly (an
error under 0.04 % of full scale; 256 points gave 0.001 % for 470 more
bytes in every sheet, which the 20 KB sheet cannot spare since it is
tagged).
Deterministic: the same bytes every run.  Written from the published
standard's numbers, so it carries no third-party licence.
"""
import struct
import sys

CURVE_POINTS = 32


def s15f16(v):
    return struct.pack(">i", int(round(v * 65536)))


def xyz(x, y, z):
    return b"XYZ " + b"\0" * 4 + s15f16(x) + s15f16(y) + s15f16(z)


def desc(text):
    a = text.encode("ascii") + b"\0"
    body = b"desc" + b"\0" * 4 + struct.pack(">I", len(a)) + a
    body += struct.pack(">II", 0, 0)          # no Unicode description
    body += struct.pack(">HB", 0, 0) + b"\0" * 67  # no ScriptCode one
    return body


def text(t):
    return b"text" + b"\0" * 4 + t.encode("ascii") + b"\0"


def srgb_to_linear(v):
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def curve():
    pts = [int(round(srgb_to_linear(i / (CURVE_POINTS - 1)) * 65535))
           for i in range(CURVE_POINTS)]
    return b"curv" + b"\0" * 4 + struct.pack(">I", len(pts)) + struct.pack(
        ">%dH" % len(pts), *pts)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "assets/icc/sRGB.icc"
    trc = curve()
    tags = [
        (b"desc", desc("sRGB IEC61966-2.1 (compact v2, statesheet)")),
        (b"cprt", text("No copyright, use freely")),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4360747, 0.2225045, 0.0139322)),
        (b"gXYZ", xyz(0.3850649, 0.7168786, 0.0971045)),
        (b"bXYZ", xyz(0.1430804, 0.0606169, 0.7141733)),
        (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc),
    ]
    table_len = 4 + 12 * len(tags)
    offset = 128 + table_len
    entries, data, seen = [], b"", {}
    for sig, body in tags:
        if body in seen:  # the three curves share one copy
            entries.append((sig, seen[body], len(body)))
            continue
        while (offset + len(data)) % 4:
            data += b"\0"
        at = offset + len(data)
        seen[body] = at
        entries.append((sig, at, len(body)))
        data += body
    while (offset + len(data)) % 4:
        data += b"\0"
    size = offset + len(data)
    header = struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000)
    header += b"mntrRGB XYZ "
    header += struct.pack(">6H", 2024, 1, 1, 0, 0, 0)  # fixed date
    header += b"acsp" + b"\0" * 24 + struct.pack(">I", 0)  # intent: perceptual
    header += s15f16(0.9642) + s15f16(1.0) + s15f16(0.8249)  # D50
    header += b"\0" * (128 - len(header))
    table = struct.pack(">I", len(entries)) + b"".join(
        struct.pack(">4sII", s, o, n) for s, o, n in entries)
    blob = header + table + data
    assert len(blob) == size
    with open(out, "wb") as f:
        f.write(blob)
    import hashlib
    print(f"{out}: {size} bytes, sha256 {hashlib.sha256(blob).hexdigest()}")


if __name__ == "__main__":
    main()
