#include "essnap/cluster/snapshots.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

#include "essnap/cluster/names.hpp"
#include "essnap/cluster/pattern_chunks.hpp"
#include "essnap/util/glob.hpp"
#include "essnap/util/strings.hpp"
#include "essnap/util/url.hpp"

namespace essnap::cluster {
namespace {

using nlohmann::json;

// Reads fields out of an engine's answer, checking each type. The first mismatch is kept and
// the parse fails with it, so a wrong-typed body is one clear kParse instead of a throw (or, for
// a const operator[] on a missing key, undefined behaviour) deep inside nlohmann.
class Shape {
 public:
  explicit Shape(std::string what) : what_(std::move(what)) {}

  bool ok() const { return !error_; }
  Error error() const {
    return make_error(ErrorCode::kParse, what_ + ": " + *error_,
                      "the cluster's answer is not what Elasticsearch or OpenSearch send; rerun "
                      "with -v to see it");
  }
  void fail(const std::string& why) {
    if (!error_) error_ = why;
  }

  // Absent or null: nullptr. Present with another type: nullptr and a recorded error.
  const json* object(const json& j, const char* key) {
    return member(j, key, json::value_t::object);
  }
  const json* array(const json& j, const char* key) { return member(j, key, json::value_t::array); }

  std::string str(const json& j, const char* key) {
    const json* v = field(j, key);
    if (!v) return "";
    if (!v->is_string()) {
      fail(std::string("\"") + key + "\" is not a string");
      return "";
    }
    return v->get<std::string>();
  }

  // Numbers, or numeric strings (_cat answers "5"); anything else is an error.
  std::int64_t i64(const json& j, const char* key) {
    const json* v = field(j, key);
    if (!v) return 0;
    if (v->is_number_integer()) return v->get<std::int64_t>();
    if (v->is_number_float()) return static_cast<std::int64_t>(v->get<double>());
    if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      std::int64_t out = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec == std::errc() && end == s.data() + s.size()) return out;
    }
    fail(std::string("\"") + key + "\" is not a number");
    return 0;
  }
  int i32(const json& j, const char* key) { return static_cast<int>(i64(j, key)); }

  bool boolean(const json& j, const char* key, bool fallback) {
    const json* v = field(j, key);
    if (!v) return fallback;
    if (!v->is_boolean()) {
      fail(std::string("\"") + key + "\" is not a boolean");
      return fallback;
    }
    return v->get<bool>();
  }

  std::vector<std::string> strings(const json& j, const char* key) {
    std::vector<std::string> out;
    if (const json* a = array(j, key))
      for (const auto& e : *a) {
        if (!e.is_string()) {
          fail(std::string("an element of \"") + key + "\" is not a string");
          return {};
        }
        out.push_back(e.get<std::string>());
      }
    return out;
  }

  bool require_object(const json& j, const std::string& name) {
    if (j.is_object()) return true;
    fail(name + " is not a JSON object");
    return false;
  }

 private:
  const json* field(const json& j, const char* key) {
    if (!j.is_object()) {
      fail(std::string("expected an object holding \"") + key + "\"");
      return nullptr;
    }
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return nullptr;
    return &*it;
  }
  const json* member(const json& j, const char* key, json::value_t type) {
    const json* v = field(j, key);
    if (!v) return nullptr;
    if (v->type() != type) {
      fail(std::string("\"") + key + "\" is not " +
           (type == json::value_t::object ? "an object" : "an array"));
      return nullptr;
    }
    return v;
  }

  std::string what_;
  std::optional<std::string> error_;
};

