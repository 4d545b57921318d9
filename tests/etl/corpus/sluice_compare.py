"""Cell-by-cell comparison of a table loaded by sluice-etl (pass-through, into SQLite) with what pandas +
openpyxl read from the same file. Shared by corpus_test.py and roundtrip_test.py.

Every difference between the two that is deliberate is one normalisation rule below, named in RULES and
written up with its reason in README.md (same directory); each use of a rule is counted. Anything else is a
failure, and a failure is tagged with the class of issue 10 it looks like (CLASS_*), so that
known_failures.txt can name (file, class) pairs that an open reader bug explains.
"""
import datetime as dtm
import math
import os
import re
import sqlite3
import subprocess
from collections import Counter
from dataclasses import dataclass, field

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

# Normalisation rules (README.md explains each one).
RULES = {
    "null": "an empty cell is NaN/NaT/None in pandas and SQL NULL in sluice",
    "blank-row": "a row with no value is skipped by sluice; pandas keeps it when it lies between data rows",
    "boolean-0-1": "a boolean column is declared BOOLEAN and stores 0/1; pandas holds True/False",
    "boolean-as-text": "a boolean in a TEXT (mixed) column is the text 1/0 (or True/False)",
    "number-by-value": "int and float compare by value (pandas turns whole floats into ints; -0.0 == 0)",
    "number-as-text": "a number in a TEXT (mixed) column is text that parses back to the same number",
    "datetime-text": "a date or datetime is the text YYYY-MM-DD HH:MM:SS.ffffff; pandas holds a Timestamp",
    "datetime-as-text": "a date or datetime in a TEXT (mixed) column is that text, or YYYY-MM-DD HH:MM:SS as "
                        "Python prints it (fractional seconds only when not zero)",
    "time-text": "a time of day is the text HH:MM:SS[.ffffff] in a TIME or TEXT column; pandas holds a time",
    "duration-text": "a cell formatted as elapsed time ([h]:mm:ss) is the text H:MM:SS[.ffffff] with all its "
                     "hours; openpyxl reads it as a time or a 1900-01-xx datetime, compared by its serial",
    "csv-number": "a CSV column whose every value is a number is numeric, as pandas.read_csv infers it",
}

CLASS_1904 = "1"          # dates 4 years and 1 day early
CLASS_RIGHT_OF_HEADER = "2"
CLASS_TIME = "3"
CLASS_EMPTY_SST = "4"
CLASS_CSV_TEXT = "5"
CLASS_BATCH = "6"
CLASS_OTHER = "?"         # not a known class: never excused by known_failures.txt

PASS_THROUGH = "step = []\n"
ELAPSED_FORMAT = re.compile(r"\[(h+|m+|s+)\]", re.IGNORECASE)
TIME_TEXT = re.compile(r"^(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$")
DURATION_TEXT = re.compile(r"^(-?)(\d+):(\d{2}):(\d{2})(\.\d{1,9})?$")


@dataclass
class Failure:
    where: str
    what: str
    klass: str = CLASS_OTHER


@dataclass
class Result:
    cells: int = 0
    identical: int = 0
    rules: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)


@dataclass
class Loaded:
    rc: int
    stderr: str
    names: list
    types: list
    rows: list  # tuples of Python values as sqlite3 returns them


def run_sluice(etl, path, sheet, work, batch_rows=None, tag="a"):
    """Loads `path` (1-based `sheet` for xlsx, None for CSV) in pass-through mode into a fresh SQLite file."""
    pipeline = os.path.join(work, "pass_through.toml")
    if not os.path.exists(pipeline):
        with open(pipeline, "w") as fh:
            fh.write(PASS_THROUGH)
    db = os.path.join(work, f"{tag}.db")
    if os.path.exists(db):
        os.remove(db)
    cmd = [etl, path, "--pipeline", pipeline, "--target", "sqlite:///" + db, "--table", "t", "--progress", "never"]
    if sheet is not None:
        cmd += ["--sheet", str(sheet)]
    if batch_rows is not None:
        cmd += ["--batch-rows", str(batch_rows)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        return Loaded(p.returncode, p.stderr.strip(), [], [], [])
    con = sqlite3.connect(db)
    info = con.execute('PRAGMA table_info("t")').fetchall()
    rows = con.execute('SELECT * FROM "t" ORDER BY rowid').fetchall()
    con.close()
    return Loaded(0, p.stderr.strip(), [r[1] for r in info], [r[2].upper() for r in info], rows)


def is_null(v):
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        return v is pd.NA
    except AttributeError:
        return False


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def fmt_datetime(v):
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dtm.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    return dtm.datetime(v.year, v.month, v.day).strftime("%Y-%m-%d %H:%M:%S.%f")


def same_number(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return float(a) == float(b)


def parse_number_text(s):
    try:
        return int(s) if re.fullmatch(r"-?\d+", s) else float(s)
    except (TypeError, ValueError):
        return None


def duration_seconds_text(s):
    m = DURATION_TEXT.match(s) if isinstance(s, str) else None
    if not m:
        return None
    sign = -1 if m.group(1) else 1
    frac = float(m.group(5)) if m.group(5) else 0.0
    return sign * (int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4)) + frac)


