#include "serve/pull/model_files.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::serve::pull {

using common::Status;

std::string weights_file_name(model::ModelFormat format) {
  return format == model::ModelFormat::kOnnx ? "model.onnx" : "model.pt";
}

nlohmann::json make_model_config(const std::string& installed_name, const Source& source,
                                 const std::string& file, const std::string& sha256) {
  const std::string stem = std::filesystem::path(source.file_name).stem().string();
  return {
      {"name", installed_name},
      {"version", stem.empty() ? "1" : stem},
      {"format", model::model_format_name(source.format)},
      {"file", file},
      {"sha256", sha256},
      {"input", source.input},
      {"output", source.output},
      {"labels", "labels.txt"},
  };
}

Status write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return common::unavailable(temporary.string() + ": cannot create: " + std::strerror(errno));
  size_t put = 0;
  while (put < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + put, contents.size() - put);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(temporary.c_str());
      return common::unavailable(temporary.string() + ": cannot write: " + std::strerror(e));
    }
    put += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int sync_errno = errno;
  ::close(fd);
  if (!synced || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int e = synced ? errno : sync_errno;
    ::unlink(temporary.c_str());
    return common::unavailable(path.string() + ": cannot write: " + std::strerror(e));
  }
  return Status::ok();
}

Status write_model_files(const std::filesystem::path& dir, const nlohmann::json& config,
                         const std::vector<std::string>& labels) {
  std::string text;
  for (const auto& label : labels) text += label + "\n";
  SLUICE_RETURN_IF_ERROR(write_file_atomically(dir / "labels.txt", text));
  SLUICE_RETURN_IF_ERROR(write_file_atomically(dir / "config.json", config.dump(2) + "\n"));
  sync_directory(dir);
  return Status::ok();
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the rename itself already happened
  ::fsync(fd);
  ::close(fd);
}

Status install_directory(const std::filesystem::path& staged, const std::filesystem::path& target) {
  std::error_code ec;
  const std::filesystem::path parent = target.parent_path();
  if (std::filesystem::exists(target, ec)) {
    // Linux swaps the two directories in one step; elsewhere (or on a filesystem without it) the old one is
    // renamed aside first, which leaves an instant with neither.
    if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
      sync_directory(parent);
      std::filesystem::remove_all(staged, ec);  // now the previous version
      return Status::ok();
    }
    const std::filesystem::path old =
        parent / (".old-" + target.filename().string() + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(old, ec);
    std::filesystem::rename(target, old, ec);
    if (ec)
      return common::unavailable(target.string() +
                                 ": cannot move the previous version aside: " + ec.message());
    std::filesystem::rename(staged, target, ec);
    if (ec) {
      std::error_code ignored;
      std::filesystem::rename(old, target, ignored);
      return common::unavailable(target.string() + ": cannot install: " + ec.message());
    }
    sync_directory(parent);
    std::filesystem::remove_all(old, ec);
    return Status::ok();
  }
  std::filesystem::rename(staged, target, ec);
  if (ec) return common::unavailable(target.string() + ": cannot install: " + ec.message());
  sync_directory(parent);
  return Status::ok();
}

}  // namespace sluice::serve::pull