// "a,b" -> {"a", "b"}; "" -> {}. Names never hold ',' (the validators refuse it), so a list
// splits back into exactly the names that made it.
std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (;;) {
    const auto comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// A snapshot's or clone's `indices` ("" = all; else a comma list of patterns).
Status check_selection(const std::string& indices) {
  if (indices.empty()) return ok_status();
  for (const auto& p : split_list(indices))
    ESSNAP_TRY_STATUS(names::validate_index_pattern(p, "--indices"));
  return ok_status();
}

// Keys and values that go into a JSON body: nlohmann throws on bytes that are not UTF-8.
Status check_metadata(const std::map<std::string, std::string>& kv,
                      std::string_view what = "--metadata") {
  for (const auto& [k, v] : kv) {
    ESSNAP_TRY_STATUS(names::validate_text(k, what));
    ESSNAP_TRY_STATUS(names::validate_text(v, what));
  }
  return ok_status();
}

// Looks `text` up in a table of (word, kind); unknown words keep their text.
template <typename Kind, std::size_t N>
EngineState<Kind> parse_word(std::string_view text,
                             const std::array<std::pair<const char*, Kind>, N>& words) {
  const std::string u = util::to_upper(text);
  for (const auto& [word, kind] : words)
    if (u == word) return {kind, word};
  return {Kind::kUnknown, std::string(text)};
}

constexpr std::array<std::pair<const char*, SnapshotStateKind>, 5> kSnapshotStates{{
    {"IN_PROGRESS", SnapshotStateKind::kInProgress},
    {"SUCCESS", SnapshotStateKind::kSuccess},
    {"PARTIAL", SnapshotStateKind::kPartial},
    {"FAILED", SnapshotStateKind::kFailed},
    {"INCOMPATIBLE", SnapshotStateKind::kIncompatible},
}};

}  // namespace

SnapshotState parse_snapshot_state(std::string_view text) {
  return parse_word(text, kSnapshotStates);
}

SnapshotState make_snapshot_state(SnapshotStateKind kind) {
  for (const auto& [word, k] : kSnapshotStates)
    if (k == kind) return {k, word};
  return {SnapshotStateKind::kUnknown, "UNKNOWN"};
}

StatusStage parse_status_stage(std::string_view text) {
  using K = StatusStageKind;
  static constexpr std::array<std::pair<const char*, K>, 11> kWords{{
      {"INIT", K::kInit},
      {"STARTED", K::kStarted},
      {"FINALIZE", K::kFinalize},
      {"DONE", K::kDone},
      {"FAILURE", K::kFailure},
      {"ABORTED", K::kAborted},
      {"SUCCESS", K::kSuccess},
      {"FAILED", K::kFailed},
      {"MISSING", K::kMissing},
      {"WAITING", K::kWaiting},
      {"QUEUED", K::kQueued},
  }};
  return parse_word(text, kWords);
}

RecoveryStage parse_recovery_stage(std::string_view text) {
  using K = RecoveryStageKind;
  static constexpr std::array<std::pair<const char*, K>, 6> kWords{{
      {"INIT", K::kInit},
      {"INDEX", K::kIndex},
      {"VERIFY_INDEX", K::kVerifyIndex},
      {"TRANSLOG", K::kTranslog},
      {"FINALIZE", K::kFinalize},
      {"DONE", K::kDone},
  }};
  return parse_word(text, kWords);
}

IndexStatus parse_index_status(std::string_view text) {
  static constexpr std::array<std::pair<const char*, IndexStatusKind>, 2> kWords{
      {{"OPEN", IndexStatusKind::kOpen}, {"CLOSE", IndexStatusKind::kClose}}};
  auto s = parse_word(text, kWords);
  if (s.kind != IndexStatusKind::kUnknown) s.text = std::string(text);  // keep "open"/"close"
  return s;
}

std::string path_segment(const std::string& name) {
  return names::segment(name);
}

