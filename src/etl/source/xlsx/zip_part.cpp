#include "etl/source/xlsx/zip_part.h"

#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "etl/source/xlsx/crc32.h"

namespace sluice::etl::xlsx {

namespace {
constexpr size_t kInputChunk = size_t{64} << 10;

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}
}  // namespace

struct PartReader::Impl {
  zip_file_t* file = nullptr;
  bool deflated = false;
  z_stream stream{};
  bool stream_ready = false;
  std::unique_ptr<unsigned char[]> input{new unsigned char[kInputChunk]};
  bool input_eof = false;
  uint32_t crc = 0, expected_crc = 0;
  std::string part;

  ~Impl() {
    if (stream_ready) inflateEnd(&stream);
    if (file != nullptr) zip_fclose(file);
  }
};

common::Result<std::unique_ptr<ZipArchive>> ZipArchive::open(const std::string& path) {
  int code = 0;
  ::zip* archive = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (archive == nullptr) {
    return common::invalid_input("not a valid zip archive, so not an .xlsx workbook (" +
                                 zip_error_text(code) + ")");
  }
  return std::unique_ptr<ZipArchive>(new ZipArchive(archive));
}

ZipArchive::~ZipArchive() { zip_discard(archive_); }

bool ZipArchive::contains(const std::string& part) const {
  return zip_name_locate(archive_, part.c_str(), ZIP_FL_NOCASE) >= 0;
}

common::Result<std::string> ZipArchive::read_part(const std::string& part, uint64_t max_bytes) {
  auto reader = open_part(part);
  if (!reader.is_ok()) return reader.status();
  if ((*reader)->uncompressed_size() > max_bytes) {
    return common::Status(common::Code::kResourceExhausted,
                          part + " is larger than " + std::to_string(max_bytes >> 20) + " MiB");
  }
  std::string out((*reader)->uncompressed_size(), '\0');
  size_t filled = 0;
  for (;;) {
    if (filled == out.size()) out.resize(out.size() + 4096);  // read on to confirm the end
    auto got = (*reader)->read(out.data() + filled, out.size() - filled);
    if (!got.is_ok()) return common::Status(got.status().code(), part + ": " + got.status().message());
    if (*got == 0) break;
    filled += *got;
  }
  out.resize(filled);
  return out;
}

common::Result<std::unique_ptr<PartReader>> ZipArchive::open_part(const std::string& part) {
  const zip_int64_t index = zip_name_locate(archive_, part.c_str(), ZIP_FL_NOCASE);
  if (index < 0) return common::not_found("the zip has no part " + part);
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive_, static_cast<zip_uint64_t>(index), 0, &st) != 0) {
    return common::invalid_input(part + ": " + zip_strerror(archive_));
  }
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
    return common::unsupported(part + " is encrypted in the zip");
  }
  const bool deflated = st.comp_method == ZIP_CM_DEFLATE;
  if (!deflated && st.comp_method != ZIP_CM_STORE) {
    return common::unsupported(part + " uses zip compression method " + std::to_string(st.comp_method) +
                               " (only deflate and stored are supported)");
  }
  if (st.size > kMaxRatioFreeBytes && st.size / std::max<uint64_t>(st.comp_size, 1) > kMaxCompressionRatio) {
    return common::Status(
        common::Code::kResourceExhausted,
        part + " would inflate " + std::to_string(st.size / std::max<uint64_t>(st.comp_size, 1)) + "-fold (" +
            std::to_string(st.comp_size) + " to " + std::to_string(st.size) + " bytes), more than the " +
            std::to_string(kMaxCompressionRatio) + "-fold limit for a part over 1 MiB (a zip bomb?)");
  }
  auto impl = std::make_unique<PartReader::Impl>();
  impl->part = part;
  impl->deflated = deflated;
  impl->expected_crc = st.crc;
  impl->crc = static_cast<uint32_t>(crc32(0, nullptr, 0));
  impl->file = zip_fopen_index(archive_, static_cast<zip_uint64_t>(index), ZIP_FL_COMPRESSED);
  if (impl->file == nullptr) return common::invalid_input(part + ": " + zip_strerror(archive_));
  if (deflated) {
    if (inflateInit2(&impl->stream, -MAX_WBITS) != Z_OK)
      return common::internal_error("zlib inflateInit2 failed");
    impl->stream_ready = true;
  }
  return std::unique_ptr<PartReader>(new PartReader(std::move(impl), st.comp_size, st.size));
}

