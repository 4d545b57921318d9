"""The content of the xlsx corpus (tests/etl/corpus/): one list of workbooks that every producer writes.

A cell is None (no cell at all) or a dict with a kind `t`:
  n     number `v` (int or float), optional number format `fmt`
  s     text `v`
  b     boolean `v`
  d     date or datetime `v` (ISO text, naive), format `fmt`
  tm    time of day `v` ("HH:MM:SS"), format `fmt`
  dur   duration `v` in days (float, may exceed 1), format `fmt` ("[h]:mm:ss")
  f     formula `f` (no leading '=') with its cached value `v` (number, text or bool) of kind `vt`
The scenarios cover what issue 10 found on real files: mixed types, both date systems, times and durations,
sparse rows, columns right of the header, unicode and long strings, formulas, number formats, several sheets.
"""
import json
import sys


def n(v, fmt=None):
    return {"t": "n", "v": v, "fmt": fmt}


def s(v):
    return {"t": "s", "v": v}


def b(v):
    return {"t": "b", "v": v}


def d(v, fmt="yyyy-mm-dd"):
    return {"t": "d", "v": v, "fmt": fmt}


def dt(v, fmt="yyyy-mm-dd hh:mm:ss"):
    return {"t": "d", "v": v, "fmt": fmt}


def tm(v, fmt="hh:mm:ss"):
    return {"t": "tm", "v": v, "fmt": fmt}


def dur(days, fmt="[h]:mm:ss"):
    return {"t": "dur", "v": days, "fmt": fmt}


def f(formula, v, vt):
    return {"t": "f", "f": formula, "v": v, "vt": vt}


def header(*names):
    return [s(x) for x in names]


LONG = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit; " * 90)[:5000]

DATES = [
    [d("1900-03-01"), dt("1900-03-01T06:00:00"), s("first day after the 1900 leap bug")],
    [d("1970-01-01"), dt("1970-01-01T00:00:00"), s("unix epoch")],
    [d("1999-12-31"), dt("1999-12-31T23:59:59"), s("end of the century")],
    [d("2024-02-29"), dt("2024-02-29T12:30:15"), s("leap day")],
    [d("2099-12-31"), dt("2099-12-31T08:00:00"), s("far future")],
]

WORKBOOKS = [
    {"name": "types", "sheets": [{"name": "Types", "rows": [
        header("id", "name", "score", "ok", "born", "seen"),
        [n(1), s("Ada"), n(9.5), b(True), d("1990-05-17"), dt("2024-01-02T03:04:05")],
        [n(2), s("Brian"), n(-0.25), b(False), d("1985-12-01"), dt("2023-06-30T23:59:59")],
        [n(3), s("Chloé"), n(1e-7), b(True), d("2000-01-01"), dt("2000-01-01T00:00:00")],
        [n(4), s("Dmitri"), n(123456.789), b(False), d("2010-10-10"), dt("2010-10-10T10:10:10")],
        [n(5), s("Eve"), n(3), b(True), d("1955-03-04"), dt("1999-01-01T12:00:00")],
    ]}]},
    {"name": "mixed", "sheets": [{"name": "Mixed", "rows": [
        header("code", "zip", "mixed", "phone", "flag"),
        [s("007"), s("01234"), n(1), s("+44 20 7946 0958"), b(True)],
        [s("042"), s("90210"), s("two"), s("0044"), s("yes")],
        [s("100"), s("00501"), n(3.5), s("555-0100"), n(1)],
        [s("0"), s("02134"), b(False), s("0"), b(False)],
        [s("00"), s("10001"), d("2020-02-02"), s("1e5"), s("")],
    ]}]},
    {"name": "dates1900", "sheets": [{"name": "Dates", "rows": [header("date", "datetime", "note")] + DATES}]},
    {"name": "dates1904", "date1904": True,
     "sheets": [{"name": "Dates", "rows": [header("date", "datetime", "note")] + DATES}]},
    {"name": "times", "sheets": [{"name": "Times", "rows": [
        header("label", "clock", "elapsed"),
        [s("morning"), tm("07:30:00"), dur(0.25)],
        [s("noon"), tm("12:00:00"), dur(1.5)],
        [s("late"), tm("23:59:59"), dur(2.75)],
        [s("midnight"), tm("00:00:00"), dur(10.0)],
        [s("short"), tm("00:00:01", "hh:mm"), dur(0.0006944444444444445)],
    ]}]},
    {"name": "sparse", "sheets": [{"name": "Sparse", "rows": [
        header("a", "b", "c"),
        [n(1), None, s("x")],
        [None, None, None],
        [None, s("middle"), None],
        [n(4), n(5), n(6), n(7)],
        [None, None, None, None, s("far right")],
        [n(8), None, None],
    ]}]},
    {"name": "unicode", "sheets": [{"name": "Unicode", "rows": [
        header("lang", "text", "len"),
        [s("ja"), s("東京タワー"), n(5)],
        [s("emoji"), s("party 🎉 rocket 🚀 family 👨‍👩‍👧"), n(0)],
        [s("rtl"), s("שלום עולם مرحبا"), n(0)],
        [s("combining"), s("Cafe\u0301 n\u0303"), n(0)],
        [s("xml"), s('<b>&amp; "quoted" \'single\'</b>'), n(0)],
        [s("spaces"), s("  padded  "), n(10)],
        [s("newline"), s("line one\nline two"), n(0)],
        [s("long"), s(LONG), n(len(LONG))],
    ]}]},
    {"name": "formulas", "sheets": [{"name": "Formulas", "rows": [
        header("a", "b", "sum", "label", "bigger"),
        [n(2), n(3), f("A2+B2", 5, "n"), f('"row "&A2', "row 2", "s"), f("A2>B2", False, "b")],
        [n(10), n(-4), f("A3+B3", 6, "n"), f('"row "&A3', "row 10", "s"), f("A3>B3", True, "b")],
        [n(0.5), n(0.25), f("A4+B4", 0.75, "n"), f('"row "&A4', "row 0.5", "s"), f("A4>B4", True, "b")],
        [n(1), n(1), f("SUM(A2:A5)", 13.5, "n"), f('UPPER("done")', "DONE", "s"), f("A5>B5", False, "b")],
    ]}]},
    {"name": "numfmt", "sheets": [{"name": "Formats", "rows": [
        header("percent", "money", "sci", "fixed", "big", "textfmt"),
        [n(0.125, "0.00%"), n(1234.5, '"$"#,##0.00'), n(6.02214076e23, "0.00E+00"), n(3.14159, "0.00"),
         n(9007199254740993), n(12345, "@")],
        [n(1, "0%"), n(-0.99, '"$"#,##0.00'), n(1.6e-19, "0.00E+00"), n(2, "0.00"),
         n(-9007199254740993), n(0, "@")],
        [n(0, "0.0%"), n(0, '"$"#,##0.00'), n(-1e300, "0.00E+00"), n(-0.0, "0.00"),
         n(123456789012), n(7, "@")],
    ]}]},
    {"name": "multisheet", "sheets": [
        {"name": "First", "rows": [header("k", "v"), [s("a"), n(1)], [s("b"), n(2)]]},
        {"name": "Second sheet", "rows": [header("when", "what"), [d("2021-07-04"), s("picnic")],
                                           [d("2021-12-25"), s("dinner")]]},
        {"name": "Third", "rows": [header("x", "y", "z"), [n(1.5), b(True), s("ü")], [None, None, s("only z")]]},
    ]},
]


if __name__ == "__main__":
    json.dump(WORKBOOKS, sys.stdout, ensure_ascii=False, indent=1)