class CellMeta:
    """What openpyxl says about the cells of one sheet: sheet row numbers and number formats, so that a
    failure names the cell (Sheet!C7) and a duration can be told from a time of day."""

    def __init__(self, ws, epoch):
        self.epoch = epoch
        self.rows = []  # (sheet row number, [number_format per column]) of the rows holding a value
        for row in ws.iter_rows(min_row=2):
            if any(c.value is not None and c.value != "" for c in row):
                self.rows.append((row[0].row, {c.column - 1: c.number_format for c in row}))

    def where(self, k, col):
        if k < len(self.rows):
            return f"{get_column_letter(col + 1)}{self.rows[k][0]}"
        return f"data row {k + 1}, column {col + 1}"

    def number_format(self, k, col):
        return self.rows[k][1].get(col, "General") if k < len(self.rows) else "General"


def compare_cell(ov, otype, tv, number_format, epoch, csv, res):
    """Returns None when equal (counting the rule used), else (message, class)."""
    res.cells += 1

    def ok(rule=None):
        if rule:
            res.rules[rule] += 1
        else:
            res.identical += 1
        return None

    def bad(klass=CLASS_OTHER):
        return (f"ours {ov!r} ({otype}), pandas {tv!r} ({type(tv).__name__})", klass)

    elapsed = bool(ELAPSED_FORMAT.search(number_format or ""))
    if is_null(tv):
        return ok("null") if ov is None else bad()
    if ov is None:
        return bad()
    if elapsed and isinstance(tv, (dtm.time, dtm.datetime, dtm.timedelta)) and not csv:
        if isinstance(tv, dtm.timedelta):
            want = tv.total_seconds()
        else:
            want = to_excel(tv, epoch) * 86400.0
        got = duration_seconds_text(ov)
        if got is not None and abs(got - want) < 5e-4 and otype not in ("DATETIME", "TIMESTAMP"):
            return ok("duration-text")
        return bad(CLASS_TIME)
    if isinstance(tv, bool):
        if otype == "BOOLEAN" and ov in (0, 1) and bool(ov) == tv:
            return ok("boolean-0-1")
        if isinstance(ov, str) and ov in (("1", "True", "TRUE") if tv else ("0", "False", "FALSE")):
            return ok("boolean-as-text")
        return bad(CLASS_BATCH if isinstance(ov, str) else CLASS_OTHER)
    if isinstance(tv, (pd.Timestamp, dtm.datetime, dtm.date)) and not isinstance(tv, dtm.time):
        want = fmt_datetime(tv)
        if ov == want:
            return ok("datetime-text" if otype != "TEXT" else "datetime-as-text")
        if otype == "TEXT" and ov == str(pd.Timestamp(tv)):
            return ok("datetime-as-text")
        if isinstance(ov, str):
            try:
                if (pd.Timestamp(want) - pd.Timestamp(ov)) == pd.Timedelta(days=1462):
                    return bad(CLASS_1904)
            except ValueError:
                pass
        return bad()
    if isinstance(tv, dtm.time):
        m = TIME_TEXT.match(ov) if isinstance(ov, str) else None
        if m and dtm.time.fromisoformat(ov[:15]) == tv:
            if otype in ("DATETIME", "TIMESTAMP"):
                return bad(CLASS_TIME)
            return ok("time-text")
        return bad(CLASS_TIME)
    if is_number(tv):
        if is_number(ov):
            if same_number(ov, tv):
                return ok() if type(ov) is type(tv) and not (tv == 0 and str(ov) != str(tv)) \
                    else ok("csv-number" if csv else "number-by-value")
            return bad()
        if isinstance(ov, str) and otype == "TEXT":
            n = parse_number_text(ov)
            if n is not None and same_number(n, tv):
                return ok("number-as-text")
        return bad()
    if isinstance(tv, str):
        if isinstance(ov, str) and ov == tv:
            return ok()
        if csv:
            return bad(CLASS_CSV_TEXT)
        return bad()
    return bad()


