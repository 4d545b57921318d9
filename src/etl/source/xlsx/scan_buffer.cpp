#include "etl/source/xlsx/scan_buffer.h"

#include <algorithm>
#include <cstring>

namespace sluice::etl::xlsx {

ScanBuffer::ScanBuffer(ByteReader& reader, size_t capacity)
    : reader_(reader), data_(new char[capacity]), capacity_(capacity) {}

common::Status ScanBuffer::refill() {
  if (eof_) return common::Status::ok();
  if (pos_ > 0) {
    std::memmove(data_.get(), data_.get() + pos_, end_ - pos_);
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == capacity_) {
    if (capacity_ >= kMaxCapacity) {
      return common::Status(common::Code::kResourceExhausted,
                            "an XML element is larger than " + std::to_string(kMaxCapacity >> 20) + " MiB");
    }
    const size_t grown = std::min(capacity_ * 2, kMaxCapacity);
    std::unique_ptr<char[]> bigger(new char[grown]);
    std::memcpy(bigger.get(), data_.get(), end_);
    data_ = std::move(bigger);
    capacity_ = grown;
  }
  auto got = reader_.read(data_.get() + end_, capacity_ - end_);
  if (!got.is_ok()) return got.status();
  if (*got == 0) eof_ = true;
  end_ += *got;
  return common::Status::ok();
}

common::Result<size_t> MemoryReader::read(char* dst, size_t n) {
  const size_t take = std::min({n, chunk_, bytes_.size() - pos_});
  std::memcpy(dst, bytes_.data() + pos_, take);
  pos_ += take;
  return take;
}

}  // namespace sluice::etl::xlsx
