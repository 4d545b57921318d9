#pragma once
// A sliding window over a part's bytes for the XML scanners. The scanners read whole items (a cell, a shared
// string) from the window; when an item runs past its end they refill, which keeps the unread bytes and reads
// more after them, and scan the item again. Memory stays at the window size unless a single item is larger,
// in which case the window doubles up to a limit.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace sluice::etl::xlsx {

// Where a part's bytes come from: the zip entry being inflated or, in tests, a string.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to n (> 0) bytes into dst; returns 0 only at the end of the part.
  virtual common::Result<size_t> read(char* dst, size_t n) = 0;
};

class ScanBuffer {
 public:
  static constexpr size_t kDefaultCapacity = size_t{256} << 10;
  static constexpr size_t kMaxCapacity = size_t{256} << 20;

  explicit ScanBuffer(ByteReader& reader, size_t capacity = kDefaultCapacity);

  const char* pos() const { return data_.get() + pos_; }
  const char* end() const { return data_.get() + end_; }
  // Marks everything before p as read.
  void consume_to(const char* p) { pos_ = static_cast<size_t>(p - data_.get()); }
  bool at_eof() const { return eof_; }
  // Offset in the part of a position in the window, for error messages.
  uint64_t offset_of(const char* p) const { return base_ + static_cast<uint64_t>(p - data_.get()); }

  // Keeps [pos(), end()) and reads more after it; at the end of the part sets at_eof() instead. Fails when
  // the reader fails or one item would need more than kMaxCapacity bytes.
  common::Status refill();

 private:
  ByteReader& reader_;
  std::unique_ptr<char[]> data_;
  size_t capacity_;
  size_t pos_ = 0, end_ = 0;
  uint64_t base_ = 0;  // part offset of data_[0]
  bool eof_ = false;
};

// A ByteReader over bytes in memory, handing them out at most chunk bytes at a time (tests use small chunks
// to make every item straddle a refill).
class MemoryReader : public ByteReader {
 public:
  explicit MemoryReader(std::string bytes, size_t chunk = size_t{1} << 20)
      : bytes_(std::move(bytes)), chunk_(chunk == 0 ? 1 : chunk) {}
  common::Result<size_t> read(char* dst, size_t n) override;

 private:
  std::string bytes_;
  size_t chunk_;
  size_t pos_ = 0;
};

}  // namespace sluice::etl::xlsx