namespace {

SnapshotInfo read_snapshot(Shape& sh, const json& j) {
  SnapshotInfo s;
  if (!sh.require_object(j, "a snapshot")) return s;
  s.name = sh.str(j, "snapshot");
  s.uuid = sh.str(j, "uuid");
  s.repository = sh.str(j, "repository");
  s.state = parse_snapshot_state(sh.str(j, "state"));
  s.version = sh.str(j, "version");
  s.version_id = sh.i64(j, "version_id");
  s.indices = sh.strings(j, "indices");
  s.include_global_state = sh.boolean(j, "include_global_state", false);
  s.start_ms = sh.i64(j, "start_time_in_millis");
  s.end_ms = sh.i64(j, "end_time_in_millis");
  s.duration_ms = sh.i64(j, "duration_in_millis");
  if (const json* shards = sh.object(j, "shards")) {
    s.shards_total = sh.i32(*shards, "total");
    s.shards_failed = sh.i32(*shards, "failed");
    s.shards_successful = sh.i32(*shards, "successful");
  }
  if (const json* failures = sh.array(j, "failures"))
    for (const auto& f : *failures) {
      if (!sh.require_object(f, "a shard failure")) break;
      s.failures.push_back(
          {sh.str(f, "index"), sh.i32(f, "shard_id"), sh.str(f, "reason"), sh.str(f, "status")});
    }
  s.reason = sh.str(j, "reason");
  if (const json* m = sh.object(j, "metadata")) s.metadata = *m;
  return s;
}

SnapshotProgress read_progress(Shape& sh, const json& j) {
  SnapshotProgress p;
  if (!sh.require_object(j, "a snapshot status")) return p;
  p.name = sh.str(j, "snapshot");
  p.repository = sh.str(j, "repository");
  p.state = parse_status_stage(sh.str(j, "state"));
  if (const json* ss = sh.object(j, "shards_stats")) {
    p.shards_total = sh.i32(*ss, "total");
    p.shards_done = sh.i32(*ss, "done");
    p.shards_failed = sh.i32(*ss, "failed");
  }
  if (const json* st = sh.object(j, "stats")) {
    // Newer engines split incremental / total / processed; older ones put the sizes at the top.
    const json* inc = sh.object(*st, "incremental");
    p.bytes_total = sh.i64(inc ? *inc : *st, "size_in_bytes");
    if (const json* processed = sh.object(*st, "processed"))
      p.bytes_done = sh.i64(*processed, "size_in_bytes");
    else if (p.shards_total > 0 && p.shards_done == p.shards_total)
      p.bytes_done = p.bytes_total;
    p.start_ms = sh.i64(*st, "start_time_in_millis");
  }
  if (const json* indices = sh.object(j, "indices"))
    for (const auto& [name, idx] : indices->items()) {
      if (!sh.require_object(idx, "index " + name)) break;
      if (const json* stats = sh.object(idx, "stats"))
        if (const json* total = sh.object(*stats, "total"))
          p.index_bytes[name] = sh.i64(*total, "size_in_bytes");
    }
  return p;
}

// Runs a parse of `body` for the call `what`. The catch is a backstop only: Shape checks every
// type it reads, but nothing nlohmann throws may cross the library boundary.
template <typename T, typename F>
Result<T> parse_answer(const std::string& what, F&& parse) {
  Shape sh(what);
  try {
    T out = parse(sh);
    if (!sh.ok()) return sh.error();
    return out;
  } catch (const nlohmann::json::exception& e) {
    sh.fail(std::string("unexpected JSON: ") + e.what());
    return sh.error();
  }
}

}  // namespace

Result<SnapshotInfo> SnapshotInfo::from_json(const json& j) {
  return parse_answer<SnapshotInfo>("snapshot", [&](Shape& sh) { return read_snapshot(sh, j); });
}

json SnapshotInfo::to_json() const {
  json j{{"snapshot", name},
         {"repository", repository},
         {"uuid", uuid},
         {"state", state.text},
         {"version", version},
         {"indices", indices},
         {"include_global_state", include_global_state},
         {"start_time_in_millis", start_ms},
         {"end_time_in_millis", end_ms},
         {"duration_in_millis", duration_ms},
         {"shards",
          {{"total", shards_total}, {"failed", shards_failed}, {"successful", shards_successful}}}};
  auto fs = json::array();
  for (const auto& f : failures)
    fs.push_back({{"index", f.index}, {"shard_id", f.shard}, {"reason", f.reason}});
  j["failures"] = fs;
  if (!metadata.is_null()) j["metadata"] = metadata;
  if (!reason.empty()) j["reason"] = reason;
  return j;
}

