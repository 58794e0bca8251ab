// Helpers for the credentials tests: a temporary HOME with files in it.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace essnap::testing {

class TempHome {
 public:
  TempHome() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("essnap-home-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_ / ".aws");
  }
  ~TempHome() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;

  std::string path() const { return path_.string(); }
  // Writes HOME-relative file `rel` and returns its absolute path.
  std::string write(const std::string& rel, const std::string& content) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string script(const std::string& rel, const std::string& content) const {
    auto p = write(rel, content);
    std::filesystem::permissions(p, std::filesystem::perms::owner_all);
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace essnap::testing
