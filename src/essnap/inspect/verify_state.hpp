// Rolling verification (restic's `check --read-data-subset`, made rolling as zerobyte#273 asks):
// a state file remembers when each blob last passed a full read, so a nightly
// `inspect verify --read-data --state FILE --max-age 7d` reads only what was not checked within
// 7 days and covers the whole repository within that time. Also the deterministic subsets of
// --read-data-subset. Grammar of the file (JSON, written atomically: temp file + rename):
//   { "format": "essnap-verify-state", "version": 1, "repository": "<where>",
//     "repository_uuid"?: "<the root index-N's uuid>",
//     "blobs": { "<path from the root>": { "size": N, "verified_at": <unix seconds> }, ... } }
// A state names its repository (where it is, and the uuid the engine gave it): it is refused for
// any other, since reads of one repository's blobs say nothing about another's (a copy included).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "essnap/util/result.hpp"

namespace essnap::inspect {

class VerifyState {
 public:
  // Loads `path`; a missing file is an empty state. kParse names what is wrong with the file;
  // a state written for another location is kInvalidArgument.
  static Result<VerifyState> load(const std::string& path, const std::string& repository);
  // The repository's uuid (root index-N, 7.12+; empty when it has none): a state recorded for
  // another uuid is kInvalidArgument; a state without one adopts it.
  Status bind_repository_uuid(const std::string& uuid);

  // True when `blob` of `size` passed a read within `max_age` of `now`.
  bool fresh(const std::string& blob, std::uint64_t size, std::chrono::seconds max_age,
             std::chrono::system_clock::time_point now) const;
  void mark(const std::string& blob, std::uint64_t size, std::chrono::system_clock::time_point at);
  void forget(const std::string& blob);
  std::size_t size() const;
  // Writes the state atomically (a temp file beside it, then rename); entries for blobs
  // not in the repository any more are dropped by the caller through forget().
  Status save() const;

  VerifyState(const VerifyState& o);
  VerifyState& operator=(const VerifyState&) = delete;
  VerifyState(VerifyState&&) noexcept;

 private:
  VerifyState() = default;
  struct Entry {
    std::uint64_t size = 0;
    std::int64_t verified_at = 0;
  };
  std::string path_;
  std::string repository_;
  std::string repository_uuid_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> blobs_;
};

// --read-data-subset: "n/t" (1 <= n <= t) or "p%" (0 < p <= 100, decimals allowed).
struct Subset {
  std::uint64_t n = 1, t = 1;  // n/t form
  double percent = 0;          // > 0: percent form
  std::string text;
};
Result<Subset> parse_subset(std::string_view text);
// Whether `blob` is in the subset: a hash of its path, so the same blob is in the same group on
// every run and groups 1/t … t/t together cover every blob exactly once.
bool in_subset(const Subset& s, std::string_view blob);

}  // namespace essnap::inspect