def pandas_rows(path, sheet_index):
    """(names, rows, CellMeta or None) as pandas + openpyxl read the file."""
    if path.endswith(".csv"):
        df = pd.read_csv(path)
        meta = None
    else:
        # dtype=object: the values openpyxl read, without pandas' column-level coercions (which turn the
        # text '007' into 7.0 in a mixed column and ints into floats beside a NaN): what the file holds.
        df = pd.read_excel(path, sheet_name=sheet_index, engine="openpyxl", dtype=object)
        wb = openpyxl.load_workbook(path, data_only=True)
        meta = CellMeta(wb.worksheets[sheet_index], wb.epoch)
    rows = [tuple(None if is_null(v) else v for v in r) for r in df.itertuples(index=False, name=None)]
    return [str(c) for c in df.columns], rows, meta


def compare_table(label, ours, names, rows, meta, res, csv=False):
    """Compares one loaded table with pandas' rows; appends failures to res.failures."""
    fail = lambda where, what, klass=CLASS_OTHER: res.failures.append(Failure(f"{label}!{where}", what, klass))
    common = names
    if ours.names != names:
        if len(ours.names) < len(names) and names[:len(ours.names)] == ours.names:
            missing = names[len(ours.names):]
            fail("header", f"columns {missing} missing (ours {len(ours.names)} columns, pandas {len(names)})",
                 CLASS_RIGHT_OF_HEADER)
            common = ours.names
        else:
            fail("header", f"columns: ours {ours.names}, pandas {names}")
            return
    width = len(common)
    kept = []  # (index among the rows holding a value, row) of the rows sluice should have written
    j = -1
    for k, r in enumerate(rows):
        if all(v is None for v in r):
            res.rules["blank-row"] += 1
            continue
        j += 1
        if all(v is None for v in r[:width]):
            fail(meta.where(j, width) if meta else f"record {k + 2}",
                 f"row with values only right of the header dropped: {r[width:]!r}", CLASS_RIGHT_OF_HEADER)
            continue
        kept.append((j, r))
    if len(ours.rows) != len(kept):
        fail("rows", f"ours {len(ours.rows)} rows, pandas {len(kept)}",
             CLASS_RIGHT_OF_HEADER if width < len(names) else CLASS_OTHER)
    for orow, (k, trow) in zip(ours.rows, kept):
        for c in range(width):
            nf = meta.number_format(k, c) if meta else "General"
            d = compare_cell(orow[c], ours.types[c], trow[c], nf, meta.epoch if meta else None, csv, res)
            if d:
                where = meta.where(k, c) if meta else f"record {k + 2}, column {common[c]}"
                fail(f"{where} ({common[c]})", d[0], d[1])


def compare_batches(label, a, b, res):
    """The same file loaded with two batch sizes must give identical tables (types and values)."""
    if (a.rc, a.names, a.types) != (b.rc, b.names, b.types):
        res.failures.append(Failure(label, f"--batch-rows 1 gives columns {b.names} {b.types} (rc {b.rc}), "
                                    f"default gives {a.names} {a.types} (rc {a.rc})", CLASS_BATCH))
        return
    for k, (ra, rb) in enumerate(zip(a.rows, b.rows)):
        for c, (va, vb) in enumerate(zip(ra, rb)):
            if va != vb or type(va) is not type(vb):
                res.failures.append(Failure(f"{label}!data row {k + 1} ({a.names[c]})",
                                            f"--batch-rows 1 gives {vb!r}, default gives {va!r}", CLASS_BATCH))


def classify_refusal(message):
    if "shared string" in message:
        return CLASS_EMPTY_SST
    return CLASS_OTHER


def compare_file(etl, path, work, res, label=None, batch_check=True):
    """Loads every sheet of `path` and compares it; returns the number of sheets."""
    label = label or os.path.basename(path)
    csv = path.endswith(".csv")
    if csv:
        sheets = [None]
        titles = [""]
    else:
        wb = openpyxl.load_workbook(path, read_only=True)
        titles = wb.sheetnames
        wb.close()
        sheets = list(range(1, len(titles) + 1))
    for sheet, title in zip(sheets, titles):
        where = f"{label}:{title}" if title else label
        ours = run_sluice(etl, path, sheet, work)
        if ours.rc != 0:
            res.failures.append(Failure(where, f"refused (exit {ours.rc}): {ours.stderr[-300:]}",
                                        classify_refusal(ours.stderr)))
            continue
        names, rows, meta = pandas_rows(path, 0 if sheet is None else sheet - 1)
        compare_table(where, ours, names, rows, meta, res, csv=csv)
        if batch_check:
            compare_batches(where, ours, run_sluice(etl, path, sheet, work, batch_rows=1, tag="b"), res)
    return len(sheets)