Result<SnapshotProgress> SnapshotProgress::from_json(const json& j) {
  return parse_answer<SnapshotProgress>("snapshot status",
                                        [&](Shape& sh) { return read_progress(sh, j); });
}

Result<CreateSnapshotResponse> create_snapshot(Client& c, const CreateSnapshotRequest& r) {
  json body{{"include_global_state", r.include_global_state},
            {"partial", r.partial},
            {"ignore_unavailable", r.ignore_unavailable}};
  if (!r.indices.empty()) body["indices"] = r.indices;
  if (!r.metadata.empty()) {
    body["metadata"] = json::object();
    for (const auto& [k, v] : r.metadata) body["metadata"][k] = v;
  }
  if (r.metadata_object.is_object() && !r.metadata_object.empty()) {
    if (!body.contains("metadata")) body["metadata"] = json::object();
    body["metadata"].update(r.metadata_object);
  }
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.repository, "repository"));
  ESSNAP_TRY_STATUS(names::validate_snapshot_name(r.name, "snapshot name"));
  ESSNAP_TRY_STATUS(check_selection(r.indices));
  ESSNAP_TRY_STATUS(check_metadata(r.metadata));
  const std::string path = names::path({"_snapshot", r.repository, r.name});
  ESSNAP_TRY(auto j, c.json("PUT", path, body, http::Idempotency::kNonIdempotent));
  return parse_answer<CreateSnapshotResponse>("PUT " + path, [&](Shape& sh) {
    CreateSnapshotResponse resp;
    if (!sh.require_object(j, "the answer")) return resp;
    resp.accepted = sh.boolean(j, "accepted", false) || j.contains("snapshot");
    return resp;
  });
}

Result<GetSnapshotsResponse> get_snapshots(Client& c, const GetSnapshotsRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.repository, "repository"));
  auto wanted = split_list(r.names);
  if (wanted.empty()) wanted.emplace_back("_all");
  for (const auto& n : wanted)
    if (n != "_all") ESSNAP_TRY_STATUS(names::validate_snapshot_pattern(n, "snapshot"));
  std::string path = names::path({"_snapshot", r.repository, names::Segment::list(wanted)});
  std::vector<std::string> query;
  if (r.ignore_unavailable) query.emplace_back("ignore_unavailable=true");
  if (!r.verbose) query.emplace_back("verbose=false");
  if (r.size > 0) query.push_back("size=" + std::to_string(r.size));
  if (!r.after.empty()) query.push_back("after=" + util::uri_encode(r.after));
  if (!r.sort.empty()) query.push_back("sort=" + util::uri_encode(r.sort));
  if (!r.index_names) query.emplace_back("index_names=false");
  if (!query.empty()) path += "?" + util::join(query, "&");
  ESSNAP_TRY(auto j, c.json("GET", path));
  return parse_answer<GetSnapshotsResponse>("GET " + path, [&](Shape& sh) {
    GetSnapshotsResponse resp;
    if (!sh.require_object(j, "the answer")) return resp;
    if (const json* snaps = sh.array(j, "snapshots"))
      for (const auto& s : *snaps) {
        auto info = read_snapshot(sh, s);
        if (!sh.ok()) break;
        if (info.repository.empty()) info.repository = r.repository;
        resp.snapshots.push_back(std::move(info));
      }
    resp.next = sh.str(j, "next");
    return resp;
  });
}

