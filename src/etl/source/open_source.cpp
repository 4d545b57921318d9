#include <algorithm>
#include <cstring>
#include <fstream>
#include <string_view>

#include "etl/source/source.h"

namespace sluice::etl {

namespace {
bool has_extension(const std::string& path, std::initializer_list<std::string_view> extensions) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](std::string_view ext) { return lower.ends_with(ext); });
}

// An OLE2/CFB container holding an "EncryptionInfo" stream is an Office file protected by a password; the
// stream names are UTF-16LE in the directory sectors.
bool cfb_is_encrypted_ooxml(std::ifstream& in) {
  static const std::string kName = [] {
    std::string s;
    for (char c : std::string_view("EncryptionInfo")) {
      s += c;
      s += '\0';
    }
    return s;
  }();
  in.clear();
  in.seekg(0);
  std::string buf(1 << 16, '\0');
  std::string tail;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    std::string chunk = tail + buf.substr(0, static_cast<size_t>(in.gcount()));
    if (chunk.find(kName) != std::string::npos) return true;
    tail = chunk.substr(chunk.size() > kName.size() ? chunk.size() - kName.size() : 0);
  }
  return false;
}
}  // namespace

common::Result<std::unique_ptr<Source>> open_source(const std::string& path, const SourceOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::not_found(path + ": cannot open file (" + std::strerror(errno) + ")");
  char magic[8] = {};
  in.read(magic, sizeof magic);
  const auto got = in.gcount();
  if (got >= 4 && std::memcmp(magic, "PK\x03\x04", 4) == 0) return internal::open_xlsx(path, options);
  if (got == 8 && std::memcmp(magic, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
    if (cfb_is_encrypted_ooxml(in)) {
      return common::unsupported(path +
                                 ": the workbook is password-protected (encrypted Office file); save it "
                                 "without a password and try again");
    }
    return common::unsupported(path +
                               ": this is a legacy Excel 97-2003 (.xls) file, which is not supported; save "
                               "it as .xlsx or .csv");
  }
  if (has_extension(path, {".csv", ".tsv", ".txt"})) return internal::open_csv(path, options);
  if (has_extension(path, {".xlsx", ".xlsm"})) {
    return common::invalid_input(path + ": not an .xlsx workbook (the file is not a zip archive)");
  }
  if (has_extension(path, {".xls"})) {
    return common::invalid_input(path + ": not an Excel workbook (no .xls or .xlsx signature)");
  }
  return common::invalid_argument(path +
                                  ": unknown input format (expected an .xlsx workbook or a .csv/.tsv file)");
}

}  // namespace sluice::etl
