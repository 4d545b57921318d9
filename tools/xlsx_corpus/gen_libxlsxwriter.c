/* Writes corpus workbooks with libxlsxwriter (C), from the line format that spec_lines.py prints:
 *   W <path>                  start a workbook
 *   S <name>                  add a sheet
 *   C <row> <col> <kind> <fmt> <value>   one cell (tab-separated; fmt "-" for none)
 *   E                         close the workbook
 * kinds: n number, s text, b boolean, d "Y M D h m s" (datetime; Y 0 = time of day), fn/fs/fb formula with a
 * cached number/text/boolean, the value being "<formula>\x1f<cached>". Text values have \n as "\\n".
 * Build: cc -O gen_libxlsxwriter.c -lxlsxwriter (tools/make_xlsx_corpus.sh does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define MAX_FORMATS 64

static lxw_workbook *wb;
static lxw_worksheet *ws;
static char fmt_names[MAX_FORMATS][64];
static lxw_format *fmts[MAX_FORMATS];
static int nfmts;

static lxw_format *format_for(const char *name) {
  if (strcmp(name, "-") == 0) return NULL;
  for (int i = 0; i < nfmts; ++i)
    if (strcmp(fmt_names[i], name) == 0) return fmts[i];
  if (nfmts == MAX_FORMATS) return NULL;
  snprintf(fmt_names[nfmts], sizeof fmt_names[nfmts], "%s", name);
  fmts[nfmts] = workbook_add_format(wb);
  format_set_num_format(fmts[nfmts], name);
  return fmts[nfmts++];
}

static void unescape(char *s) {
  char *out = s;
  for (char *p = s; *p; ++p) {
    if (p[0] == '\\' && p[1] == 'n') {
      *out++ = '\n';
      ++p;
    } else {
      *out++ = *p;
    }
  }
  *out = 0;
}

int main(void) {
  static char line[1 << 20]; /* a cell of 32,767 four-byte characters fits */
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    if (line[0] == 'W') {
      wb = workbook_new(line + 2);
      nfmts = 0;
    } else if (line[0] == 'S') {
      ws = workbook_add_worksheet(wb, line + 2);
    } else if (line[0] == 'E') {
      if (workbook_close(wb) != LXW_NO_ERROR) return 1;
    } else if (line[0] == 'C') {
      char *save;
      strtok_r(line, "\t", &save);
      int row = atoi(strtok_r(NULL, "\t", &save));
      int col = atoi(strtok_r(NULL, "\t", &save));
      char *kind = strtok_r(NULL, "\t", &save);
      lxw_format *fmt = format_for(strtok_r(NULL, "\t", &save));
      char *value = save;
      unescape(value);
      if (strcmp(kind, "n") == 0) {
        worksheet_write_number(ws, row, col, strtod(value, NULL), fmt);
      } else if (strcmp(kind, "s") == 0) {
        worksheet_write_string(ws, row, col, value, NULL);
      } else if (strcmp(kind, "b") == 0) {
        worksheet_write_boolean(ws, row, col, atoi(value), NULL);
      } else if (strcmp(kind, "d") == 0) {
        lxw_datetime t = {0};
        sscanf(value, "%d %d %d %d %d %lf", &t.year, &t.month, &t.day, &t.hour, &t.min, &t.sec);
        worksheet_write_datetime(ws, row, col, &t, fmt);
      } else if (kind[0] == 'f') {
        char *cached = strchr(value, '\x1f');
        *cached++ = 0;
        if (kind[1] == 's')
          worksheet_write_formula_str(ws, row, col, value, NULL, cached);
        else
          worksheet_write_formula_num(ws, row, col, value, NULL, strtod(cached, NULL));
      }
    }
  }
  return 0;
}
