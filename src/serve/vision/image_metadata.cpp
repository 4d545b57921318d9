#include "serve/vision/image_metadata.h"

#include <algorithm>
#include <cstring>
#include <vector>

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

namespace {

struct TiffLayout {
  bool big_endian = false;
  bool big_tiff = false;
  uint64_t first_ifd = 0;
};

bool tiff_layout(const ByteReader& reader, std::string_view bytes, TiffLayout* layout) {
  if (bytes.size() < 8) return false;
  if (bytes.substr(0, 2) != "MM" && bytes.substr(0, 2) != "II") return false;
  uint32_t magic = 0;
  reader.u16(2, &magic);
  layout->big_tiff = magic == 43;
  if (magic != 42 && !layout->big_tiff) return false;
  if (layout->big_tiff) {
    uint32_t offset_size = 0;
    return reader.u16(4, &offset_size) && offset_size == 8 && reader.u64(8, &layout->first_ifd);
  }
  uint32_t ifd32 = 0;
  if (!reader.u32(4, &ifd32)) return false;
  layout->first_ifd = ifd32;
  return true;
}

// Reads one IFD at `ifd` into `tags`; `next` receives the offset of the following IFD (0: none). False when
// the IFD's entry count is outside the bytes.
bool read_ifd(const ByteReader& reader, const TiffLayout& layout, uint64_t ifd, TiffTags* tags,
              uint64_t* next) {
  const size_t entry_size = layout.big_tiff ? 20 : 12;
  const size_t value_offset = layout.big_tiff ? 12 : 8;  // of the value field within an entry
  const size_t first_entry = layout.big_tiff ? 8 : 2;
  uint64_t count = 0;
  if (ifd > reader.size()) return false;
  if (layout.big_tiff) {
    if (!reader.u64(static_cast<size_t>(ifd), &count)) return false;
  } else {
    uint32_t count16 = 0;
    if (!reader.u16(static_cast<size_t>(ifd), &count16)) return false;
    count = count16;
  }
  *next = 0;
  bool complete = true;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t entry64 = ifd + first_entry + i * entry_size;
    const auto entry = static_cast<size_t>(entry64);
    uint32_t tag = 0;
    uint32_t type = 0;
    if (entry64 > reader.size() || !reader.has(entry, entry_size) || !reader.u16(entry, &tag) ||
        !reader.u16(entry + 2, &type)) {
      complete = false;
      break;
    }
    // Every integer type libtiff accepts for these tags (TIFFReadDirEntryLong and friends), so that the
    // reader and the decoder see the same values.
    uint64_t value = 0;
    uint32_t v32 = 0;
    bool is_integer = true;
    if ((type == 1 || type == 6) && reader.u8(entry + value_offset, &v32)) {  // BYTE, SBYTE
      value = type == 6 && (v32 & 0x80) ? 0 : v32;
    } else if ((type == 3 || type == 8) && reader.u16(entry + value_offset, &v32)) {  // SHORT, SSHORT
      value = type == 8 && (v32 & 0x8000) ? 0 : v32;
    } else if ((type == 4 || type == 9 || type == 13) && reader.u32(entry + value_offset, &v32)) {
      value = type == 9 && (v32 & 0x80000000u) ? 0 : v32;  // LONG, SLONG, IFD
    } else if ((type == 16 || type == 17 || type == 18) && layout.big_tiff &&
               reader.u64(entry + value_offset, &value)) {  // LONG8, SLONG8, IFD8
    } else {
      is_integer = false;
    }
    if (!is_integer) continue;
    const auto clamped = static_cast<int64_t>(value > (uint64_t{1} << 62) ? uint64_t{1} << 62 : value);
    int64_t* slot = nullptr;
    switch (tag) {
      case 256:
        slot = &tags->width;
        break;
      case 257:
        slot = &tags->height;
        break;
      case 278:
        slot = &tags->rows_per_strip;
        break;
      case 322:
        slot = &tags->tile_width;
        break;
      case 323:
        slot = &tags->tile_length;
        break;
      case 274:
        if (type == 3 && tags->orientation == 0) tags->orientation = static_cast<int>(value);
        break;
      default:
        break;
    }
    if (slot != nullptr) {
      if (*slot >= 0 && *slot != clamped) tags->conflicting = true;
      if (*slot < 0) *slot = clamped;
    }
  }
  if (complete) {
    const uint64_t after = ifd + first_entry + count * entry_size;
    if (after <= reader.size()) {
      if (layout.big_tiff) {
        reader.u64(static_cast<size_t>(after), next);
      } else {
        uint32_t next32 = 0;
        if (reader.u32(static_cast<size_t>(after), &next32)) *next = next32;
      }
    }
  }
  return true;
}

}  // namespace

bool read_tiff_ifd0(std::string_view bytes, TiffTags* tags) {
  const ByteReader probe(bytes, bytes.substr(0, 2) == "MM");
  TiffLayout layout;
  if (!tiff_layout(probe, bytes, &layout)) return false;
  layout.big_endian = bytes.substr(0, 2) == "MM";
  uint64_t next = 0;
  return read_ifd(probe, layout, layout.first_ifd, tags, &next);
}

bool read_tiff_directories(std::string_view bytes, std::vector<TiffTags>* directories) {
  const ByteReader reader(bytes, bytes.substr(0, 2) == "MM");
  TiffLayout layout;
  if (!tiff_layout(reader, bytes, &layout)) return false;
  directories->clear();
  std::vector<uint64_t> seen;
  uint64_t ifd = layout.first_ifd;
  // The chain is followed iteratively, at most kMaxTiffDirectories long, and stops at a loop.
  while (ifd != 0 && directories->size() < kMaxTiffDirectories &&
         std::find(seen.begin(), seen.end(), ifd) == seen.end()) {
    seen.push_back(ifd);
    TiffTags tags;
    uint64_t next = 0;
    if (!read_ifd(reader, layout, ifd, &tags, &next)) break;
    directories->push_back(tags);
    ifd = next;
  }
  return !directories->empty();
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
