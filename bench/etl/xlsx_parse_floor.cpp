// How close the .xlsx reader gets to the floor: the time zlib alone needs to inflate the sheet and the shared
// strings, beside the time the reader needs to inflate, scan and convert them into Batches, measured in the
// same run on the same file. The target (issue: streaming .xlsx Source) is full parse <= 2x inflate-only.
//
//   xlsx_parse_floor FILE.xlsx [--runs N]            measure FILE (best of N runs, default 3)
//   xlsx_parse_floor --generate ROWS FILE.xlsx       write a mock-users workbook first (libxlsxwriter, shared
//                                                    strings as Excel writes them), then measure it
#include <sys/resource.h>
#include <xlsxwriter.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "etl/source/source.h"
#include "etl/source/xlsx/workbook.h"
#include "etl/source/xlsx/zip_part.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// 1 header row and `rows` mock users: id, first_name, last_name, email, gender, ip_address.
bool generate(const std::string& path, long rows) {
  static const char* kFirst[] = {"Ann",   "Bob",   "Carla", "Dmitri", "Eve",  "Farid", "Grace",
                                 "Hiro",  "Ines",  "Jonas", "Kemal",  "Lena", "Mateo", "Nia",
                                 "Oskar", "Priya", "Quinn", "Rosa",   "Sven", "Tara"};
  static const char* kLast[] = {"Smith",   "Okafor", "Nguyen",  "Müller", "García",    "Kowalski",
                                "Tanaka",  "Rossi",  "Dubois",  "Silva",  "Johansson", "Novak",
                                "Ivanova", "Haddad", "O'Brien", "Kim"};
  static const char* kGender[] = {"Female", "Male", "Non-binary", "Genderfluid", "Agender", "Polygender"};
  std::mt19937 rng(42);
  auto octet = [](std::mt19937& g) { return static_cast<unsigned>(g() % 256); };
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(book, "users");
  const char* header[] = {"id", "first_name", "last_name", "email", "gender", "ip_address"};
  for (lxw_col_t c = 0; c < 6; ++c) worksheet_write_string(sheet, 0, c, header[c], nullptr);
  char email[128], ip[32];
  for (long r = 1; r <= rows; ++r) {
    const char* first = kFirst[rng() % std::size(kFirst)];
    const char* last = kLast[rng() % std::size(kLast)];
    std::snprintf(email, sizeof email, "%c%s%ld@example.%s", first[0] | 0x20, last, r,
                  (r % 3) ? "com" : "org");
    std::snprintf(ip, sizeof ip, "%u.%u.%u.%u", octet(rng), octet(rng), octet(rng), octet(rng));
    const auto row = static_cast<lxw_row_t>(r);
    worksheet_write_number(sheet, row, 0, static_cast<double>(r), nullptr);
    worksheet_write_string(sheet, row, 1, first, nullptr);
    worksheet_write_string(sheet, row, 2, last, nullptr);
    worksheet_write_string(sheet, row, 3, email, nullptr);
    worksheet_write_string(sheet, row, 4, kGender[rng() % std::size(kGender)], nullptr);
    worksheet_write_string(sheet, row, 5, ip, nullptr);
  }
  return workbook_close(book) == LXW_NO_ERROR;
}

struct PartSizes {
  uint64_t compressed = 0, uncompressed = 0;
};

// zlib alone: raw inflate of a part's compressed bytes into a 256 KiB buffer that is thrown away.
double inflate_only(zip_t* archive, const std::string& part, PartSizes& sizes) {
  const zip_int64_t index = zip_name_locate(archive, part.c_str(), ZIP_FL_NOCASE);
  if (index < 0) return 0;
  zip_stat_t st;
  zip_stat_index(archive, static_cast<zip_uint64_t>(index), 0, &st);
  sizes = {st.comp_size, st.size};
  const auto start = Clock::now();
  zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(index), ZIP_FL_COMPRESSED);
  std::vector<unsigned char> in(64 << 10), out(256 << 10);
  z_stream z{};
  inflateInit2(&z, -MAX_WBITS);
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (z.avail_in == 0) {
      const zip_int64_t got = zip_fread(file, in.data(), in.size());
      if (got <= 0) break;
      z.next_in = in.data();
      z.avail_in = static_cast<uInt>(got);
    }
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
  }
  inflateEnd(&z);
  zip_fclose(file);
  return seconds_since(start);
}

struct ParseRun {
  double open_seconds = 0, total_seconds = 0;
  uint64_t rows = 0, cells = 0;
};

