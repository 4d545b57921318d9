#!/usr/bin/python3
"""Round-trip property test: random tables (every cell kind, empty cells, extremes, unicode, strings up to
32,767 characters, dates in both date systems, times, durations) are written by several producers, loaded by
the real sluice-etl in pass-through mode into SQLite (default batch size and --batch-rows 7), and every value
must come back as generated, under the normalisation rules of README.md (sluice_compare.RULES).

Producers: openpyxl, a minimal OOXML writer here (17-digit floats, inline strings), XlsxWriter (python3-xlsxwriter), libxlsxwriter (built here with cc when libxlsxwriter-dev
is installed; it has no 1904 date system, so its tables use 1900). A producer that is missing is reported and
skipped, openpyxl is required.

Environment: SLUICE_ETL (the binary), SLUICE_ROUNDTRIP_SEED (default: random; printed, and a failure prints
the command that reproduces it), SLUICE_ROUNDTRIP_TABLES (tables per producer, default 20).
"""
import datetime as dtm
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
from collections import defaultdict

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import sluice_compare as sc  # noqa: E402

import openpyxl  # noqa: E402
from openpyxl.utils.datetime import CALENDAR_MAC_1904  # noqa: E402

KINDS = ["int", "float", "bool", "text", "date", "datetime", "time", "duration"]
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss.000", "time": "hh:mm:ss",
           "duration": "[h]:mm:ss"}
# Text pools: ASCII, Latin-1, CJK, right-to-left, emoji (astral plane, ZWJ sequences), combining marks.
ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-_/'\"<>&",
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßÀÉÎÕÜ",
    "東京大阪日本語漢字中文한국어カタカナひらがな",
    "שלוםעולםمرحبابالعالم",
    "😀🎉🚀👨‍👩‍👧🇫🇷💡🧪",
    "e\u0301a\u0308n\u0303o\u0302",
]
INT_EXTREMES = [0, 1, -1, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 2 ** 31, -(2 ** 31) - 1, 10 ** 15]
# Not DBL_MAX itself: every producer here writes 16 significant digits, and DBL_MAX so rounded (1.797693134862316e+308)
# overflows to infinity, which a reader rightly refuses.
FLOAT_EXTREMES = [-0.0, 0.1, 1 / 3, 2.0 ** -1074, 1.7976931348623e308, -2.2250738585072014e-308,
                  9007199254740993.0, 0.30000000000000004, 123456789.12345678]


# The declared type each kind must get (docs/etl-cli.md, "Column types"); times and durations are checked
# cell by cell (rules time-text, duration-text).
DECLARED = {"int": ("BIGINT",), "float": ("FLOAT", "BIGINT"), "bool": ("BOOLEAN",), "text": ("TEXT",),
            "date": ("DATETIME",), "datetime": ("DATETIME",)}


def rand_float(rng):
    if rng.random() < 0.25:
        return rng.choice(FLOAT_EXTREMES)
    while True:  # any finite double: 17 significant digits, every exponent
        v = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if math.isfinite(v):
            return v


def rand_text(rng):
    roll = rng.random()
    n = 32767 if roll < 0.02 else rng.randint(1000, 5000) if roll < 0.08 else rng.randint(1, 24)
    alphabet = rng.choice(ALPHABETS)
    s = "".join(rng.choice(alphabet) for _ in range(n))
    if rng.random() < 0.1:
        s = rng.choice(["007", "0044", "1e5", "TRUE", "-0", "2024-01-02"])  # text that looks like a value
    s = s.strip()
    return s or "x"


def rand_value(rng, kind, date1904):
    first = dtm.date(1904, 1, 2) if date1904 else dtm.date(1900, 3, 1)  # 1900: after the leap-year bug
    span = (dtm.date(2099, 12, 31) - first).days
    if kind == "int":
        return rng.choice(INT_EXTREMES) if rng.random() < 0.3 else rng.randint(-(2 ** 53), 2 ** 53)
    if kind == "float":
        return rand_float(rng)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "text":
        return rand_text(rng)
    if kind == "date":
        return first + dtm.timedelta(days=rng.randint(0, span))
    if kind == "datetime":
        return dtm.datetime.combine(first, dtm.time()) + dtm.timedelta(
            days=rng.randint(0, span), seconds=rng.randint(0, 86399), milliseconds=rng.randint(0, 999))
    if kind == "time":
        return dtm.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    if kind == "duration":
        return dtm.timedelta(seconds=rng.randint(0, 5 * 86400))
    raise ValueError(kind)


