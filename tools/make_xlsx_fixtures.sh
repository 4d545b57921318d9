#!/usr/bin/env bash
# Makes the LibreOffice-written .xlsx fixtures under tests/data/xlsx/ from flat ODF spreadsheets (FODS)
# written here: LibreOffice's writer differs from Excel's and libxlsxwriter's (its own styles, shared
# strings of its own making, formulas with cached values, repeated empty cells), so the reader is tested
# against it too. The .xlsx files are committed; rerun this only to change them:
#   tools/make_xlsx_fixtures.sh            (needs soffice: Debian package libreoffice-calc-nogui)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/tests/data/xlsx"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

fods_header='<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="N_DATE"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
 <number:date-style style:name="N_DATETIME"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/><number:text>:</number:text><number:seconds number:style="long"/></number:date-style>
 <number:time-style style:name="N_TIME"><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:time-style>
 <number:number-style style:name="N_FIXED"><number:number number:decimal-places="2" number:min-integer-digits="1"/></number:number-style>
 <style:style style:name="ce_date" style:family="table-cell" style:data-style-name="N_DATE"/>
 <style:style style:name="ce_datetime" style:family="table-cell" style:data-style-name="N_DATETIME"/>
 <style:style style:name="ce_time" style:family="table-cell" style:data-style-name="N_TIME"/>
 <style:style style:name="ce_fixed" style:family="table-cell" style:data-style-name="N_FIXED"/>
</office:automatic-styles>
<office:body><office:spreadsheet>'
fods_footer='</office:spreadsheet></office:body></office:document>'

s() { printf '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' "$1"; }
n() { printf '<table:table-cell office:value-type="float" office:value="%s"><text:p>%s</text:p></table:table-cell>' "$1" "$1"; }
b() { printf '<table:table-cell office:value-type="boolean" office:boolean-value="%s"><text:p>%s</text:p></table:table-cell>' "$1" "$1"; }
d() { printf '<table:table-cell table:style-name="%s" office:value-type="date" office:date-value="%s"><text:p>%s</text:p></table:table-cell>' "$1" "$2" "$2"; }
t() { printf '<table:table-cell table:style-name="ce_time" office:value-type="time" office:time-value="%s"><text:p>%s</text:p></table:table-cell>' "$1" "$1"; }
f() { printf '<table:table-cell table:formula="of:%s" office:value-type="%s" office:%s="%s"><text:p>%s</text:p></table:table-cell>' "$1" "$2" "$3" "$4" "$4"; }
gap() { printf '<table:table-cell table:number-columns-repeated="%s"/>' "$1"; }
row() { printf '<table:table-row>%s</table:table-row>\n' "$1"; }
blank_rows() { printf '<table:table-row table:number-rows-repeated="%s"><table:table-cell/></table:table-row>\n' "$1"; }

# types.xlsx: one sheet with every kind of value LibreOffice writes.
{
  echo "$fods_header"
  echo '<table:table table:name="Types">'
  row "$(s id)$(s name)$(s born)$(s seen)$(s alarm)$(s score)$(s ok)$(s double)$(s greeting)"
  row "$(n 1)$(s 'Zoë Ångström')$(d ce_date 1990-05-17)$(d ce_datetime 2024-01-02T03:04:05)$(t PT07H30M00S)$(n 9.5)$(b true)$(f '[.F2]*2' float value 19)$(f 'CONCATENATE(&quot;hi &quot;;[.B2])' string string-value 'hi Zoë Ångström')"
  row "$(n 2)$(s '東京 &amp; &lt;more&gt;')$(d ce_date 1900-03-01)$(d ce_datetime 1970-01-01T00:00:00)$(t PT23H59M00S)$(n -0.25)$(b false)$(f '[.F3]*2' float value -0.5)$(f 'CONCATENATE(&quot;hi &quot;;[.B3])' string string-value 'hi 東京 &amp; &lt;more&gt;')"
  echo '</table:table>'
  echo "$fods_footer"
} >"$work/types.fods"

# sparse.xlsx: two sheets; the second has gaps between cells and rows, and an empty row inside the data.
{
  echo "$fods_header"
  echo '<table:table table:name="Cover">'
  row "$(s title)"
  row "$(s 'See the Sparse sheet')"
  echo '</table:table>'
  echo '<table:table table:name="Sparse">'
  row "$(s a)$(gap 2)$(s d)$(s e)"
  row "$(n 1)$(gap 3)$(n 5)"
  blank_rows 3
  row "$(gap 1)$(s middle)$(gap 1)$(n 4)"
  row "$(n 7)$(gap 8)$(n 99)"
  echo '</table:table>'
  echo "$fods_footer"
} >"$work/sparse.fods"

# A throwaway profile, so that a running LibreOffice or an unwritable $HOME does not get in the way.
(cd "$work" && soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
  --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir "$work" types.fods sparse.fods >/dev/null 2>&1)
for f in types sparse; do
  cp "$work/$f.xlsx" "$out/libreoffice_$f.xlsx"
  echo "wrote tests/data/xlsx/libreoffice_$f.xlsx"
done