Result<NamedSnapshots> get_named_snapshots(Client& c, const std::string& repository,
                                           const std::vector<std::string>& names) {
  // get_snapshots validates and encodes each name of the list itself.
  ESSNAP_TRY(auto got, get_snapshots(c, {repository, util::join(names), true, true}));
  NamedSnapshots out;
  std::vector<bool> taken(got.snapshots.size(), false);
  for (const auto& n : names) {
    const bool date_math = n.starts_with("<");
    bool matched = false;
    for (std::size_t i = 0; i < got.snapshots.size(); ++i) {
      const bool hit = date_math ? !taken[i] && !got.snapshots.empty()
                                 : util::glob_match(n, got.snapshots[i].name);
      if (!hit) continue;
      matched = true;
      if (!taken[i]) out.found.push_back(got.snapshots[i]);
      taken[i] = true;
      if (date_math) break;
    }
    if (!matched && !(date_math && !got.snapshots.empty())) out.missing.push_back(n);
  }
  return out;
}

Result<SnapshotStatusResponse> snapshot_status(Client& c, const SnapshotStatusRequest& r) {
  if (!r.repository.empty())
    ESSNAP_TRY_STATUS(names::validate_repository_name(r.repository, "repository"));
  if (!r.name.empty()) ESSNAP_TRY_STATUS(names::validate_snapshot_name(r.name, "snapshot name"));
  if (r.repository.empty() && !r.name.empty())
    return Error(ErrorCode::kInvalidArgument, "a snapshot's status needs its repository");
  const std::string path = r.repository.empty() ? names::path({"_snapshot", "_status"})
                           : r.name.empty()
                               ? names::path({"_snapshot", r.repository, "_status"})
                               : names::path({"_snapshot", r.repository, r.name, "_status"});
  ESSNAP_TRY(auto j, c.json("GET", path));
  ESSNAP_TRY(auto resp, parse_answer<SnapshotStatusResponse>("GET " + path, [&](Shape& sh) {
               SnapshotStatusResponse resp;
               if (!sh.require_object(j, "the answer")) return resp;
               if (const json* snaps = sh.array(j, "snapshots"))
                 for (const auto& s : *snaps) {
                   auto p = read_progress(sh, s);
                   if (!sh.ok()) break;
                   resp.snapshots.push_back(std::move(p));
                 }
               return resp;
             }));
  // The running snapshots of one repository come from the cluster state, which both engines
  // answer with an empty list for a repository that is not registered: ask the repository,
  // whose 404 names it. Only when nothing runs, so a busy poll costs nothing more.
  if (!r.repository.empty() && r.name.empty() && resp.snapshots.empty()) {
    // Only its answer "not registered" counts: the list itself was read fine.
    auto repo = c.json("GET", "/_snapshot/" + path_segment(r.repository));
    if (!repo.ok() && repo.error().code == ErrorCode::kNotFound) return std::move(repo).error();
  }
  return resp;
}

Result<Ok> delete_snapshot(Client& c, const DeleteSnapshotRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.repository, "repository"));
  ESSNAP_TRY_STATUS(names::validate_snapshot_name(r.name, "snapshot name"));
  ESSNAP_TRY(auto j, c.json("DELETE", names::path({"_snapshot", r.repository, r.name})));
  (void)j;
  return Ok{};
}

std::string delete_snapshots_path(const DeleteSnapshotsRequest& r) {
  return names::path({"_snapshot", r.repository, names::Segment::list(r.names)});
}

Result<Ok> delete_snapshots(Client& c, const DeleteSnapshotsRequest& r) {
  if (r.names.empty()) return Ok{};
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.repository, "repository"));
  for (const auto& n : r.names)
    ESSNAP_TRY_STATUS(names::validate_snapshot_name(n, "snapshot name"));
  ESSNAP_TRY(auto j, c.json("DELETE", delete_snapshots_path(r), std::nullopt,
                            http::Idempotency::kNonIdempotent));
  (void)j;
  return Ok{};
}

