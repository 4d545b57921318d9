#!/usr/bin/env bash
# Regenerates the differential-test corpus tests/etl/corpus/files/ (see tests/etl/corpus/README.md): the
# workbooks of tools/xlsx_corpus/spec.py written by every producer that runs here. The files are committed, so
# the test itself needs only pandas + openpyxl; rerun this only to change the corpus:
#   tools/make_xlsx_corpus.sh
# Needs: python3-openpyxl, python3-xlsxwriter, python3-pandas, libxlsxwriter-dev + cc, node + npm (exceljs and
# SheetJS from the npm registry, pinned by tools/xlsx_corpus/package-lock.json), soffice
# (libreoffice-calc-nogui) and ssconvert (gnumeric).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
gen="$root/tools/xlsx_corpus"
out="$root/tests/etl/corpus/files"
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

# openpyxl, XlsxWriter, pandas (.xlsx and .csv)
(cd "$gen" && "$py" gen_python.py "$out")

# libxlsxwriter (C)
cc -O -Wall -Werror -o "$work/gen_libxlsxwriter" "$gen/gen_libxlsxwriter.c" -lxlsxwriter
(cd "$gen" && "$py" spec_lines.py "$out") | "$work/gen_libxlsxwriter"

# exceljs and SheetJS
(cd "$gen" && npm ci --no-audit --no-fund --silent)
(cd "$gen" && "$py" spec.py | node gen_node.js "$out")

# LibreOffice and Gnumeric re-save the XlsxWriter workbooks (they carry cached formula values) with their
# own writers: their own styles, shared strings, and (LibreOffice) recomputed formulas.
mkdir -p "$work/in" "$work/lo"
for f in "$out"/xlsxwriter_*.xlsx; do
  b=$(basename "$f"); cp "$f" "$work/in/${b#xlsxwriter_}"
done
(cd "$work/in" && soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
  --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir "$work/lo" ./*.xlsx >/dev/null 2>&1)
for f in "$work"/lo/*.xlsx; do cp "$f" "$out/libreoffice_$(basename "$f")"; done
for f in "$work"/in/*.xlsx; do
  ssconvert --export-type=Gnumeric_Excel:xlsx2 "$f" "$out/gnumeric_$(basename "$f")" 2>/dev/null
done

# CSV exports (first sheet) of LibreOffice (UTF-8, comma, double quotes) and Gnumeric
mkdir -p "$work/csv"
(cd "$work/in" && soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir "$work/csv" \
  types.xlsx mixed.xlsx unicode.xlsx dates1900.xlsx >/dev/null 2>&1)
for f in "$work"/csv/*.csv; do cp "$f" "$out/libreoffice_$(basename "$f")"; done
for n in types mixed unicode; do
  ssconvert --export-type=Gnumeric_stf:stf_csv "$work/in/$n.xlsx" "$out/gnumeric_$n.csv" 2>/dev/null
done

count=$(find "$out" -type f | wc -l)
echo "make_xlsx_corpus: wrote $count files, $(du -sk "$out" | cut -f1) KiB, into tests/etl/corpus/files/"
