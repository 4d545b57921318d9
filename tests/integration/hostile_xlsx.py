#!/usr/bin/env python3
"""Writes hostile .xlsx workbooks for tests/integration/xlsx_limits_test.sh (issue 10, classes 8 and 9).

The parts are written by hand, as Excel lays them out, and the zip is assembled here byte by byte, so that an
entry's declared sizes can lie (nothing that writes zips honestly can make these):
  bomb OUT MIB            styles.xml declared 1 KiB in the local header and the central directory, whose deflate
                          stream inflates to MIB MiB of spaces (a zip bomb)
  honest_bomb OUT MIB     the same payload with its true size declared (caught by the ratio cap)
  bigstrings OUT N MIB R  N shared strings of MIB MiB each (text that does not compress), and a sheet of R rows
                          that refer to them in turn
"""
import os
import struct
import sys
import zlib

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def deflate_chunks(chunks):
    z = zlib.compressobj(1, zlib.DEFLATED, -15)
    out = []
    crc = 0
    size = 0
    for c in chunks:
        crc = zlib.crc32(c, crc)
        size += len(c)
        out.append(z.compress(c))
    out.append(z.flush())
    return b"".join(out), crc, size


def write_zip(path, entries):
    """entries: (name, compressed, crc, true_size, declared_size)."""
    central = []
    with open(path, "wb") as f:
        for name, data, crc, _, declared in entries:
            offset = f.tell()
            n = name.encode()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), declared, len(n), 0))
            f.write(n)
            f.write(data)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data),
                                       declared, len(n), 0, 0, 0, 0, 0, offset) + n)
        start = f.tell()
        for c in central:
            f.write(c)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), f.tell() - start, start, 0))


def part(name, text):
    data, crc, size = deflate_chunks([text.encode()])
    return (name, data, crc, size, size)


def workbook_parts(sheet_xml, strings=None):
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/></Types>')
    rels = (f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    book = (f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    book_rels = (f'<?xml version="1.0"?><Relationships xmlns="{PKG}">'
                 f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                 f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
                 f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                 '</Relationships>')
    out = [part("[Content_Types].xml", types), part("_rels/.rels", rels), part("xl/workbook.xml", book),
           part("xl/_rels/workbook.xml.rels", book_rels),
           part("xl/worksheets/sheet1.xml",
                f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{sheet_xml}</sheetData></worksheet>')]
    return out


SMALL_SHEET = ('<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>'
               '<row r="2"><c r="A2"><v>1</v></c></row>')


def bomb(out, mib, honest):
    head = f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}">'.encode()
    spaces = b" " * (1 << 20)
    data, crc, size = deflate_chunks([head] + [spaces] * mib)
    entries = workbook_parts(SMALL_SHEET)
    entries.append(("xl/styles.xml", data, crc, size, size if honest else 1024))
    write_zip(out, entries)


def bigstrings(out, n, mib, rows):
    block = os.urandom(48 << 10).hex()[: 64 << 10]  # 64 KiB: beyond deflate's 32 KiB window, so it stays big
    chunks = [f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{n}" uniqueCount="{n}">'.encode()]
    for _ in range(n):
        chunks.append(b"<si><t>")
        chunks.extend([block.encode()] * (mib * 16))
        chunks.append(b"</t></si>")
    chunks.append(b"</sst>")
    data, crc, size = deflate_chunks(chunks)
    sheet = '<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'
    sheet += "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>{(r - 2) % n}</v></c></row>' for r in range(2, rows + 2))
    entries = workbook_parts(sheet)
    entries.append(part("xl/styles.xml", f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"/>'))
    entries.append(("xl/sharedStrings.xml", data, crc, size, size))
    write_zip(out, entries)


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "bomb":
        bomb(out, int(sys.argv[3]), honest=False)
    elif kind == "honest_bomb":
        bomb(out, int(sys.argv[3]), honest=True)
    elif kind == "bigstrings":
        bigstrings(out, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(f"unknown kind {kind}")