Result<Ok> clone_snapshot(Client& c, const CloneSnapshotRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.repository, "repository"));
  ESSNAP_TRY_STATUS(names::validate_snapshot_name(r.source, "source snapshot"));
  ESSNAP_TRY_STATUS(names::validate_snapshot_name(r.target, "target snapshot"));
  ESSNAP_TRY_STATUS(check_selection(r.indices));
  ESSNAP_TRY(auto j,
             c.json("PUT", names::path({"_snapshot", r.repository, r.source, "_clone", r.target}),
                    json{{"indices", r.indices.empty() ? "*" : r.indices}},
                    http::Idempotency::kNonIdempotent));
  (void)j;
  return Ok{};
}

Result<Ok> restore_snapshot(Client& c, const RestoreRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.repository, "repository"));
  ESSNAP_TRY_STATUS(names::validate_snapshot_name(r.snapshot, "snapshot name"));
  for (const auto& i : r.indices) ESSNAP_TRY_STATUS(names::validate_index_name(i, "index"));
  ESSNAP_TRY_STATUS(names::validate_text(r.rename_pattern, "--rename pattern"));
  ESSNAP_TRY_STATUS(names::validate_text(r.rename_replacement, "--rename replacement"));
  ESSNAP_TRY_STATUS(check_metadata(r.index_settings, "--index-settings"));
  for (const auto& s : r.ignore_index_settings)
    ESSNAP_TRY_STATUS(names::validate_text(s, "--ignore-index-settings"));
  json body{{"indices", util::join(r.indices)},
            {"include_aliases", r.include_aliases},
            {"include_global_state", r.include_global_state},
            {"partial", r.partial}};
  if (!r.rename_pattern.empty()) {
    body["rename_pattern"] = r.rename_pattern;
    body["rename_replacement"] = r.rename_replacement;
  }
  if (!r.index_settings.empty()) {
    body["index_settings"] = json::object();
    for (const auto& [k, v] : r.index_settings) body["index_settings"][k] = v;
  }
  if (!r.ignore_index_settings.empty()) body["ignore_index_settings"] = r.ignore_index_settings;
  ESSNAP_TRY(auto j,
             c.json("POST", names::path({"_snapshot", r.repository, r.snapshot, "_restore"}), body,
                    http::Idempotency::kNonIdempotent));
  (void)j;
  return Ok{};
}

Result<std::vector<SnapshotInfo>> parse_snapshot_listing(std::string_view text,
                                                         const std::string& what) {
  const auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("snapshots") || !j["snapshots"].is_array())
    return Error(ErrorCode::kParse, what + " is not a GET _snapshot/REPO/_all answer",
                 "it should be a JSON object holding a \"snapshots\" array");
  std::vector<SnapshotInfo> out;
  out.reserve(j["snapshots"].size());
  for (const auto& s : j["snapshots"]) {
    auto info = SnapshotInfo::from_json(s);
    if (!info.ok()) {
      Error e = std::move(info).error();
      e.message = what + ": " + e.message;
      return e;
    }
    out.push_back(std::move(info).value());
  }
  return out;
}

namespace {
Result<std::vector<IndexEntry>> list_indices_of(Client& c,
                                                const std::vector<std::string>& patterns);
}  // namespace

Result<std::vector<IndexEntry>> list_indices(Client& c, const std::string& pattern) {
  const auto patterns = split_list(pattern);
  for (const auto& p : patterns)
    ESSNAP_TRY_STATUS(names::validate_index_pattern(p, "index pattern"));
  auto fetch = [&](const std::vector<std::string>& chunk) { return list_indices_of(c, chunk); };
  return fetch_by_patterns<IndexEntry>(patterns, fetch, [](const IndexEntry& e) { return e.name; });
}