def gen_table(rng, allow_1904):
    ncols = rng.randint(1, 8)
    kinds = [rng.choice(KINDS) for _ in range(ncols)]
    date1904 = allow_1904 and rng.random() < 0.5
    empty = rng.choice([0.0, 0.1, 0.4])
    rows = []
    for _ in range(rng.randint(1, 30)):
        rows.append([None if rng.random() < empty else rand_value(rng, k, date1904) for k in kinds])
    if all(v is None for r in rows for v in r):
        rows[0][0] = rand_value(rng, kinds[0], date1904)
    return {"names": [f"c{i}_{k}" for i, k in enumerate(kinds)], "kinds": kinds, "date1904": date1904,
            "rows": rows}


def serial(v, date1904):
    """Excel serial day number of a date/datetime/time/timedelta."""
    if isinstance(v, dtm.timedelta):
        return v.total_seconds() / 86400
    if isinstance(v, dtm.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    base = dtm.datetime(1904, 1, 1) if date1904 else dtm.datetime(1899, 12, 30)
    if not isinstance(v, dtm.datetime):
        v = dtm.datetime(v.year, v.month, v.day)
    return (v - base).total_seconds() / 86400


def write_openpyxl(t, path):
    wb = openpyxl.Workbook()
    if t["date1904"]:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(t["names"])
    for r, row in enumerate(t["rows"], start=2):
        for c, v in enumerate(row, start=1):
            if v is None:
                continue
            cell = ws.cell(row=r, column=c, value=v)
            fmt = FORMATS.get(t["kinds"][c - 1])
            if fmt:
                cell.number_format = fmt
    wb.save(path)


def write_xlsxwriter(t, path):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path, {"date_1904": t["date1904"], "strings_to_numbers": False,
                                    "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet()
    fmts = {k: wb.add_format({"num_format": f}) for k, f in FORMATS.items()}
    for c, name in enumerate(t["names"]):
        ws.write_string(0, c, name)
    for r, row in enumerate(t["rows"], start=1):
        for c, v in enumerate(row):
            kind = t["kinds"][c]
            if v is None:
                continue
            if kind in ("int", "float"):
                ws.write_number(r, c, v)
            elif kind == "bool":
                ws.write_boolean(r, c, v)
            elif kind == "text":
                ws.write_string(r, c, v)
            else:
                ws.write_number(r, c, serial(v, t["date1904"]), fmts[kind])
    wb.close()


def write_libxlsxwriter(t, path, exe):
    lines = [f"W {path}", "S Sheet1"]
    for c, name in enumerate(t["names"]):
        lines.append(f"C\t0\t{c}\ts\t-\t{name}")
    for r, row in enumerate(t["rows"], start=1):
        for c, v in enumerate(row):
            kind = t["kinds"][c]
            if v is None:
                continue
            if kind in ("int", "float"):
                lines.append(f"C\t{r}\t{c}\tn\t-\t{float(v)!r}")
            elif kind == "bool":
                lines.append(f"C\t{r}\t{c}\tb\t-\t{int(v)}")
            elif kind == "text":
                lines.append(f"C\t{r}\t{c}\ts\t-\t{v}")
            else:
                lines.append(f"C\t{r}\t{c}\tn\t{FORMATS[kind]}\t{serial(v, False)!r}")
    lines.append("E")
    subprocess.run([exe], input="\n".join(lines) + "\n", text=True, check=True)


def write_ooxml(t, path):
    """A minimal workbook written part by part, numbers as Python's shortest round-trip repr (up to 17
    significant digits, which no library producer here writes) and text as inline strings (as SheetJS and
    Excel's streaming writers do)."""
    import zipfile
    from xml.sax.saxutils import escape
    kinds = [k for k in FORMATS]
    style = {k: i + 1 for i, k in enumerate(kinds)}
    cols = "ABCDEFGHIJ"

    def cell(r, c, v, kind):
        ref = f"{cols[c]}{r}"
        if kind == "text" or isinstance(v, str):
            return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>'
        if kind == "bool":
            return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
        if kind in style:
            return f'<c r="{ref}" s="{style[kind]}"><v>{serial(v, t["date1904"])!r}</v></c>'
        return f'<c r="{ref}"><v>{v!r}</v></c>'

    rows = ['<row r="1">' + "".join(cell(1, c, n, "text") for c, n in enumerate(t["names"])) + "</row>"]
    for r, row in enumerate(t["rows"], start=2):
        rows.append(f'<row r="{r}">' + "".join(cell(r, c, v, t["kinds"][c]) for c, v in enumerate(row)
                                                if v is not None) + "</row>")
    date1904 = ' date1904="1"' if t["date1904"] else ""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
        'org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
        'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="applicati'
        'on/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
        f'org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.'
        'xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><workbookPr'
        f"{date1904}/><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/>"
        '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target='
        f'"worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
        '</Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}><numFmts count="{len(kinds)}">' +
        "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{escape(FORMATS[k])}"/>' for i, k in enumerate(kinds)) +
        '</numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/>'
        f'</borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="{len(kinds) + 1}"><xf/>' +
        "".join(f'<xf numFmtId="{164 + i}" applyNumberFormat="1"/>' for i in range(len(kinds))) +
        "</cellXfs></styleSheet>",
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>' +
        "".join(rows) + "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)


def expected(v, kind, producer):
    """The value the file holds. openpyxl, XlsxWriter and libxlsxwriter write numbers with 16 significant
    digits (%.16g), so a 17-digit float is stored rounded: that is the producer, not the reader."""
    if kind == "float" and producer in ("openpyxl", "xlsxwriter", "libxlsxwriter"):
        return float(f"{v:.16g}")
    if kind == "int" and producer in ("xlsxwriter", "libxlsxwriter"):
        return int(float(f"{float(v):.16g}"))
    return v


def build_libxlsxwriter(work):
    src = os.path.join(here, "../../../tools/xlsx_corpus/gen_libxlsxwriter.c")
    exe = os.path.join(work, "gen_libxlsxwriter")
    cc = shutil.which("cc")
    if not cc or not os.path.exists("/usr/include/xlsxwriter.h"):
        return None
    p = subprocess.run([cc, "-O", "-o", exe, src, "-lxlsxwriter"], capture_output=True, text=True)
    return exe if p.returncode == 0 else None


def load_known():
    known = set()
    for line in open(os.path.join(here, "known_failures.txt"), encoding="utf-8"):
        parts = line.split("#", 1)[0].split()
        if len(parts) == 2 and parts[0] == "roundtrip":
            known.add(parts[1])
    return known


def main():
    warnings.filterwarnings("ignore", module="openpyxl")
    source = os.environ.get("SLUICE_SOURCE_DIR", os.path.abspath(os.path.join(here, "../../..")))
    etl = os.environ.get("SLUICE_ETL", os.path.join(source, "build", "sluice-etl"))
    if not os.access(etl, os.X_OK):
        sys.exit(f"roundtrip_test: FAIL: no sluice-etl at '{etl}' (set SLUICE_ETL)")
    seed = int(os.environ.get("SLUICE_ROUNDTRIP_SEED") or random.SystemRandom().randrange(2 ** 32))
    ntables = int(os.environ.get("SLUICE_ROUNDTRIP_TABLES", "20"))
    print(f"roundtrip_test: seed {seed} (rerun with SLUICE_ROUNDTRIP_SEED={seed}), {ntables} tables per producer")
    known = load_known()
    res = sc.Result()
    known_hits, failures = [], []
    per_kind = defaultdict(int)
    with tempfile.TemporaryDirectory(prefix="sluice-roundtrip-") as work:
        producers = {"openpyxl": write_openpyxl, "ooxml": write_ooxml}
        try:
            import xlsxwriter  # noqa: F401
            producers["xlsxwriter"] = write_xlsxwriter
        except ImportError:
            print("roundtrip_test: note: python3-xlsxwriter missing (scripts/setup): XlsxWriter skipped")
        exe = build_libxlsxwriter(work)
        if exe:
            producers["libxlsxwriter"] = lambda t, p: write_libxlsxwriter(t, p, exe)
        else:
            print("roundtrip_test: note: cannot build with libxlsxwriter (cc, libxlsxwriter-dev): skipped")
        for producer, write in producers.items():
            # one generator per producer, so that adding a producer does not change the others' tables
            rng = random.Random(f"{seed}:{producer}")
            for i in range(ntables):
                t = gen_table(rng, allow_1904=producer != "libxlsxwriter")
                label = f"{producer}#{i}"
                path = os.path.join(work, f"{producer}_{i}.xlsx")
                write(t, path)
                start = len(res.failures)
                default_types = None
                for batch_rows in (None, 7):
                    ours = sc.run_sluice(etl, path, 1, work, batch_rows=batch_rows)
                    where = f"{label} (--batch-rows {batch_rows or 'default'}, 1904: {t['date1904']})"
                    if ours.rc != 0:
                        res.failures.append(sc.Failure(where, f"refused (exit {ours.rc}): {ours.stderr[-300:]}"))
                        continue
                    rows = [[expected(v, k, producer) if v is not None else None for v, k in zip(r, t["kinds"])]
                            for r in t["rows"]]
                    if ours.names != t["names"]:
                        res.failures.append(sc.Failure(where, f"columns: ours {ours.names}, written {t['names']}"))
                        continue
                    if batch_rows is None:
                        default_types = ours.types
                        for c, (kind, typ) in enumerate(zip(t["kinds"], ours.types)):
                            if any(r[c] is not None for r in rows) and typ not in DECLARED.get(kind, (typ,)):
                                res.failures.append(sc.Failure(where, f"column {t['names'][c]} declared {typ}, "
                                                               f"expected {' or '.join(DECLARED[kind])}"))
                    elif ours.types != default_types:
                        res.failures.append(sc.Failure(where, f"declared types {ours.types}, with the default "
                                                       f"batch size {default_types}", sc.CLASS_BATCH))
                    kept = [r for r in rows if any(v is not None for v in r)]
                    res.rules["blank-row"] += len(rows) - len(kept)
                    if len(ours.rows) != len(kept):
                        res.failures.append(sc.Failure(where, f"ours {len(ours.rows)} rows, written {len(kept)}"))
                    for k, (orow, trow) in enumerate(zip(ours.rows, kept)):
                        for c, (ov, tv) in enumerate(zip(orow, trow)):
                            per_kind[t["kinds"][c]] += 1
                            d = sc.compare_cell(ov, ours.types[c], tv, FORMATS.get(t["kinds"][c], "General"),
                                                None, False, res)
                            if d:
                                # a column typed differently than with the default batch size: class 6
                                klass = sc.CLASS_BATCH if batch_rows and ours.types[c] != default_types[c] \
                                    else d[1]
                                res.failures.append(sc.Failure(f"{where} data row {k + 1}, {t['names'][c]}",
                                                               d[0], klass))
                for f in res.failures[start:]:
                    f.what = f.what.replace(", pandas ", ", written ")
                    (known_hits if f.klass in known else failures).append(f)
    for f in known_hits[:20]:
        print(f"known (class {f.klass}): {f.where}: {f.what[:300]}")
    if len(known_hits) > 20:
        print(f"... {len(known_hits)} known in all")
    for f in failures[:50]:
        print(f"FAIL (class {f.klass}): {f.where}: {f.what[:300]}", file=sys.stderr)
    # A note, not a failure: whether a random seed hits a class is chance.
    for k in sorted(k for k in known if not any(f.klass == k for f in known_hits)):
        print(f"roundtrip_test: note: known_failures.txt lists roundtrip class {k}, not seen with this seed")
    print(f"roundtrip_test: producers {list(producers)}, {len(producers) * ntables} tables, {res.cells} cells "
          f"compared ({dict(sorted(per_kind.items()))}), {res.identical} identical, "
          f"{sum(res.rules.values())} deliberate differences, {len(known_hits)} known failures, "
          f"{len(failures)} failures")
    print("roundtrip_test: deliberate differences by rule: " +
          ", ".join(f"{r} {res.rules[r]}" for r in sc.RULES if res.rules[r]))
    if failures:
        print(f"roundtrip_test: FAIL (reproduce: SLUICE_ROUNDTRIP_SEED={seed} {sys.argv[0]})", file=sys.stderr)
        return 1
    print("roundtrip_test: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
