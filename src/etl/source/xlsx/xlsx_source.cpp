// The .xlsx Source: finds the sheet through the workbook's table of contents (workbook.h), loads the shared
// strings and the date styles, then streams the sheet's rows through SheetScanner and converts their cells
// (cell_value.h says how each kind of cell reads). Memory: one scan window, one Batch, and the shared
// strings table, which is the only thing that grows with the file.
//
// Rows as pandas.read_excel(engine="openpyxl") gives them, with these rules:
//  - options.header_row is a sheet row number; rows above it are ignored. Its non-empty cells name the
//    columns (pandas's Unnamed: N and name.1 rules, via normalise_header_names). Cells with a value right
//    of the header's last non-empty cell make columns of their own, named "Unnamed: N" (N the 0-based
//    column) as pandas names them, when they are in the first kWidthWindowRows rows after the header
//    (read ahead at open, so the schema is known before the first batch); such a cell further down is an
//    error naming it, never dropped.
//  - A row whose cells (within the width) are all empty is skipped; pandas keeps such rows as all-NaN.
//  - A row numbered at or below a row already read is dropped, as openpyxl does.
//  - Refusals: an empty sheet, an empty header row, a header row below the last row with data.
// Progress (total_bytes, Batch::bytes_consumed) counts the compressed bytes of the sheet's part. Once the
// rows are read, the rest of the part is inflated too, so that its size and CRC-32 are checked.
#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "etl/message_text.h"
#include "etl/source/header_names.h"
#include "etl/source/source.h"
#include "etl/source/xlsx/cell_ref.h"
#include "etl/source/xlsx/cell_value.h"
#include "etl/source/xlsx/prefetch_reader.h"
#include "etl/source/xlsx/shared_strings.h"
#include "etl/source/xlsx/sheet_scanner.h"
#include "etl/source/xlsx/styles.h"
#include "etl/source/xlsx/workbook.h"
#include "etl/source/xlsx/zip_part.h"

namespace sluice::etl {

namespace {

using xlsx::CellContext;
using xlsx::NumberKind;
using xlsx::PartReader;
using xlsx::SharedStrings;
using xlsx::SheetRow;
using xlsx::SheetScanner;
using xlsx::ZipArchive;

constexpr uint64_t kMaxSmallPart = uint64_t{64} << 20;  // workbook.xml, rels, styles.xml
// Rows read ahead at open to find the columns right of the header (the same count as the pipeline's type
// window, pipeline.h kTypeWindowRows).
constexpr uint64_t kWidthWindowRows = 8192;
// A batch ends early once its text holds this much, so that memory in flight (the queue's batches) is
// bounded by bytes as well as by rows.
constexpr uint64_t kMaxBatchTextBytes = uint64_t{64} << 20;

common::Status with_prefix(const std::string& prefix, const common::Status& st) {
  return common::Status(st.code(), prefix + st.message());
}

class XlsxSource final : public Source {
 public:
  XlsxSource(std::string path, std::string sheet_name, size_t batch_rows)
      : path_(std::move(path)),
        sheet_name_(std::move(sheet_name)),
        batch_rows_(std::max<size_t>(batch_rows, 1)) {}

  common::Status open(std::unique_ptr<ZipArchive> zip, const xlsx::WorkbookInfo& info,
                      const std::string& part, int header_row);

  const Schema& schema() const override { return schema_; }
  common::Result<bool> next(Batch& batch) override;
  // Reads the first kWidthWindowRows rows ahead, widening the schema for cells right of the header.
  common::Status read_window();
  // "DATASET.xlsx:Sheet1!F27"; "DATASET.xlsx:Sheet1 row 27" for a derived column, which has no letter.
  std::string location(const Field& field, uint64_t source_row) const override {
    if (field.origin.empty()) return path_ + ":" + sheet_name_ + " row " + std::to_string(source_row);
    return path_ + ":" + sheet_name_ + "!" + field.origin + std::to_string(source_row);
  }
  uint64_t total_bytes() const override { return part_->compressed_size(); }

 private:
  // The next row in sheet order, skipping rows numbered at or below one already read (openpyxl drops them).
  common::Result<bool> next_row();
  common::Status read_header(int header_row);
  // Fills batch with up to max_rows rows. grow: a cell right of the last column adds columns (named as pandas
  // names them); otherwise it is an error naming the cell.
  common::Result<bool> fill(Batch& batch, size_t max_rows, bool grow);
  // Adds columns up to column (0-based), named "Unnamed: N" unless a header cell named them.
  void widen_to(size_t column);
  // Places row_ in batch row `slot` when its cells are out of column order or repeat a column.
  common::Status place_unordered_row(Batch& batch, size_t slot, bool& any);
  common::Status cell_error(const xlsx::RawCell& cell, const std::string& problem) const {
    return common::invalid_input(path_ + ":" + sheet_name_ + "!" +
                                 xlsx::column_letters(static_cast<int>(cell.column)) +
                                 std::to_string(row_.number) + ": " + problem);
  }