namespace {

Result<std::vector<IndexEntry>> list_indices_of(Client& c,
                                                const std::vector<std::string>& patterns) {
  const std::string path = names::path({"_cat", "indices", names::Segment::list(patterns)}) +
                           "?format=json&h=index,status,docs.count&expand_wildcards=all";
  ESSNAP_TRY(auto j, c.json("GET", path));
  return parse_answer<std::vector<IndexEntry>>("GET " + path, [&](Shape& sh) {
    std::vector<IndexEntry> out;
    if (j.is_null()) return out;
    if (!j.is_array()) {
      sh.fail("the answer is not a JSON array");
      return out;
    }
    for (const auto& e : j) {
      if (!sh.require_object(e, "an index row")) break;
      IndexEntry ie{sh.str(e, "index"), parse_index_status(sh.str(e, "status")), -1};
      // Closed indices have no count (null): keep -1 for "unknown".
      if (e.contains("docs.count") && !e["docs.count"].is_null()) ie.docs = sh.i64(e, "docs.count");
      out.push_back(std::move(ie));
    }
    return out;
  });
}

}  // namespace

std::vector<std::string> index_list_chunks(const std::vector<std::string>& indices,
                                           std::size_t max_bytes) {
  std::vector<std::string> out;
  for (const auto& name : indices) {
    const std::string segment = path_segment(name);
    if (out.empty() || out.back().size() + 1 + segment.size() > max_bytes) out.emplace_back();
    if (!out.back().empty()) out.back() += ",";
    out.back() += segment;
  }
  return out;
}

Result<std::vector<std::string>> resolve_indices(Client& c,
                                                 const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) ESSNAP_TRY_STATUS(names::validate_index_pattern(p, "--indices"));
  auto fetch = [&](const std::vector<std::string>& chunk) -> Result<std::vector<std::string>> {
    const std::string path = names::path({"_resolve", "index", names::Segment::list(chunk)}) +
                             "?expand_wildcards=all&ignore_unavailable=true";
    ESSNAP_TRY(auto j, c.json("GET", path));
    return parse_answer<std::vector<std::string>>("GET " + path, [&](Shape& sh) {
      std::vector<std::string> out;
      if (!sh.require_object(j, "the answer")) return out;
      for (const char* kind : {"indices", "aliases", "data_streams"})
        if (const json* list = sh.array(j, kind))
          for (const auto& e : *list) {
            if (!sh.require_object(e, std::string("an element of ") + kind)) return out;
            out.push_back(sh.str(e, "name"));
          }
      return out;
    });
  };
  return fetch_by_patterns<std::string>(patterns, fetch, [](const std::string& n) { return n; });
}

Result<std::map<std::string, IndexHealth>> index_health(Client& c,
                                                        const std::vector<std::string>& indices) {
  for (const auto& i : indices) ESSNAP_TRY_STATUS(names::validate_index_name(i, "index"));
  std::map<std::string, IndexHealth> out;
  for (const auto& list : index_list_chunks(indices)) {
    const std::string path = "/_cluster/health/" + list + "?level=indices&expand_wildcards=all";
    ESSNAP_TRY(auto j, c.json("GET", path));
    ESSNAP_TRY_STATUS(parse_answer<Ok>("GET " + path, [&](Shape& sh) {
      if (!sh.require_object(j, "the answer")) return Ok{};
      if (const json* idx = sh.object(j, "indices"))
        for (const auto& [name, h] : idx->items()) {
          if (!sh.require_object(h, "index " + name)) break;
          out[name] = IndexHealth{sh.str(h, "status"), sh.i32(h, "number_of_shards"),
                                  sh.i32(h, "active_primary_shards"),
                                  sh.i32(h, "initializing_shards"), sh.i32(h, "unassigned_shards")};
        }
      return Ok{};
    }));
  }
  return out;
}

