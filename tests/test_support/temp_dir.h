#pragma once
// A fresh directory under $TMPDIR for one test, removed with everything in it when the object dies.
#include <string>

namespace sluice::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes contents to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// The whole content of a file; fails the calling test (ADD_FAILURE) when unreadable.
std::string read_file(const std::string& path);

}  // namespace sluice::testing
