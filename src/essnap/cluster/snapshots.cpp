#include "essnap/cluster/snapshots.hpp"

#include "essnap/util/url.hpp"

namespace essnap::cluster {
namespace {

std::int64_t i64(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return 0;
  const auto& v = j[key];
  if (v.is_number()) return v.get<std::int64_t>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string join(const std::vector<std::string>& v, const char* sep = ",") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

std::string path_segment(const std::string& name) {
  // Date math keeps its brackets so the client's target encoder treats it as one segment.
  if (name.starts_with("<")) return name;
  return util::uri_encode(name);
}

SnapshotInfo SnapshotInfo::from_json(const nlohmann::json& j) {
  SnapshotInfo s;
  s.name = str(j, "snapshot");
  s.uuid = str(j, "uuid");
  s.repository = str(j, "repository");
  s.state = str(j, "state");
  s.version = str(j, "version");
  s.version_id = i64(j, "version_id");
  if (j.contains("indices") && j["indices"].is_array())
    for (const auto& i : j["indices"]) s.indices.push_back(i.get<std::string>());
  s.include_global_state = j.value("include_global_state", false);
  s.start_ms = i64(j, "start_time_in_millis");
  s.end_ms = i64(j, "end_time_in_millis");
  s.duration_ms = i64(j, "duration_in_millis");
  if (j.contains("shards")) {
    s.shards_total = static_cast<int>(i64(j["shards"], "total"));
    s.shards_failed = static_cast<int>(i64(j["shards"], "failed"));
    s.shards_successful = static_cast<int>(i64(j["shards"], "successful"));
  }
  if (j.contains("failures") && j["failures"].is_array())
    for (const auto& f : j["failures"])
      s.failures.push_back({str(f, "index"), static_cast<int>(i64(f, "shard_id")), str(f, "reason"),
                            str(f, "status")});
  s.reason = str(j, "reason");
  if (j.contains("metadata")) s.metadata = j["metadata"];
  return s;
}

nlohmann::json SnapshotInfo::to_json() const {
  nlohmann::json j{
      {"snapshot", name},
      {"repository", repository},
      {"uuid", uuid},
      {"state", state},
      {"version", version},
      {"indices", indices},
      {"include_global_state", include_global_state},
      {"start_time_in_millis", start_ms},
      {"end_time_in_millis", end_ms},
      {"duration_in_millis", duration_ms},
      {"shards",
       {{"total", shards_total}, {"failed", shards_failed}, {"successful", shards_successful}}}};
  auto fs = nlohmann::json::array();
  for (const auto& f : failures)
    fs.push_back({{"index", f.index}, {"shard_id", f.shard}, {"reason", f.reason}});
  j["failures"] = fs;
  if (!metadata.is_null()) j["metadata"] = metadata;
  if (!reason.empty()) j["reason"] = reason;
  return j;
}

SnapshotProgress SnapshotProgress::from_json(const nlohmann::json& j) {
  SnapshotProgress p;
  p.name = str(j, "snapshot");
  p.repository = str(j, "repository");
  p.state = str(j, "state");
  if (j.contains("shards_stats")) {
    const auto& ss = j["shards_stats"];
    p.shards_total = static_cast<int>(i64(ss, "total"));
    p.shards_done = static_cast<int>(i64(ss, "done"));
    p.shards_failed = static_cast<int>(i64(ss, "failed"));
  }
  if (j.contains("stats")) {
    const auto& st = j["stats"];
    const auto& inc = st.contains("incremental") ? st["incremental"] : st;
    p.bytes_total = i64(inc, "size_in_bytes");
    if (st.contains("processed"))
      p.bytes_done = i64(st["processed"], "size_in_bytes");
    else if (p.shards_total > 0 && p.shards_done == p.shards_total)
      p.bytes_done = p.bytes_total;
    p.start_ms = i64(st, "start_time_in_millis");
  }
  if (j.contains("indices") && j["indices"].is_object())
    for (const auto& [name, idx] : j["indices"].items())
      if (idx.contains("stats") && idx["stats"].contains("total"))
        p.index_bytes[name] = i64(idx["stats"]["total"], "size_in_bytes");
  return p;
}

Result<CreateSnapshotResponse> create_snapshot(Client& c, const CreateSnapshotRequest& r) {
  nlohmann::json body{{"include_global_state", r.include_global_state},
                      {"partial", r.partial},
                      {"ignore_unavailable", r.ignore_unavailable}};
  if (!r.indices.empty()) body["indices"] = r.indices;
  if (!r.metadata.empty()) {
    body["metadata"] = nlohmann::json::object();
    for (const auto& [k, v] : r.metadata) body["metadata"][k] = v;
  }
  ESSNAP_TRY(auto j,
             c.json("PUT", "/_snapshot/" + path_segment(r.repository) + "/" + path_segment(r.name),
                    body, http::Idempotency::kNonIdempotent));
  CreateSnapshotResponse resp;
  resp.accepted = j.value("accepted", false) || j.contains("snapshot");
  return resp;
}

Result<GetSnapshotsResponse> get_snapshots(Client& c, const GetSnapshotsRequest& r) {
  std::string path = "/_snapshot/" + path_segment(r.repository) + "/" + r.names;
  if (r.ignore_unavailable) path += "?ignore_unavailable=true";
  ESSNAP_TRY(auto j, c.json("GET", path));
  GetSnapshotsResponse resp;
  if (j.contains("snapshots"))
    for (const auto& s : j["snapshots"]) {
      auto info = SnapshotInfo::from_json(s);
      if (info.repository.empty()) info.repository = r.repository;
      resp.snapshots.push_back(std::move(info));
    }
  return resp;
}

Result<SnapshotStatusResponse> snapshot_status(Client& c, const SnapshotStatusRequest& r) {
  std::string path = "/_snapshot";
  if (!r.repository.empty()) path += "/" + path_segment(r.repository);
  if (!r.name.empty()) path += "/" + path_segment(r.name);
  path += "/_status";
  ESSNAP_TRY(auto j, c.json("GET", path));
  SnapshotStatusResponse resp;
  if (j.contains("snapshots"))
    for (const auto& s : j["snapshots"]) resp.snapshots.push_back(SnapshotProgress::from_json(s));
  return resp;
}

Result<Ok> delete_snapshot(Client& c, const DeleteSnapshotRequest& r) {
  ESSNAP_TRY(auto j, c.json("DELETE", "/_snapshot/" + path_segment(r.repository) + "/" +
                                          path_segment(r.name)));
  (void)j;
  return Ok{};
}

Result<Ok> clone_snapshot(Client& c, const CloneSnapshotRequest& r) {
  ESSNAP_TRY(auto j, c.json("PUT",
                            "/_snapshot/" + path_segment(r.repository) + "/" +
                                path_segment(r.source) + "/_clone/" + path_segment(r.target),
                            nlohmann::json{{"indices", r.indices.empty() ? "*" : r.indices}},
                            http::Idempotency::kNonIdempotent));
  (void)j;
  return Ok{};
}

Result<Ok> restore_snapshot(Client& c, const RestoreRequest& r) {
  nlohmann::json body{{"indices", join(r.indices)},
                      {"include_aliases", r.include_aliases},
                      {"include_global_state", r.include_global_state},
                      {"partial", r.partial}};
  if (!r.rename_pattern.empty()) {
    body["rename_pattern"] = r.rename_pattern;
    body["rename_replacement"] = r.rename_replacement;
  }
  if (!r.index_settings.empty()) {
    body["index_settings"] = nlohmann::json::object();
    for (const auto& [k, v] : r.index_settings) body["index_settings"][k] = v;
  }
  if (!r.ignore_index_settings.empty()) body["ignore_index_settings"] = r.ignore_index_settings;
  ESSNAP_TRY(auto j, c.json("POST",
                            "/_snapshot/" + path_segment(r.repository) + "/" +
                                path_segment(r.snapshot) + "/_restore",
                            body, http::Idempotency::kNonIdempotent));
  (void)j;
  return Ok{};
}

Result<std::vector<IndexEntry>> list_indices(Client& c, const std::string& pattern) {
  ESSNAP_TRY(auto j,
             c.json("GET", "/_cat/indices/" + pattern +
                               "?format=json&h=index,status,docs.count&expand_wildcards=all"));
  std::vector<IndexEntry> out;
  if (j.is_array())
    for (const auto& e : j) {
      IndexEntry ie{str(e, "index"), str(e, "status"), -1};
      if (e.contains("docs.count") && !e["docs.count"].is_null()) ie.docs = i64(e, "docs.count");
      out.push_back(std::move(ie));
    }
  return out;
}

Result<std::map<std::string, IndexHealth>> index_health(Client& c,
                                                        const std::vector<std::string>& indices) {
  ESSNAP_TRY(auto j, c.json("GET", "/_cluster/health/" + join(indices) +
                                       "?level=indices&expand_wildcards=all"));
  std::map<std::string, IndexHealth> out;
  if (j.contains("indices"))
    for (const auto& [name, h] : j["indices"].items())
      out[name] = IndexHealth{str(h, "status"), static_cast<int>(i64(h, "number_of_shards")),
                              static_cast<int>(i64(h, "active_primary_shards")),
                              static_cast<int>(i64(h, "initializing_shards")),
                              static_cast<int>(i64(h, "unassigned_shards"))};
  return out;
}

Result<RecoveryProgress> recovery_progress(Client& c, const std::vector<std::string>& indices) {
  ESSNAP_TRY(auto j, c.json("GET", "/" + join(indices) + "/_recovery"));
  RecoveryProgress p;
  if (!j.is_object()) return p;
  for (const auto& [name, idx] : j.items()) {
    if (!idx.contains("shards")) continue;
    for (const auto& s : idx["shards"]) {
      if (!s.value("primary", false)) continue;
      ++p.shards_total;
      if (str(s, "stage") == "DONE") ++p.shards_done;
      if (s.contains("index") && s["index"].contains("size")) {
        const auto& size = s["index"]["size"];
        p.bytes_total += i64(size, "total_in_bytes");
        p.bytes_done += i64(size, "recovered_in_bytes");
        p.index_bytes[name] += i64(size, "total_in_bytes");
      }
    }
  }
  return p;
}

Result<Ok> close_index(Client& c, const std::string& index) {
  ESSNAP_TRY(auto j, c.json("POST", "/" + path_segment(index) + "/_close"));
  (void)j;
  return Ok{};
}

Result<Ok> delete_index(Client& c, const std::string& index) {
  ESSNAP_TRY(auto j, c.json("DELETE", "/" + path_segment(index)));
  (void)j;
  return Ok{};
}

Result<std::int64_t> count_documents(Client& c, const std::string& index) {
  ESSNAP_TRY(auto j, c.json("GET", "/" + path_segment(index) + "/_count"));
  return i64(j, "count");
}

Result<std::vector<RepositoryInfo>> get_repositories(Client& c, const std::string& names) {
  ESSNAP_TRY(auto j, c.json("GET", "/_snapshot/" + names));
  std::vector<RepositoryInfo> out;
  if (j.is_object())
    for (const auto& [name, r] : j.items())
      out.push_back(
          {name, str(r, "type"), r.contains("settings") ? r["settings"] : nlohmann::json()});
  return out;
}

Result<nlohmann::json> verify_repository(Client& c, const std::string& name) {
  return c.json("POST", "/_snapshot/" + path_segment(name) + "/_verify");
}

Result<nlohmann::json> cleanup_repository(Client& c, const std::string& name) {
  return c.json("POST", "/_snapshot/" + path_segment(name) + "/_cleanup");
}

Result<Ok> unregister_repository(Client& c, const std::string& name) {
  ESSNAP_TRY(auto j, c.json("DELETE", "/_snapshot/" + path_segment(name)));
  (void)j;
  return Ok{};
}

}  // namespace essnap::cluster
