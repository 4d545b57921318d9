// libFuzzer target for image header sniffing and EXIF/TIFF metadata (src/serve/vision/image_header.cpp,
// image_metadata.*): any bytes must give a header or an error value, an orientation in 1..8, and walks of
// JPEG segments and TIFF directories that stay inside the bytes; never a crash, UB or a hang.
// Needs only OpenCV's headers (image_decode.h names cv::Mat), not its libraries.
// Build and run: fuzz/run_parsers.sh SECONDS.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "serve/vision/image_decode.h"
#include "serve/vision/image_metadata.h"

using namespace sluice::serve::vision;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto header = read_image_header(bytes);
  const ImageType type = header.is_ok() ? header->type : ImageType::kUnknown;
  for (ImageType t : {type, ImageType::kJpeg, ImageType::kTiff, ImageType::kPng, ImageType::kWebp}) {
    const int orientation = internal::exif_orientation(bytes, t);
    if (orientation < 1 || orientation > 8) std::abort();
  }
  (void)internal::jpeg_is_complete(bytes);
  internal::JpegWalker walker(bytes);
  internal::JpegSegment segment;
  for (int i = 0; i < 100000 && walker.next(&segment) == internal::JpegStep::kSegment; ++i) {
    if (!segment.payload.empty() && (segment.payload.data() < bytes.data() ||
                                     segment.payload.data() + segment.payload.size() > bytes.data() + size))
      std::abort();
  }
  internal::TiffTags tags;
  (void)internal::read_tiff_ifd0(bytes, &tags);
  std::vector<internal::TiffTags> directories;
  (void)internal::read_tiff_directories(bytes, &directories);
  return 0;
}
