// Writes the workbooks of spec.py (read as JSON on stdin) with exceljs and SheetJS (xlsx).
// Usage: python3 spec.py | node gen_node.js OUT_DIR   (tools/make_xlsx_corpus.sh runs it)
'use strict';
const fs = require('fs');
const path = require('path');
const ExcelJS = require('exceljs');
const XLSX = require('xlsx');

const out = process.argv[2];
const workbooks = JSON.parse(fs.readFileSync(0, 'utf8'));

// Serial day number of a naive ISO datetime in the workbook's date system (both libraries take serials or
// UTC dates; a serial keeps the wall-clock value exact).
function serial(iso, date1904) {
  const ms = Date.parse(iso.length === 10 ? iso + 'T00:00:00Z' : iso + 'Z');
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return (ms - epoch) / 86400000;
}
function timeSerial(hms) {
  const [h, m, s] = hms.split(':').map(Number);
  return (h * 3600 + m * 60 + s) / 86400;
}

async function writeExcelJS(wbSpec, file) {
  const wb = new ExcelJS.Workbook();
  wb.properties.date1904 = !!wbSpec.date1904;
  for (const sh of wbSpec.sheets) {
    const ws = wb.addWorksheet(sh.name);
    sh.rows.forEach((row, r) => row.forEach((c, col) => {
      if (c === null) return;
      const cell = ws.getCell(r + 1, col + 1);
      switch (c.t) {
        case 'n': case 's': case 'b': cell.value = c.v; break;
        case 'd': cell.value = new Date(c.v.length === 10 ? c.v + 'T00:00:00Z' : c.v + 'Z'); break;
        case 'tm': cell.value = timeSerial(c.v); break;
        case 'dur': cell.value = c.v; break;
        case 'f': cell.value = {formula: c.f, result: c.v}; break;
      }
      if (c.fmt) cell.numFmt = c.fmt;
    }));
  }
  await wb.xlsx.writeFile(file);
}

function writeSheetJS(wbSpec, file) {
  const wb = XLSX.utils.book_new();
  wb.Workbook = {WBProps: {date1904: !!wbSpec.date1904}};
  for (const sh of wbSpec.sheets) {
    const ws = {};
    let maxR = 0, maxC = 0;
    sh.rows.forEach((row, r) => row.forEach((c, col) => {
      if (c === null) return;
      let cell;
      switch (c.t) {
        case 'n': cell = {t: 'n', v: c.v}; break;
        case 's': cell = {t: 's', v: c.v}; break;
        case 'b': cell = {t: 'b', v: c.v}; break;
        case 'd': cell = {t: 'n', v: serial(c.v, wbSpec.date1904)}; break;
        case 'tm': cell = {t: 'n', v: timeSerial(c.v)}; break;
        case 'dur': cell = {t: 'n', v: c.v}; break;
        case 'f': cell = {t: c.vt === 'n' ? 'n' : c.vt === 'b' ? 'b' : 's', v: c.v, f: c.f}; break;
      }
      if (c.fmt) cell.z = c.fmt;
      ws[XLSX.utils.encode_cell({r, c: col})] = cell;
      maxR = Math.max(maxR, r); maxC = Math.max(maxC, col);
    }));
    ws['!ref'] = XLSX.utils.encode_range({s: {r: 0, c: 0}, e: {r: maxR, c: maxC}});
    XLSX.utils.book_append_sheet(wb, ws, sh.name);
  }
  XLSX.writeFile(wb, file, {bookType: 'xlsx', compression: true});
}

(async () => {
  for (const wbSpec of workbooks) {
    await writeExcelJS(wbSpec, path.join(out, `exceljs_${wbSpec.name}.xlsx`));
    writeSheetJS(wbSpec, path.join(out, `sheetjs_${wbSpec.name}.xlsx`));
  }
})().catch((e) => { console.error(e); process.exit(1); });