  common::Status cell_too_long(const xlsx::RawCell& cell) const {
    return common::Status(
        common::Code::kResourceExhausted,
        cell_error(cell, "the cell's text is " + std::to_string(cell.text_size) +
                             " bytes long, more than the limit of " +
                             std::to_string(xlsx::kMaxStringBytes >> 20) + " MiB for one cell")
            .message());
  }

  std::string path_, sheet_name_, part_name_;
  size_t batch_rows_;
  std::unique_ptr<ZipArchive> zip_;
  std::unique_ptr<xlsx::PrefetchReader> part_;
  std::unique_ptr<SheetScanner> scanner_;  // reads part_, so it is declared after it and destroyed first
  SharedStrings strings_;
  std::vector<NumberKind> style_kinds_;
  CellContext context_;
  Schema schema_;
  std::vector<std::string> header_names_;  // as written, "" for an empty cell
  std::deque<Batch> window_;               // rows read ahead by read_window(), handed out first
  SheetRow row_;
  uint64_t next_min_row_ = 1;
  bool exhausted_ = false;
  std::string problem_;
};

common::Status XlsxSource::open(std::unique_ptr<ZipArchive> zip, const xlsx::WorkbookInfo& info,
                                const std::string& part, int header_row) {
  zip_ = std::move(zip);
  const std::string prefix = path_ + ": ";
  std::string styles_part = info.styles_part.empty() ? "xl/styles.xml" : info.styles_part;
  if (zip_->contains(styles_part)) {
    auto xml = zip_->read_part(styles_part, kMaxSmallPart);
    if (!xml.is_ok()) return with_prefix(prefix, xml.status());
    auto kinds = xlsx::parse_styles(*xml, styles_part);
    if (!kinds.is_ok()) return with_prefix(prefix, kinds.status());
    style_kinds_ = std::move(*kinds);
  }
  std::string strings_part =
      info.shared_strings_part.empty() ? "xl/sharedStrings.xml" : info.shared_strings_part;
  if (zip_->contains(strings_part)) {
    auto reader = zip_->open_part(strings_part);
    if (!reader.is_ok()) return with_prefix(prefix, reader.status());
    xlsx::PrefetchReader strings_reader(std::move(*reader));
    auto table = xlsx::read_shared_strings(strings_reader, strings_part, strings_reader.uncompressed_size());
    if (!table.is_ok()) return with_prefix(prefix, table.status());
    if (common::Status st = strings_reader.skip_rest(); !st.is_ok()) {
      return common::Status(st.code(), prefix + strings_part + ": " + st.message());
    }
    strings_ = std::move(*table);
  }
  context_ = {&strings_, &style_kinds_, info.date1904};
  auto reader = zip_->open_part(part);
  if (!reader.is_ok()) return with_prefix(prefix, reader.status());
  part_ = std::make_unique<xlsx::PrefetchReader>(std::move(*reader));
  part_name_ = part;
  scanner_ = std::make_unique<SheetScanner>(*part_, part);
  SLUICE_RETURN_IF_ERROR(read_header(header_row));
  return read_window();
}

common::Result<bool> XlsxSource::next_row() {
  for (;;) {
    auto more = scanner_->next_row(row_);
    if (!more.is_ok()) return with_prefix(path_ + ": ", more.status());
    if (!*more) return false;
    if (row_.number < next_min_row_) continue;
    next_min_row_ = row_.number + 1;
    return true;
  }
}

common::Status XlsxSource::read_header(int header_row) {
  const std::string where = path_ + ": sheet '" + sheet_name_ + "'";
  if (header_row < 1) return common::invalid_argument(where + ": the header row must be 1 or more");
  const uint64_t wanted = static_cast<uint64_t>(header_row);
  uint64_t last_with_data = 0;
  std::vector<Value> header;
  for (;;) {
    auto more = next_row();
    if (!more.is_ok()) return more.status();
    if (!*more) break;
    header.clear();
    bool any = false;
    for (const xlsx::RawCell& cell : row_.cells) {
      if (cell.column >= header.size()) header.resize(cell.column + 1);
      if (!xlsx::convert_cell(cell, row_.text_of(cell), context_, header[cell.column], problem_)) {
        return cell_error(cell, problem_);
      }
      any = any || !is_null(header[cell.column]);
    }
    if (!any) continue;
    if (row_.number < wanted) {
      last_with_data = row_.number;
      continue;
    }
    if (row_.number > wanted) {
      return common::invalid_input(where + ": header row " + std::to_string(wanted) +
                                   " is empty; the first row with data after it is row " +
                                   std::to_string(row_.number));
    }
    while (is_null(header.back())) header.pop_back();
    std::vector<std::string> names;
    for (const Value& v : header) names.push_back(to_text(v));
    for (size_t c = 0; c < names.size(); ++c) {
      if (names[c].find('\0') != std::string::npos) {
        // No database takes a NUL in a column name (SQLite cuts the statement there: a syntax error).
        return common::invalid_input(path_ + ":" + sheet_name_ + "!" +
                                     xlsx::column_letters(static_cast<int>(c)) + std::to_string(row_.number) +
                                     ": the header cell " + quote_text(names[c]) +
                                     " holds a NUL character (U+0000), which a column name cannot hold");
      }
    }
    header_names_ = names;
    names = internal::normalise_header_names(std::move(names));
    for (size_t c = 0; c < names.size(); ++c) {
      schema_.push_back({names[c], ColumnType::kUnknown, xlsx::column_letters(static_cast<int>(c))});
    }
    return common::Status::ok();
  }
  if (last_with_data == 0) return common::invalid_input(where + " is empty (no header row)");
  return common::invalid_input(where + ": header row " + std::to_string(wanted) +
                               " is beyond the data (the last row with data is row " +
                               std::to_string(last_with_data) + ")");
}

void XlsxSource::widen_to(size_t column) {
  if (column < schema_.size()) return;
  header_names_.resize(column + 1);
  std::vector<std::string> names = internal::normalise_header_names(header_names_);
  for (size_t c = schema_.size(); c <= column; ++c) {
    schema_.push_back({names[c], ColumnType::kUnknown, xlsx::column_letters(static_cast<int>(c))});
  }
}

common::Status XlsxSource::read_window() {
  uint64_t rows = 0;
  while (rows < kWidthWindowRows) {
    Batch batch;
    auto more =
        fill(batch, static_cast<size_t>(std::min<uint64_t>(batch_rows_, kWidthWindowRows - rows)), true);
    if (!more.is_ok()) return more.status();
    rows += batch.num_rows();
    if (batch.num_rows() > 0) window_.push_back(std::move(batch));
    if (!*more) break;
  }
  for (Batch& batch : window_) {
    for (auto& column : batch.columns) column.resize(batch.num_rows());
    batch.columns.resize(schema_.size(), std::vector<Value>(batch.num_rows()));
  }
  return common::Status::ok();
}

common::Result<bool> XlsxSource::next(Batch& batch) {
  if (!window_.empty()) {
    batch = std::move(window_.front());
    window_.pop_front();
    return true;
  }
  return fill(batch, batch_rows_, false);
}

common::Result<bool> XlsxSource::fill(Batch& batch, size_t max_rows, bool grow) {
  // Slots left from the previous batch are overwritten in place, so that their strings' storage is reused.
  size_t width = schema_.size();
  batch.columns.resize(width);
  for (auto& column : batch.columns) column.reserve(max_rows);
  batch.source_rows.clear();
  size_t filled = 0;
  uint64_t text_bytes = 0;  // bounds the batch by bytes too: a few huge strings must not fill batch_rows rows
  while (!exhausted_ && filled < max_rows && text_bytes < kMaxBatchTextBytes) {
    auto more = next_row();
    if (!more.is_ok()) return more.status();
    if (!*more) {
      exhausted_ = true;
      if (common::Status st = part_->skip_rest(); !st.is_ok()) {
        return common::Status(st.code(), path_ + ": " + part_name_ + ": " + st.message());
      }
      break;
    }
    // Cells come in column order from every writer; merge them with the columns in one pass.
    const std::vector<xlsx::RawCell>& cells = row_.cells;
    size_t next_cell = 0;
    bool any = false;
    for (size_t c = 0; c < width; ++c) {
      std::vector<Value>& column = batch.columns[c];
      if (column.size() <= filled) column.emplace_back();
      Value& slot = column[filled];
      if (next_cell < cells.size() && cells[next_cell].column == c) {
        const xlsx::RawCell& cell = cells[next_cell++];
        if (cell.text_size > xlsx::kMaxStringBytes) return cell_too_long(cell);
        if (!xlsx::convert_cell(cell, row_.text_of(cell), context_, slot, problem_))
          return cell_error(cell, problem_);
        if (const auto* text = std::get_if<std::string>(&slot)) text_bytes += text->size();
        any = any || !is_null(slot);
      } else {
        slot = std::monostate{};
      }
    }
    for (size_t k = next_cell; k < cells.size(); ++k) {
      if (cells[k].column >= width) {
        // Right of the last column: a column of its own (pandas keeps it as "Unnamed: N") while the
        // columns are being found; after that, an error rather than a silent drop.
        Value value;
        if (cells[k].text_size > xlsx::kMaxStringBytes) return cell_too_long(cells[k]);
        if (!xlsx::convert_cell(cells[k], row_.text_of(cells[k]), context_, value, problem_))
          return cell_error(cells[k], problem_);
        if (is_null(value)) continue;
        if (!grow) {
          return cell_error(cells[k],
                            "a value right of the last column (" +
                                xlsx::column_letters(static_cast<int>(width - 1)) +
                                "); the columns are the header's and those with values in the first " +
                                std::to_string(kWidthWindowRows) + " rows");
        }
        widen_to(cells[k].column);
        width = schema_.size();
        batch.columns.resize(width);
        for (auto& column : batch.columns) column.resize(filled + 1);
      }
      SLUICE_RETURN_IF_ERROR(place_unordered_row(batch, filled, any));
      break;
    }
    if (any) {
      batch.source_rows.push_back(row_.number);
      ++filled;
    }
  }
  for (auto& column : batch.columns) column.resize(filled);
  batch.bytes_consumed = part_->compressed_read();
  return filled > 0;
}

common::Status XlsxSource::place_unordered_row(Batch& batch, size_t slot, bool& any) {
  for (auto& column : batch.columns) column[slot] = std::monostate{};
  any = false;
  for (const xlsx::RawCell& cell : row_.cells) {
    if (cell.column >= batch.columns.size()) continue;
    Value& value = batch.columns[cell.column][slot];  // a later cell for the same column wins, as in openpyxl
    if (!xlsx::convert_cell(cell, row_.text_of(cell), context_, value, problem_))
      return cell_error(cell, problem_);
  }
  for (auto& column : batch.columns) any = any || !is_null(column[slot]);
  return common::Status::ok();
}

}  // namespace

namespace internal {

common::Result<std::unique_ptr<Source>> open_xlsx(const std::string& path, const SourceOptions& options) {
  const std::string prefix = path + ": ";
  auto zip = ZipArchive::open(path);
  if (!zip.is_ok()) return with_prefix(prefix, zip.status());
  std::string root_rels;
  if ((*zip)->contains("_rels/.rels")) {
    auto xml = (*zip)->read_part("_rels/.rels", kMaxSmallPart);
    if (!xml.is_ok()) return with_prefix(prefix, xml.status());
    root_rels = std::move(*xml);
  }
  auto workbook_part = xlsx::find_workbook_part(root_rels);
  if (!workbook_part.is_ok()) return with_prefix(prefix, workbook_part.status());
  if (!(*zip)->contains(*workbook_part)) {
    return common::invalid_input(prefix + "not an .xlsx workbook (the zip has no " + *workbook_part + ")");
  }
  auto workbook_xml = (*zip)->read_part(*workbook_part, kMaxSmallPart);
  if (!workbook_xml.is_ok()) return with_prefix(prefix, workbook_xml.status());
  std::string rels_xml;
  if (const std::string rels = xlsx::relationships_part(*workbook_part); (*zip)->contains(rels)) {
    auto xml = (*zip)->read_part(rels, kMaxSmallPart);
    if (!xml.is_ok()) return with_prefix(prefix, xml.status());
    rels_xml = std::move(*xml);
  }
  auto info = xlsx::parse_workbook(*workbook_xml, rels_xml, *workbook_part);
  if (!info.is_ok()) return with_prefix(prefix, info.status());
  auto index = xlsx::select_sheet(*info, options.sheet);
  if (!index.is_ok()) return with_prefix(prefix, index.status());
  const xlsx::SheetEntry& sheet = info->sheets[*index];
  if (!sheet.worksheet) {
    return common::Status(common::Code::kUnsupported,
                          prefix + "sheet '" + sheet.name + "' is a chart sheet, not a worksheet");
  }
  if (sheet.part.empty() || !(*zip)->contains(sheet.part)) {
    return common::invalid_input(prefix + "sheet '" + sheet.name + "' has no worksheet part in the zip" +
                                 (sheet.part.empty() ? "" : " (" + sheet.part + " is missing)"));
  }
  auto source = std::make_unique<XlsxSource>(path, sheet.name, options.batch_rows);
  SLUICE_RETURN_IF_ERROR(source->open(std::move(*zip), *info, sheet.part, options.header_row));
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace internal

}  // namespace sluice::etl