bool full_parse(const std::string& path, ParseRun& run) {
  const auto start = Clock::now();
  auto source = sluice::etl::open_source(path, {});
  if (!source.is_ok()) {
    std::fprintf(stderr, "%s\n", source.status().message().c_str());
    return false;
  }
  run.open_seconds = seconds_since(start);
  sluice::etl::Batch batch;
  for (;;) {
    auto more = (*source)->next(batch);
    if (!more.is_ok()) {
      std::fprintf(stderr, "%s\n", more.status().message().c_str());
      return false;
    }
    if (!*more) break;
    run.rows += batch.num_rows();
    for (const auto& column : batch.columns) {
      for (const auto& v : column) run.cells += !sluice::etl::is_null(v);
    }
  }
  run.total_seconds = seconds_since(start);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  long generate_rows = 0;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--generate" && i + 1 < argc)
      generate_rows = std::atol(argv[++i]);
    else if (arg == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else
      path = arg;
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: xlsx_parse_floor [--generate ROWS] [--runs N] FILE.xlsx\n");
    return 2;
  }
  if (generate_rows > 0) {
    const auto start = Clock::now();
    if (!generate(path, generate_rows)) return 1;
    std::printf("generated %s: %ld rows x 6 columns in %.1f s\n", path.c_str(), generate_rows,
                seconds_since(start));
  }

  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) {
    std::fprintf(stderr, "%s: not a zip archive\n", path.c_str());
    return 1;
  }
  std::string rels, book_xml, book_rels;
  auto read = [&](const std::string& part) {
    zip_stat_t st;
    zip_file_t* f = zip_fopen(archive, part.c_str(), ZIP_FL_NOCASE);
    if (f == nullptr || zip_stat(archive, part.c_str(), ZIP_FL_NOCASE, &st) != 0) return std::string();
    std::string s(st.size, '\0');
    zip_fread(f, s.data(), s.size());
    zip_fclose(f);
    return s;
  };
  auto book_part = sluice::etl::xlsx::find_workbook_part(read("_rels/.rels"));
  auto info = sluice::etl::xlsx::parse_workbook(
      read(book_part.value()), read(sluice::etl::xlsx::relationships_part(book_part.value())),
      book_part.value());
  if (!info.is_ok() || info->sheets.empty()) {
    std::fprintf(stderr, "%s: cannot read the workbook's sheets\n", path.c_str());
    return 1;
  }
  const std::string sheet_part = info->sheets[sluice::etl::xlsx::select_sheet(*info, "").value()].part;
  const std::string strings_part = info->shared_strings_part;

  double best_inflate_sheet = 1e30, best_inflate_strings = 1e30, best_open = 1e30, best_parse = 1e30;
  PartSizes sheet_sizes, string_sizes;
  ParseRun run;
  for (int r = 0; r < runs; ++r) {
    best_inflate_sheet = std::min(best_inflate_sheet, inflate_only(archive, sheet_part, sheet_sizes));
    best_inflate_strings = strings_part.empty() ? 0
                                                : std::min(best_inflate_strings,
                                                           inflate_only(archive, strings_part, string_sizes));
    run = {};
    if (!full_parse(path, run)) return 1;
    best_open = std::min(best_open, run.open_seconds);
    best_parse = std::min(best_parse, run.total_seconds);
  }
  zip_close(archive);

  const double mb = 1e6;
  const double inflate = best_inflate_sheet + best_inflate_strings;
  const double xml_mb = static_cast<double>(sheet_sizes.uncompressed + string_sizes.uncompressed) / mb;
  std::printf("file: %s (%llu rows, %llu non-empty cells read)\n", path.c_str(),
              static_cast<unsigned long long>(run.rows), static_cast<unsigned long long>(run.cells));
  std::printf(
      "parts: %s %.1f MB (%.1f MB compressed), %s %.1f MB (%.1f MB compressed)\n", sheet_part.c_str(),
      static_cast<double>(sheet_sizes.uncompressed) / mb, static_cast<double>(sheet_sizes.compressed) / mb,
      strings_part.empty() ? "(no shared strings)" : strings_part.c_str(),
      static_cast<double>(string_sizes.uncompressed) / mb, static_cast<double>(string_sizes.compressed) / mb);
  std::printf("best of %d runs:\n", runs);
  std::printf("  %-34s %8.3f s  %7.0f MB/s of XML\n", "inflate only (zlib, both parts)", inflate,
              xml_mb / inflate);
  std::printf("  %-34s %8.3f s  %7.0f MB/s of XML\n", "full parse (sluice reader)", best_parse,
              xml_mb / best_parse);
  std::printf("  %-34s %8.3f s\n", "  of which open + shared strings", best_open);
  std::printf("  ratio full/inflate: %.2fx (target <= 2x)\n", best_parse / inflate);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS: %.0f MB\n", static_cast<double>(usage.ru_maxrss) / 1024);
  return 0;
}
