#!/usr/bin/python3
"""Makes the issue-10 fixtures under tests/data/xlsx/ with producers that run here (python3-openpyxl 3.0.9,
python3-xlsxwriter 3.0.2); the .xlsx files are committed, rerun this only to change them:
    tests/data/xlsx/make_issue10_fixtures.py
  excel_mac_1904.xlsx     openpyxl with the 1904 date system, then workbook.xml given the extension elements
                          that Excel 2016+ for Mac writes after the main workbookPr (x14:workbookPr,
                          x15:workbookPr; only Excel writes these, so they are added by hand)   [class 1]
  openpyxl_wide_rows.xlsx a header of two cells and data rows reaching columns C and E            [class 2]
  openpyxl_times.xlsx     times of day and durations of a day or more ([h]:mm:ss)                 [class 3]
  xlsxwriter_mixed.xlsx   25 rows of ints, floats, booleans, dates, datetimes and text, with kinds that
                          change down a column, for the --batch-rows test                         [class 6]
"""
import datetime as dt
import os
import shutil
import tempfile
import zipfile

import openpyxl
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

OUT = os.path.dirname(os.path.abspath(__file__))


def patch_part(path, part, edit):
    """Rewrites one part of a zip, keeping the others byte for byte and in order."""
    tmp = path + ".tmp"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = edit(data.decode()).encode()
            dst.writestr(info, data)
    shutil.move(tmp, path)


def excel_mac_1904():
    path = os.path.join(OUT, "excel_mac_1904.xlsx")
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["when", "stamp"])
    ws.append([dt.date(2024, 3, 15), dt.datetime(1999, 12, 31, 23, 59, 58)])
    ws.append([dt.date(1904, 1, 2), dt.datetime(2000, 2, 29, 12, 0)])
    wb.save(path)

    def add_extensions(xml):
        ns = ('xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
              'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" ')
        xml = xml.replace("<workbook ", "<workbook " + ns, 1)
        ext = ('<extLst><ext uri="{79F54976-1DA5-4618-B147-4CDE4B953A38}"><x14:workbookPr/></ext>'
               '<ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}"><x15:workbookPr chartTrackingRefBase="1"/>'
               '</ext></extLst>')
        assert 'date1904="1"' in xml
        return xml.replace("</workbook>", ext + "</workbook>")

    patch_part(path, "xl/workbook.xml", add_extensions)


def openpyxl_wide_rows():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    ws.append([1, "x", 3.5])
    ws.append([2, "y", None, None, "far"])
    ws.append([3, None, 7])
    wb.save(os.path.join(OUT, "openpyxl_wide_rows.xlsx"))


def openpyxl_times():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["alarm", "took"])
    rows = [(dt.time(7, 30), dt.timedelta(hours=1, minutes=2, seconds=3)),
            (dt.time(23, 59, 59, 500000), dt.timedelta(days=1, hours=2)),
            (dt.time(0, 0), dt.timedelta(days=40, minutes=1))]
    for alarm, took in rows:
        ws.append([alarm, took])
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "[h]:mm:ss"
    wb.save(os.path.join(OUT, "openpyxl_times.xlsx"))


def xlsxwriter_mixed():
    wb = xlsxwriter.Workbook(os.path.join(OUT, "xlsxwriter_mixed.xlsx"))
    ws = wb.add_worksheet("Mixed")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, ["id", "qty", "ok", "day", "seen", "note", "code"])
    for r in range(1, 26):
        ws.write_number(r, 0, r)
        ws.write_number(r, 1, r * 2 if r < 20 else r + 0.25)  # ints, then floats: a float column
        ws.write_boolean(r, 2, r % 3 == 0)
        ws.write_datetime(r, 3, dt.datetime(2024, 1, r), date)
        ws.write_datetime(r, 4, dt.datetime(2024, 2, 1, r % 24, r), stamp)
        if r % 5 == 0:
            ws.write_number(r, 5, r)  # numbers among text: a text column
        else:
            ws.write_string(r, 5, f"note {r}")
        ws.write_string(r, 6, f"{r:03d}")
    wb.close()


if __name__ == "__main__":
    excel_mac_1904()
    openpyxl_wide_rows()
    openpyxl_times()
    xlsxwriter_mixed()
    for name in ["excel_mac_1904", "openpyxl_wide_rows", "openpyxl_times", "xlsxwriter_mixed"]:
        print(f"wrote tests/data/xlsx/{name}.xlsx")
