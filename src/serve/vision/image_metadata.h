#pragma once
// Internal pieces shared by the header sniffer and the decoder: a JPEG marker walker, a reader for the first
// IFD of a TIFF structure (a .tif file, or the EXIF block inside a JPEG, PNG or WebP), and the EXIF
// orientation lookup built on them. All of them take untrusted bytes and never read outside them.
#include <cstdint>
#include <string_view>
#include <vector>

#include "serve/vision/image_decode.h"

namespace sluice::serve::vision::internal {

struct JpegSegment {
  uint8_t marker = 0;
  std::string_view payload;  // after the two length bytes; empty for standalone markers
};

enum class JpegStep { kSegment, kEnd, kTruncated, kCorrupt };

// Walks the segments of a JPEG that starts with SOI. After an SOS it skips the entropy-coded data (where a
// 0xFF is always followed by 0x00 or an RSTn) to the next marker, so walking to kEnd proves the file
// complete.
class JpegWalker {
 public:
  explicit JpegWalker(std::string_view bytes) : bytes_(bytes) {}
  JpegStep next(JpegSegment* segment);

 private:
  std::string_view bytes_;
  size_t pos_ = 2;  // past SOI
  bool in_scan_ = false;
};

// True when the JPEG reaches its EOI marker. libjpeg pads a truncated scan with grey and only warns, so the
// decoder alone cannot tell a cut-off upload from a whole one.
bool jpeg_is_complete(std::string_view bytes);

struct TiffTags {
  int64_t width = -1;           // ImageWidth (256), -1 when absent
  int64_t height = -1;          // ImageLength (257)
  int64_t rows_per_strip = -1;  // RowsPerStrip (278)
  int64_t tile_width = -1;      // TileWidth (322)
  int64_t tile_length = -1;     // TileLength (323)
  int orientation = 0;          // Orientation (274), 0 when absent
  bool conflicting = false;     // one of the tags above appears twice with different values
};

// Reads the tags above from the first IFD of a classic or BigTIFF structure, in either byte order. False when
// the bytes are not a TIFF structure; entries past the end of the bytes are ignored. The first occurrence
// of a repeated tag wins, as in libtiff.
bool read_tiff_ifd0(std::string_view bytes, TiffTags* tags);

// Every IFD of the chain (IFD0, then each "next IFD" offset), at most kMaxTiffDirectories, stopping at a
// loop or at an IFD outside the bytes. False when the bytes are not a TIFF structure or IFD0 is missing.
constexpr size_t kMaxTiffDirectories = 64;
bool read_tiff_directories(std::string_view bytes, std::vector<TiffTags>* directories);

// The EXIF Orientation (1-8) of an image of the given type, or 1 when it has none or an invalid one: from the
// first APP1 "Exif" segment of a JPEG, the first IFD of a TIFF, the eXIf chunk of a PNG, the EXIF chunk of a
// WebP (the places Pillow's getexif() looks).
int exif_orientation(std::string_view bytes, ImageType type);

}  // namespace sluice::serve::vision::internal
