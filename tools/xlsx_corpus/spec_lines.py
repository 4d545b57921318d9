"""Prints the workbooks of spec.py in the line format gen_libxlsxwriter.c reads. Usage: spec_lines.py OUT_DIR.
libxlsxwriter 1.1.4 has no 1904 date system option, so the 1904 workbook is left out."""
import datetime as dtm
import os
import sys

from spec import WORKBOOKS

out = sys.argv[1]
for wb in WORKBOOKS:
    if wb.get("date1904"):
        continue
    print(f"W {os.path.join(out, 'libxlsxwriter_' + wb['name'] + '.xlsx')}")
    for sh in wb["sheets"]:
        print(f"S {sh['name']}")
        for r, row in enumerate(sh["rows"]):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                t, fmt = cell["t"], cell.get("fmt") or "-"
                if t == "n" or t == "dur":
                    kind, v = "n", repr(float(cell["v"])) if t == "dur" else str(cell["v"])
                elif t == "s":
                    kind, v = "s", cell["v"].replace("\n", "\\n")
                elif t == "b":
                    kind, v = "b", str(int(cell["v"]))
                elif t == "d":
                    x = dtm.datetime.fromisoformat(cell["v"])
                    kind, v = "d", f"{x.year} {x.month} {x.day} {x.hour} {x.minute} {x.second}"
                elif t == "tm":
                    x = dtm.time.fromisoformat(cell["v"])
                    kind, v = "d", f"0 0 0 {x.hour} {x.minute} {x.second}"
                elif t == "f":
                    cached = cell["v"]
                    if cell["vt"] == "b":
                        cached = int(cached)
                    kind, v = "f" + cell["vt"], f"={cell['f']}\x1f{cached}"
                print(f"C\t{r}\t{c}\t{kind}\t{fmt}\t{v}")
    print("E")
