#pragma once
// Reads the parts of an .xlsx (a zip archive) one at a time. libzip finds the entries and hands out their
// raw compressed bytes; this unit inflates them itself with zlib (raw deflate), so that a part streams
// through a fixed buffer and the compressed bytes consumed are known exactly, for progress.
//
// Messages in the errors returned here say what is wrong without naming the file; callers prefix the path.
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "etl/source/xlsx/scan_buffer.h"

struct zip;

namespace sluice::etl::xlsx {

class PartReader;

// A part is never inflated beyond the size the zip directory declares for it (reading fails at the first
// byte past it), and a part declared larger than kMaxRatioFreeBytes may not declare more than
// kMaxCompressionRatio times its compressed size: real worksheets compress 5- to 100-fold, while a run of
// one repeated byte, a zip bomb's payload, inflates about 1030-fold under deflate.
inline constexpr uint64_t kMaxRatioFreeBytes = uint64_t{1} << 20;
inline constexpr uint64_t kMaxCompressionRatio = 1000;

class ZipArchive {
 public:
  // Fails (kInvalidInput) when path is not a readable zip archive.
  static common::Result<std::unique_ptr<ZipArchive>> open(const std::string& path);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  // Part names are matched without regard to case, as OPC requires.
  bool contains(const std::string& part) const;
  // The whole content of a small part (workbook.xml, styles.xml); fails when it is larger than max_bytes.
  common::Result<std::string> read_part(const std::string& part, uint64_t max_bytes);
  // A streaming reader over a part's uncompressed bytes. The reader must not outlive this archive.
  common::Result<std::unique_ptr<PartReader>> open_part(const std::string& part);

 private:
  explicit ZipArchive(::zip* archive) : archive_(archive) {}
  ::zip* archive_;
};

class PartReader : public ByteReader {
 public:
  ~PartReader() override;
  // Fails (kInvalidInput) on corrupt compressed data, a size or CRC-32 that disagrees with the directory.
  common::Result<size_t> read(char* dst, size_t n) override;

  // Reads and discards the rest of the part, so that its size and CRC-32 are checked (a scanner stops at
  // the data it needs; a sheet's page setup and the like follow its cells).
  common::Status skip_rest();

  uint64_t compressed_size() const { return compressed_size_; }
  uint64_t uncompressed_size() const { return uncompressed_size_; }
  // Compressed bytes taken from the archive so far.
  uint64_t compressed_read() const { return compressed_read_; }

 private:
  friend class ZipArchive;
  struct Impl;
  PartReader(std::unique_ptr<Impl> impl, uint64_t compressed_size, uint64_t uncompressed_size);
  common::Result<size_t> fetch_input();
  // Fill dst with up to n bytes of a stored or a deflated entry; ended is set at the end of the data.
  common::Result<size_t> read_stored(char* dst, size_t n, bool& ended);
  common::Result<size_t> inflate_into(char* dst, size_t n, bool& ended);
  // Checks the size and CRC-32 once all data is read.
  common::Status finish();

  std::unique_ptr<Impl> impl_;
  uint64_t compressed_size_, uncompressed_size_;
  uint64_t compressed_read_ = 0, uncompressed_read_ = 0;
  bool done_ = false;
};

}  // namespace sluice::etl::xlsx