PartReader::PartReader(std::unique_ptr<Impl> impl, uint64_t compressed_size, uint64_t uncompressed_size)
    : impl_(std::move(impl)), compressed_size_(compressed_size), uncompressed_size_(uncompressed_size) {}

PartReader::~PartReader() = default;

common::Result<size_t> PartReader::fetch_input() {
  const zip_int64_t got = zip_fread(impl_->file, impl_->input.get(), kInputChunk);
  if (got < 0)
    return common::invalid_input("cannot read from the zip (" + std::string(zip_file_strerror(impl_->file)) +
                                 ")");
  compressed_read_ += static_cast<uint64_t>(got);
  if (got == 0) impl_->input_eof = true;
  return static_cast<size_t>(got);
}

common::Status PartReader::finish() {
  done_ = true;
  if (uncompressed_read_ != uncompressed_size_) {
    return common::invalid_input("the data is " + std::to_string(uncompressed_read_) +
                                 " bytes but the zip directory says " + std::to_string(uncompressed_size_) +
                                 " (corrupt zip)");
  }
  if (impl_->crc != impl_->expected_crc) return common::invalid_input("CRC-32 mismatch (corrupt zip)");
  return common::Status::ok();
}

common::Result<size_t> PartReader::read_stored(char* dst, size_t n, bool& ended) {
  const zip_int64_t got = zip_fread(impl_->file, dst, n);
  if (got < 0) {
    return common::invalid_input("cannot read from the zip (" + std::string(zip_file_strerror(impl_->file)) +
                                 ")");
  }
  compressed_read_ += static_cast<uint64_t>(got);
  ended = got == 0;
  return static_cast<size_t>(got);
}

common::Result<size_t> PartReader::inflate_into(char* dst, size_t n, bool& ended) {
  z_stream& z = impl_->stream;
  z.next_out = reinterpret_cast<Bytef*>(dst);
  z.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
  const uInt asked = z.avail_out;
  while (z.avail_out > 0) {
    if (z.avail_in == 0 && !impl_->input_eof) {
      auto got = fetch_input();
      if (!got.is_ok()) return got.status();
      z.next_in = impl_->input.get();
      z.avail_in = static_cast<uInt>(*got);
    }
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      ended = true;
      break;
    }
    if (rc == Z_BUF_ERROR && impl_->input_eof) {
      return common::invalid_input("the compressed data is truncated (corrupt zip)");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return common::invalid_input(std::string("corrupt compressed data (") +
                                   (z.msg ? z.msg : "inflate failed") + ")");
    }
  }
  return static_cast<size_t>(asked - z.avail_out);
}

common::Status PartReader::skip_rest() {
  std::unique_ptr<char[]> scratch;
  while (!done_) {
    if (!scratch) scratch.reset(new char[kInputChunk]);
    auto got = read(scratch.get(), kInputChunk);
    if (!got.is_ok()) return got.status();
  }
  return common::Status::ok();
}

common::Result<size_t> PartReader::read(char* dst, size_t n) {
  if (done_ || n == 0) return size_t{0};
  // Never inflate more than the directory declares (one byte more, to see that an entry lies): a zip bomb
  // that declares 1 KB is refused after 1 KB, not after gigabytes.
  n = static_cast<size_t>(std::min<uint64_t>(n, uncompressed_size_ - uncompressed_read_ + 1));
  bool ended = false;
  auto produced = impl_->deflated ? inflate_into(dst, n, ended) : read_stored(dst, n, ended);
  if (!produced.is_ok()) return produced;
  if (uncompressed_read_ + *produced > uncompressed_size_) {
    done_ = true;
    return common::invalid_input("the data is longer than the " + std::to_string(uncompressed_size_) +
                                 " bytes the zip directory declares (corrupt zip, or a zip bomb)");
  }
  impl_->crc = update_crc32(impl_->crc, reinterpret_cast<const unsigned char*>(dst), *produced);
  uncompressed_read_ += *produced;
  if (ended) SLUICE_RETURN_IF_ERROR(finish());
  return produced;
}

}  // namespace sluice::etl::xlsx
