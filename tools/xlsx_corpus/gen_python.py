"""Writes the corpus workbooks of spec.py with the Python producers: openpyxl, XlsxWriter and pandas
(DataFrame.to_excel / to_csv). Usage: gen_python.py OUT_DIR.  Run by tools/make_xlsx_corpus.sh."""
import datetime as dtm
import os
import sys

import openpyxl
import pandas as pd
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from spec import WORKBOOKS


def py_value(c):
    """The Python value a cell of the spec stands for."""
    t = c["t"]
    if t == "d":
        v = dtm.datetime.fromisoformat(c["v"])
        return v.date() if len(c["v"]) == 10 else v
    if t == "tm":
        return dtm.time.fromisoformat(c["v"])
    if t == "dur":
        return dtm.timedelta(days=c["v"])
    return c["v"]


def write_openpyxl(wb_spec, path):
    wb = openpyxl.Workbook()
    if wb_spec.get("date1904"):
        wb.epoch = CALENDAR_MAC_1904
    wb.remove(wb.active)
    for sh in wb_spec["sheets"]:
        ws = wb.create_sheet(sh["name"])
        for r, row in enumerate(sh["rows"], start=1):
            for col, c in enumerate(row, start=1):
                if c is None:
                    continue
                # openpyxl writes no cached value for a formula: readers see an empty cell
                v = "=" + c["f"] if c["t"] == "f" else py_value(c)
                cell = ws.cell(row=r, column=col, value=v)
                if c.get("fmt"):
                    cell.number_format = c["fmt"]
    wb.save(path)


def write_xlsxwriter(wb_spec, path):
    wb = xlsxwriter.Workbook(path, {"date_1904": bool(wb_spec.get("date1904")), "strings_to_numbers": False,
                                    "strings_to_formulas": False, "strings_to_urls": False})
    formats = {}

    def fmt(c):
        key = c.get("fmt")
        if not key:
            return None
        if key not in formats:
            formats[key] = wb.add_format({"num_format": key})
        return formats[key]

    for sh in wb_spec["sheets"]:
        ws = wb.add_worksheet(sh["name"])
        for r, row in enumerate(sh["rows"]):
            for col, c in enumerate(row):
                if c is None:
                    continue
                t = c["t"]
                if t == "n":
                    ws.write_number(r, col, c["v"], fmt(c))
                elif t == "s":
                    ws.write_string(r, col, c["v"])
                elif t == "b":
                    ws.write_boolean(r, col, c["v"])
                elif t == "f":
                    ws.write_formula(r, col, "=" + c["f"], None, c["v"])
                elif t == "d":
                    ws.write_datetime(r, col, dtm.datetime.fromisoformat(c["v"]), fmt(c))
                elif t == "tm":
                    ws.write_datetime(r, col, dtm.time.fromisoformat(c["v"]), fmt(c))
                elif t == "dur":
                    ws.write_number(r, col, c["v"], fmt(c))
    wb.close()


def frame(sheet):
    rows = sheet["rows"]
    names = [c["v"] for c in rows[0]]
    width = max(len(r) for r in rows)
    names += [f"extra{i}" for i in range(len(names), width)]
    data = [[None if i >= len(r) or r[i] is None else
             (py_value(r[i]) if r[i]["t"] != "f" else r[i]["v"]) for i in range(width)] for r in rows[1:]]
    return pd.DataFrame(data, columns=names)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for wb_spec in WORKBOOKS:
        write_openpyxl(wb_spec, os.path.join(out, f"openpyxl_{wb_spec['name']}.xlsx"))
        write_xlsxwriter(wb_spec, os.path.join(out, f"xlsxwriter_{wb_spec['name']}.xlsx"))
    # pandas' own writer (openpyxl engine) for a few tables; the index is left out as users do.
    for name in ("types", "mixed", "unicode", "multisheet"):
        wb_spec = next(w for w in WORKBOOKS if w["name"] == name)
        path = os.path.join(out, f"pandas_{name}.xlsx")
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            for sh in wb_spec["sheets"]:
                frame(sh).to_excel(xw, sheet_name=sh["name"], index=False)
    for name in ("types", "mixed", "unicode", "formulas"):
        wb_spec = next(w for w in WORKBOOKS if w["name"] == name)
        frame(wb_spec["sheets"][0]).to_csv(os.path.join(out, f"pandas_{name}.csv"), index=False)


if __name__ == "__main__":
    main()
