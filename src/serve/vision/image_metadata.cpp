#include "serve/vision/image_metadata.h"

#include <cstring>

#include "serve/vision/byte_reader.h"

namespace sluice::serve::vision::internal {
namespace {

constexpr uint8_t kSos = 0xDA;
constexpr uint8_t kEoi = 0xD9;
constexpr uint8_t kApp1 = 0xE1;

bool is_standalone(uint8_t marker) {
  return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8);  // TEM, RST0-7, SOI
}

uint8_t byte_at(std::string_view bytes, size_t i) { return static_cast<uint8_t>(bytes[i]); }

constexpr std::string_view kExifPrefix{"Exif\0\0", 6};

std::string_view strip_exif_prefix(std::string_view exif) {
  return exif.substr(0, kExifPrefix.size()) == kExifPrefix ? exif.substr(kExifPrefix.size()) : exif;
}

std::string_view jpeg_exif(std::string_view bytes) {
  JpegWalker walker(bytes);
  JpegSegment segment;
  while (walker.next(&segment) == JpegStep::kSegment && segment.marker != kSos) {
    if (segment.marker == kApp1 && segment.payload.substr(0, kExifPrefix.size()) == kExifPrefix) {
      return segment.payload.substr(kExifPrefix.size());
    }
  }
  return {};
}

std::string_view png_exif(std::string_view bytes) {
  const ByteReader reader(bytes, /*big_endian=*/true);
  size_t pos = 8;  // past the signature
  uint32_t length = 0;
  std::string_view kind;
  while (reader.u32(pos, &length) && reader.view(pos + 4, 4, &kind)) {
    std::string_view data;
    if (!reader.view(pos + 8, length, &data)) return {};
    if (kind == "eXIf") return strip_exif_prefix(data);
    if (kind == "IEND") return {};
    pos += size_t{12} + length;
  }
  return {};
}

std::string_view webp_exif(std::string_view bytes) {
  const ByteReader reader(bytes, /*big_endian=*/false);
  size_t pos = 12;  // past "RIFF", the size and "WEBP"
  uint32_t length = 0;
  std::string_view kind;
  while (reader.view(pos, 4, &kind) && reader.u32(pos + 4, &length)) {
    std::string_view data;
    if (!reader.view(pos + 8, length, &data)) return {};
    if (kind == "EXIF") return strip_exif_prefix(data);
    pos += size_t{8} + length + (length & 1);
  }
  return {};
}

}  // namespace

JpegStep JpegWalker::next(JpegSegment* segment) {
  const size_t size = bytes_.size();
  if (in_scan_) {
    in_scan_ = false;
    for (;; ++pos_) {
      const void* ff = pos_ < size ? std::memchr(bytes_.data() + pos_, 0xFF, size - pos_) : nullptr;
      if (ff == nullptr) return JpegStep::kTruncated;
      pos_ = static_cast<size_t>(static_cast<const char*>(ff) - bytes_.data());
      if (pos_ + 1 >= size) return JpegStep::kTruncated;
      const uint8_t following = byte_at(bytes_, pos_ + 1);
      if (following != 0x00 && following != 0xFF && !(following >= 0xD0 && following <= 0xD7)) break;
    }
  }
  // libjpeg skips stray bytes before a marker with a warning; so do we.
  while (pos_ < size && byte_at(bytes_, pos_) != 0xFF) ++pos_;
  while (pos_ < size && byte_at(bytes_, pos_) == 0xFF) ++pos_;
  if (pos_ >= size) return JpegStep::kTruncated;
  const uint8_t marker = byte_at(bytes_, pos_++);
  if (marker == kEoi) return JpegStep::kEnd;
  segment->marker = marker;
  segment->payload = {};
  if (is_standalone(marker)) return JpegStep::kSegment;
  uint32_t length = 0;
  if (!ByteReader(bytes_, /*big_endian=*/true).u16(pos_, &length)) return JpegStep::kTruncated;
  if (length < 2) return JpegStep::kCorrupt;
  if (pos_ + length > size) return JpegStep::kTruncated;
  segment->payload = bytes_.substr(pos_ + 2, length - 2);
  pos_ += length;
  in_scan_ = marker == kSos;
  return JpegStep::kSegment;
}

