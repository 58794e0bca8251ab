// A name for a bucket, role, repository or directory that no other test process on the shared
// stack uses at the same time: `base`, this process's id and a random number.
#pragma once

#include <unistd.h>

#include <random>
#include <string>

namespace essnap::test {

inline std::string unique_name(const std::string& base) {
  std::random_device rd;
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 100000);
}

}  // namespace essnap::test
