#pragma once
// Bounds-checked reads of fixed-width integers from untrusted bytes, for the header and metadata parsers.
// Every read says whether it fitted; none ever touches memory outside the view.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::serve::vision::internal {

class ByteReader {
 public:
  ByteReader(std::string_view bytes, bool big_endian) : bytes_(bytes), big_endian_(big_endian) {}

  size_t size() const { return bytes_.size(); }
  bool has(size_t offset, size_t count) const {
    return offset <= bytes_.size() && count <= bytes_.size() - offset;
  }
  // The view [offset, offset + count), or false when it does not fit.
  bool view(size_t offset, size_t count, std::string_view* out) const {
    if (!has(offset, count)) return false;
    *out = bytes_.substr(offset, count);
    return true;
  }
  bool u8(size_t offset, uint32_t* out) const { return read(offset, 1, out); }
  bool u16(size_t offset, uint32_t* out) const { return read(offset, 2, out); }
  bool u24(size_t offset, uint32_t* out) const { return read(offset, 3, out); }
  bool u32(size_t offset, uint32_t* out) const { return read(offset, 4, out); }
  bool u64(size_t offset, uint64_t* out) const {
    uint32_t a = 0;
    uint32_t b = 0;
    if (!u32(offset, &a) || !u32(offset + 4, &b)) return false;
    *out = big_endian_ ? (uint64_t{a} << 32 | b) : (uint64_t{b} << 32 | a);
    return true;
  }

 private:
  bool read(size_t offset, size_t width, uint32_t* out) const {
    if (!has(offset, width)) return false;
    uint32_t v = 0;
    for (size_t i = 0; i < width; ++i) {
      const auto byte = static_cast<uint8_t>(bytes_[offset + (big_endian_ ? i : width - 1 - i)]);
      v = v << 8 | byte;
    }
    *out = v;
    return true;
  }

  std::string_view bytes_;
  bool big_endian_;
};

}  // namespace sluice::serve::vision::internal