bool jpeg_is_complete(std::string_view bytes) {
  JpegWalker walker(bytes);
  JpegSegment segment;
  for (;;) {
    switch (walker.next(&segment)) {
      case JpegStep::kSegment:
        continue;
      case JpegStep::kEnd:
        return true;
      case JpegStep::kTruncated:
      case JpegStep::kCorrupt:
        return false;
    }
  }
}

bool read_tiff_ifd0(std::string_view bytes, TiffTags* tags) {
  if (bytes.size() < 8) return false;
  bool big_endian = false;
  if (bytes.substr(0, 2) == "MM") {
    big_endian = true;
  } else if (bytes.substr(0, 2) != "II") {
    return false;
  }
  const ByteReader reader(bytes, big_endian);
  uint32_t magic = 0;
  reader.u16(2, &magic);
  const bool big_tiff = magic == 43;
  if (magic != 42 && !big_tiff) return false;

  uint64_t ifd = 0;
  uint64_t count = 0;
  size_t entry_size = 12;
  size_t value_offset = 8;  // of the value field within an entry
  size_t first_entry = 2;
  if (big_tiff) {
    uint32_t offset_size = 0;
    if (!reader.u16(4, &offset_size) || offset_size != 8 || !reader.u64(8, &ifd)) return false;
    if (ifd > bytes.size() || !reader.u64(static_cast<size_t>(ifd), &count)) return false;
    entry_size = 20;
    value_offset = 12;
    first_entry = 8;
  } else {
    uint32_t ifd32 = 0;
    uint32_t count16 = 0;
    if (!reader.u32(4, &ifd32) || !reader.u16(ifd32, &count16)) return false;
    ifd = ifd32;
    count = count16;
  }
  for (uint64_t i = 0; i < count; ++i) {
    const size_t entry = static_cast<size_t>(ifd) + first_entry + static_cast<size_t>(i) * entry_size;
    uint32_t tag = 0;
    uint32_t type = 0;
    if (!reader.has(entry, entry_size) || !reader.u16(entry, &tag) || !reader.u16(entry + 2, &type)) break;
    uint64_t value = 0;
    uint32_t v32 = 0;
    if (type == 3 && reader.u16(entry + value_offset, &v32)) {  // SHORT
      value = v32;
    } else if (type == 4 && reader.u32(entry + value_offset, &v32)) {  // LONG
      value = v32;
    } else if (type == 16 && big_tiff && reader.u64(entry + value_offset, &value)) {  // LONG8
    } else {
      continue;
    }
    const auto clamped = static_cast<int64_t>(value > (uint64_t{1} << 62) ? uint64_t{1} << 62 : value);
    if (tag == 256) tags->width = clamped;
    if (tag == 257) tags->height = clamped;
    if (tag == 274 && type == 3) tags->orientation = static_cast<int>(value);
  }
  return true;
}

int exif_orientation(std::string_view bytes, ImageType type) {
  std::string_view tiff;
  switch (type) {
    case ImageType::kJpeg:
      tiff = jpeg_exif(bytes);
      break;
    case ImageType::kTiff:
      tiff = bytes;
      break;
    case ImageType::kPng:
      tiff = png_exif(bytes);
      break;
    case ImageType::kWebp:
      tiff = webp_exif(bytes);
      break;
    case ImageType::kBmp:
    case ImageType::kUnknown:
      return 1;
  }
  TiffTags tags;
  if (!read_tiff_ifd0(tiff, &tags) || tags.orientation < 1 || tags.orientation > 8) return 1;
  return tags.orientation;
}

}  // namespace sluice::serve::vision::internal
