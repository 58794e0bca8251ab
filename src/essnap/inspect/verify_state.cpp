#include "essnap/inspect/verify_state.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace essnap::inspect {

Result<VerifyState> VerifyState::load(const std::string& path, const std::string& repository) {
  VerifyState s;
  s.path_ = path;
  s.repository_ = repository;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return s;
    return make_error(ErrorCode::kIo, "reading --state " + path + ": " + std::strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  const std::string what = "--state " + path + " is not an essnap verify state file";
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "essnap-verify-state")
    return make_error(ErrorCode::kParse, what,
                      "give another file, or delete it to start the rolling check afresh");
  if (!j.contains("blobs") || !j["blobs"].is_object())
    return make_error(ErrorCode::kParse, what + " (no \"blobs\" object)");
  const auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::string();
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const auto where = text("repository"), uuid = text("repository_uuid");
  if (!where || !uuid)
    return make_error(ErrorCode::kParse, what + " (\"repository\" is not a string)");
  if (where->empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "--state " + path + " does not name the repository it was recorded for",
                      "give each repository its own state file (or delete this one to start "
                      "the rolling check afresh)");
  if (*where != repository)
    return make_error(
        ErrorCode::kInvalidArgument,
        "--state " + path + " was recorded for repository " + *where + ", not " + repository,
        "give each repository its own state file, e.g. --state verify-<name>.json");
  s.repository_uuid_ = *uuid;
  for (const auto& [k, v] : j["blobs"].items()) {
    if (!v.is_object() || !v.contains("size") || !v["size"].is_number_unsigned() ||
        !v.contains("verified_at") || !v["verified_at"].is_number_integer())
      return make_error(ErrorCode::kParse, what + " (bad entry for " + k + ")");
    s.blobs_[k] = {v["size"].get<std::uint64_t>(), v["verified_at"].get<std::int64_t>()};
  }
  return s;
}

Status VerifyState::bind_repository_uuid(const std::string& uuid) {
  std::lock_guard<std::mutex> l(mu_);
  if (!repository_uuid_.empty() && repository_uuid_ != uuid)
    return make_error(ErrorCode::kInvalidArgument,
                      "--state " + path_ + " was recorded for the repository with uuid " +
                          repository_uuid_ + ", " + repository_ + " has uuid " +
                          (uuid.empty() ? "(none)" : uuid),
                      "the location now holds another repository: give it its own state file "
                      "(or delete this one to start the rolling check afresh)");
  repository_uuid_ = uuid;
  return ok_status();
}

VerifyState::VerifyState(const VerifyState& o) {
  std::lock_guard<std::mutex> l(o.mu_);
  path_ = o.path_;
  repository_ = o.repository_;
  repository_uuid_ = o.repository_uuid_;
  blobs_ = o.blobs_;
}

VerifyState::VerifyState(VerifyState&& o) noexcept
    : path_(std::move(o.path_)),
      repository_(std::move(o.repository_)),
      repository_uuid_(std::move(o.repository_uuid_)),
      blobs_(std::move(o.blobs_)) {}

bool VerifyState::fresh(const std::string& blob, std::uint64_t size, std::chrono::seconds max_age,
                        std::chrono::system_clock::time_point now) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = blobs_.find(blob);
  if (it == blobs_.end() || it->second.size != size) return false;
  const auto at =
      std::chrono::system_clock::time_point(std::chrono::seconds(it->second.verified_at));
  return at <= now && now - at < max_age;
}

void VerifyState::mark(const std::string& blob, std::uint64_t size,
                       std::chrono::system_clock::time_point at) {
  std::lock_guard<std::mutex> l(mu_);
  blobs_[blob] = {size,
                  std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count()};
}

void VerifyState::forget(const std::string& blob) {
  std::lock_guard<std::mutex> l(mu_);
  blobs_.erase(blob);
}

std::size_t VerifyState::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return blobs_.size();
}

Status VerifyState::save() const {
  nlohmann::json blobs = nlohmann::json::object();
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [k, e] : blobs_) blobs[k] = {{"size", e.size}, {"verified_at", e.verified_at}};
  }
  nlohmann::json j{{"format", "essnap-verify-state"},
                   {"version", 1},
                   {"repository", repository_},
                   {"blobs", std::move(blobs)}};
  if (!repository_uuid_.empty()) j["repository_uuid"] = repository_uuid_;
  const std::string tmp = path_ + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << j.dump() << "\n";
    out.flush();
    if (!out)
      return make_error(ErrorCode::kIo, "writing --state " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    return make_error(ErrorCode::kIo, "writing --state " + path_ + ": " + std::strerror(err));
  }
  return ok_status();
}

Result<Subset> parse_subset(std::string_view text) {
  Subset s;
  s.text = std::string(text);
  const Error bad = make_error(ErrorCode::kInvalidArgument,
                               "--read-data-subset '" + s.text + "' is neither n/t nor p%",
                               "e.g. --read-data-subset 1/5 (the first of five groups) or 10%");
  if (text.empty()) return bad;
  if (text.back() == '%') {
    std::string num(text.substr(0, text.size() - 1));
    char* end = nullptr;
    errno = 0;
    double p = std::strtod(num.c_str(), &end);
    if (num.empty() || end != num.c_str() + num.size() || errno != 0 || !(p > 0) || p > 100)
      return bad;
    s.percent = p;
    return s;
  }
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return bad;
  auto num = [](std::string_view t, std::uint64_t& v) {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return !t.empty() && ec == std::errc() && p == t.data() + t.size();
  };
  if (!num(text.substr(0, slash), s.n) || !num(text.substr(slash + 1), s.t) || s.t == 0 ||
      s.n == 0 || s.n > s.t || s.t > 1'000'000)
    return bad;
  return s;
}

bool in_subset(const Subset& s, std::string_view blob) {
  // FNV-1a 64: stable across runs, platforms and versions (std::hash is not).
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : blob) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 33;  // fold the high bits in: FNV's low bits mix poorly for short keys
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  if (s.percent > 0) return static_cast<double>(h % 1'000'000) < s.percent * 10'000.0;
  return h % s.t == s.n - 1;
}

}  // namespace essnap::inspect