namespace {

// Each primary shard's recovery of `indices` (every index when `all_when_empty` and none are
// named) as GET <list>/_recovery answers them, in bounded requests: fn(shape, index, shard).
template <class Fn>
Status for_each_primary_recovery(Client& c, const std::vector<std::string>& indices,
                                 const std::string& query, bool all_when_empty, Fn fn) {
  for (const auto& i : indices) ESSNAP_TRY_STATUS(names::validate_index_name(i, "index"));
  std::vector<std::string> paths;
  if (indices.empty() && all_when_empty) paths.push_back("/_recovery" + query);
  for (const auto& list : index_list_chunks(indices))
    paths.push_back("/" + list + "/_recovery" + query);
  for (const auto& path : paths) {
    ESSNAP_TRY(auto j, c.json("GET", path));
    ESSNAP_TRY_STATUS(parse_answer<Ok>("GET " + path, [&](Shape& sh) {
      if (!sh.require_object(j, "the answer")) return Ok{};
      for (const auto& [name, idx] : j.items()) {
        if (!sh.require_object(idx, "index " + name)) break;
        const json* shards = sh.array(idx, "shards");
        if (!shards) continue;
        for (const auto& s : *shards) {
          if (!sh.require_object(s, "a shard recovery")) return Ok{};
          if (sh.boolean(s, "primary", false)) fn(sh, name, s);
        }
      }
      return Ok{};
    }));
  }
  return ok_status();
}

}  // namespace

Result<RecoveryProgress> recovery_progress(Client& c, const std::vector<std::string>& indices) {
  RecoveryProgress p;
  ESSNAP_TRY_STATUS(for_each_primary_recovery(
      c, indices, "", false, [&](Shape& sh, const std::string& name, const json& s) {
        ++p.shards_total;
        if (parse_recovery_stage(sh.str(s, "stage")) == RecoveryStageKind::kDone) ++p.shards_done;
        if (const json* index = sh.object(s, "index"))
          if (const json* size = sh.object(*index, "size")) {
            p.bytes_total += sh.i64(*size, "total_in_bytes");
            p.bytes_done += sh.i64(*size, "recovered_in_bytes");
            p.index_bytes[name] += sh.i64(*size, "total_in_bytes");
          }
      }));
  return p;
}

Result<std::vector<SnapshotRecovery>> snapshot_recoveries(Client& c,
                                                          const std::vector<std::string>& indices,
                                                          Recoveries which) {
  std::vector<SnapshotRecovery> out;
  ESSNAP_TRY_STATUS(for_each_primary_recovery(
      c, indices, which == Recoveries::kActive ? "?active_only=true" : "", true,
      [&](Shape& sh, const std::string& name, const json& s) {
        if (sh.str(s, "type") != "SNAPSHOT") return;
        SnapshotRecovery r;
        r.index = name;
        if (const json* source = sh.object(s, "source")) {
          r.repository = sh.str(*source, "repository");
          r.snapshot = sh.str(*source, "snapshot");
        }
        r.done = parse_recovery_stage(sh.str(s, "stage")) == RecoveryStageKind::kDone;
        out.push_back(std::move(r));
      }));
  return out;
}

Result<Ok> close_index(Client& c, const std::string& index) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index, "index"));
  ESSNAP_TRY(auto j, c.json("POST", names::path({index, "_close"})));
  (void)j;
  return Ok{};
}

Result<Ok> delete_index(Client& c, const std::string& index) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index, "index"));
  ESSNAP_TRY(auto j, c.json("DELETE", names::path({index})));
  (void)j;
  return Ok{};
}

Result<std::vector<RepositoryInfo>> get_repositories(Client& c, const std::string& names) {
  const auto wanted = split_list(names);
  for (const auto& n : wanted)
    if (n != "_all") ESSNAP_TRY_STATUS(names::validate_repository_name(n, "repository"));
  const std::string path = wanted.empty()
                               ? names::path({"_snapshot"})
                               : names::path({"_snapshot", names::Segment::list(wanted)});
  ESSNAP_TRY(auto j, c.json("GET", path));
  return parse_answer<std::vector<RepositoryInfo>>("GET " + path, [&](Shape& sh) {
    std::vector<RepositoryInfo> out;
    if (!sh.require_object(j, "the answer")) return out;
    for (const auto& [name, r] : j.items()) {
      if (!sh.require_object(r, "repository " + name)) break;
      const json* settings = sh.object(r, "settings");
      out.push_back({name, sh.str(r, "type"), settings ? *settings : json::object()});
    }
    return out;
  });
}

}  // namespace essnap::cluster
