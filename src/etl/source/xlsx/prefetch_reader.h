#pragma once
// Inflates a zip part on a thread of its own, a few chunks ahead of the XML scanner that reads it. Inflating
// (zlib, ~1 GB/s) and scanning (~1.5 GB/s) are each about half of the parse; overlapping them brings the
// parse close to the inflate time alone. Memory: `depth` chunks of `chunk_bytes`.
//
// Thread-safety: read(), skip_rest() and compressed_read() are called from one consumer thread; the
// PartReader is used only by the prefetch thread from construction until the destructor has joined it.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "etl/source/xlsx/scan_buffer.h"
#include "etl/source/xlsx/zip_part.h"

namespace sluice::etl::xlsx {

class PrefetchReader final : public ByteReader {
 public:
  static constexpr size_t kChunkBytes = size_t{256} << 10;
  static constexpr size_t kDepth = 4;

  explicit PrefetchReader(std::unique_ptr<PartReader> part, size_t chunk_bytes = kChunkBytes,
                          size_t depth = kDepth);
  ~PrefetchReader() override;
  PrefetchReader(const PrefetchReader&) = delete;
  PrefetchReader& operator=(const PrefetchReader&) = delete;

  common::Result<size_t> read(char* dst, size_t n) override;
  // Reads and discards the rest, so the part's size and CRC-32 are checked (see PartReader::skip_rest).
  common::Status skip_rest();
  // Compressed bytes behind the data handed out so far (for progress).
  uint64_t compressed_read() const { return compressed_read_; }
  uint64_t compressed_size() const { return compressed_size_; }
  uint64_t uncompressed_size() const { return uncompressed_size_; }

 private:
  struct Chunk {
    std::vector<char> data;
    size_t size = 0;
    uint64_t compressed_read = 0;
    common::Status status;  // set on the last chunk when the part failed
    bool last = false;      // no chunk follows (end of part, or failure)
  };
  void produce();
  // The next filled chunk, waiting for the prefetch thread.
  Chunk take();

  std::unique_ptr<PartReader> part_;
  const size_t chunk_bytes_, depth_;
  const uint64_t compressed_size_, uncompressed_size_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Chunk> ready_;
  std::vector<std::vector<char>> free_;
  bool stop_ = false;

  // Consumer side.
  Chunk current_;
  size_t offset_ = 0;
  bool finished_ = false;
  common::Status final_status_;
  uint64_t compressed_read_ = 0;

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace sluice::etl::xlsx
