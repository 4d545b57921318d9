#include "etl/source/xlsx/prefetch_reader.h"

#include <cstring>

namespace sluice::etl::xlsx {

PrefetchReader::PrefetchReader(std::unique_ptr<PartReader> part, size_t chunk_bytes, size_t depth)
    : part_(std::move(part)),
      chunk_bytes_(chunk_bytes == 0 ? 1 : chunk_bytes),
      depth_(depth == 0 ? 1 : depth),
      compressed_size_(part_->compressed_size()),
      uncompressed_size_(part_->uncompressed_size()) {
  for (size_t i = 0; i < depth_; ++i) free_.emplace_back(chunk_bytes_);
  thread_ = std::thread([this] { produce(); });
}

PrefetchReader::~PrefetchReader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void PrefetchReader::produce() {
  for (;;) {
    Chunk chunk;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stop_ || !free_.empty(); });
      if (stop_) return;
      chunk.data = std::move(free_.back());
      free_.pop_back();
    }
    // Fill the whole chunk: the PartReader hands out what one inflate call yields, often less.
    while (chunk.size < chunk_bytes_) {
      auto got = part_->read(chunk.data.data() + chunk.size, chunk_bytes_ - chunk.size);
      if (!got.is_ok()) {
        chunk.status = got.status();
        chunk.last = true;
        break;
      }
      if (*got == 0) {
        chunk.last = true;
        break;
      }
      chunk.size += *got;
    }
    chunk.compressed_read = part_->compressed_read();
    const bool last = chunk.last;
    {
      std::lock_guard lock(mu_);
      ready_.push_back(std::move(chunk));
    }
    changed_.notify_all();
    if (last) return;
  }
}

PrefetchReader::Chunk PrefetchReader::take() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return !ready_.empty(); });
  Chunk chunk = std::move(ready_.front());
  ready_.pop_front();
  return chunk;
}

common::Result<size_t> PrefetchReader::read(char* dst, size_t n) {
  while (offset_ == current_.size) {
    if (finished_) {
      if (!final_status_.is_ok()) return final_status_;
      return size_t{0};
    }
    if (!current_.data.empty()) {
      {
        std::lock_guard lock(mu_);
        free_.push_back(std::move(current_.data));
      }
      changed_.notify_all();
    }
    current_ = take();
    offset_ = 0;
    compressed_read_ = current_.compressed_read;
    if (current_.last) {
      finished_ = true;
      final_status_ = current_.status;
    }
  }
  const size_t k = std::min(n, current_.size - offset_);
  std::memcpy(dst, current_.data.data() + offset_, k);
  offset_ += k;
  return k;
}

common::Status PrefetchReader::skip_rest() {
  char sink[1 << 16];
  for (;;) {
    auto got = read(sink, sizeof sink);
    if (!got.is_ok()) return got.status();
    if (*got == 0) return {};
  }
}

}  // namespace sluice::etl::xlsx
