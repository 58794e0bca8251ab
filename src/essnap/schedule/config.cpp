#include "essnap/schedule/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "essnap/blob/open.hpp"
#include "essnap/cluster/cluster_url.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/retention/prune.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/schedule/metrics.hpp"
#include "essnap/snapshot/naming.hpp"
#include "essnap/util/durations.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::schedule {
namespace {

// Collects "FILE:LINE: message" lines; yaml-cpp's Mark is 0-based.
struct Checker {
  std::string file;
  std::vector<std::string> errors;

  void err(const YAML::Node& at, const std::string& msg) {
    const int line = at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    errors.push_back(file + ":" + std::to_string(line) + ": " + msg);
  }
  int line(const YAML::Node& n) const { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

  bool is_map(const YAML::Node& n, const std::string& what) {
    if (n.IsMap()) return true;
    err(n, what + " must be a mapping (key: value lines)");
    return false;
  }
  std::optional<std::string> str(const YAML::Node& n, const std::string& what) {
    if (n.IsScalar()) return n.Scalar();
    err(n, what + " must be a string");
    return std::nullopt;
  }
  std::optional<int> integer(const YAML::Node& n, const std::string& what) {
    try {
      if (n.IsScalar()) return n.as<int>();
    } catch (const YAML::Exception&) {
    }
    err(n,
        what + " must be an integer, not '" + (n.IsScalar() ? n.Scalar() : "a collection") + "'");
    return std::nullopt;
  }
  std::optional<bool> boolean(const YAML::Node& n, const std::string& what) {
    try {
      if (n.IsScalar()) return n.as<bool>();
    } catch (const YAML::Exception&) {
    }
    err(n, what + " must be true or false");
    return std::nullopt;
  }
  // A string or a list of strings.
  std::vector<std::string> strings(const YAML::Node& n, const std::string& what) {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.Scalar());
    } else if (n.IsSequence()) {
      for (const auto& item : n)
        if (auto s = str(item, what + " entries")) out.push_back(*s);
    } else {
      err(n, what + " must be a string or a list of strings");
    }
    return out;
  }
  // Flags keys outside `known`; inline secrets get their own message.
  void keys(const YAML::Node& map, const std::string& where,
            std::initializer_list<const char*> known) {
    for (const auto& kv : map) {
      const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (std::any_of(known.begin(), known.end(), [&](const char* s) { return k == s; })) continue;
      if (k == "password" || k == "api_key" || k == "secret")
        err(kv.first, "inline secrets are refused: '" + k + "' in " + where + "; use " + k +
                          "_env (an environment variable's name) or " + k +
                          "_file (a file's path)");
      else {
        std::string list;
        for (const char* s : known) list += (list.empty() ? "" : ", ") + std::string(s);
        err(kv.first, "unknown key '" + k + "' in " + where + " (known: " + list + ")");
      }
    }
  }
};

// yaml-cpp keeps every entry of a mapping whose key repeats, and lookups see only one of them:
// two clusters or policies of one name, or a key given twice, would silently become one. Every
// repetition is an error at its line, naming the first.
void duplicate_keys(Checker& c, const YAML::Node& n, const std::string& where, int depth = 0) {
  if (depth > 64) return;  // deeper than any config; aliases cannot loop past this
  if (n.IsSequence()) {
    for (const auto& item : n) duplicate_keys(c, item, where, depth + 1);
    return;
  }
  if (!n.IsMap()) return;
  std::map<std::string, int> first;
  for (const auto& kv : n) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (kv.first.IsScalar()) {
      const auto [it, fresh] = first.emplace(key, c.line(kv.first));
      if (!fresh)
        c.err(kv.first, "duplicate key '" + key + "' in " + where + " (first at line " +
                            std::to_string(it->second) +
                            "); each key may appear once: remove or rename one");
    }
    duplicate_keys(c, kv.second, where == "the configuration" ? key : where + "." + key, depth + 1);
  }
}

bool valid_policy_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

void parse_retention(Checker& c, const YAML::Node& n, const std::string& where,
                     retention::Policy& p) {
  if (!c.is_map(n, "retention of " + where)) return;
  c.keys(n, "retention of " + where,
         {"keep_last", "keep_hourly", "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly",
          "keep_within", "keep_within_hourly", "keep_within_daily", "keep_within_weekly",
          "keep_within_monthly", "keep_within_yearly", "keep_min", "prune_failed", "tz"});
  auto count = [&](const char* key, int& into) {
    if (!n[key]) return;
    into = c.integer(n[key], key).value_or(0);
    if (into < -1) c.err(n[key], std::string(key) + " must be -1 (unlimited), 0 or more");
  };
  count("keep_last", p.last);
  count("keep_hourly", p.hourly);
  count("keep_daily", p.daily);
  count("keep_weekly", p.weekly);
  count("keep_monthly", p.monthly);
  count("keep_yearly", p.yearly);
  count("keep_min", p.keep_min);
  auto within = [&](const char* key, std::optional<retention::Duration>& into) {
    if (!n[key]) return;
    auto s = c.str(n[key], key);
    if (!s) return;
    auto d = retention::parse_duration(*s);
    if (d.ok())
      into = *d;
    else
      c.err(n[key], std::string(key) + ": " + d.error().message);
  };
  within("keep_within", p.within);
  within("keep_within_hourly", p.within_hourly);
  within("keep_within_daily", p.within_daily);
  within("keep_within_weekly", p.within_weekly);
  within("keep_within_monthly", p.within_monthly);
  within("keep_within_yearly", p.within_yearly);
  if (n["prune_failed"] && c.boolean(n["prune_failed"], "prune_failed").value_or(false))
    p.prune_failed = retention::PruneFailed::kYes;
  if (n["tz"]) p.tz = c.str(n["tz"], "tz").value_or("UTC");
}

void parse_copy_to(Checker& c, const YAML::Node& n, const std::string& policy, PolicyConfig& p) {
  const std::string where = "copy_to of " + policy;
  if (!c.is_map(n, where)) return;
  c.keys(n, where,
         {"to", "profile", "region", "s3_endpoint_url", "s3_path_style", "snapshots", "retention",
          "object_lock_days", "object_lock_mode", "storage_class", "verify_data", "location_map"});
  CopyToConfig t;
  t.line = c.line(n);
  if (!n["to"])
    c.err(n, where + " has no 'to' (s3://BUCKET/PREFIX or a directory)");
  else
    t.to = c.str(n["to"], "to of " + where).value_or("");
  if (n["to"] && t.to.empty())
    c.err(n["to"], "to of " + where + " is empty: give s3://BUCKET/PREFIX or a directory");
  auto text = [&](const char* key, std::string& into) {
    if (n[key]) into = c.str(n[key], std::string(key) + " of " + where).value_or("");
  };
  text("profile", t.profile);
  text("region", t.region);
  text("s3_endpoint_url", t.s3_endpoint_url);
  if (n["s3_path_style"])
    t.s3_path_style = c.boolean(n["s3_path_style"], "s3_path_style").value_or(false);
  if (n["verify_data"]) t.verify_data = c.boolean(n["verify_data"], "verify_data").value_or(false);
  if (n["snapshots"]) {
    t.snapshots = c.strings(n["snapshots"], "snapshots of " + where);
    if (n["snapshots"].IsSequence() && n["snapshots"].size() == 0)
      c.err(n["snapshots"], "snapshots of " + where +
                                " is an empty list; leave it out to copy the snapshots the "
                                "policy owns, or give globs: [\"nightly-*\"]");
  }
  if (n["retention"]) {
    retention::Policy r;
    parse_retention(c, n["retention"], where, r);
    if (r.empty())
      c.err(n["retention"], "retention of " + where +
                                " keeps nothing by rule; add keep_* rules "
                                "or leave retention out to keep everything");
    t.retention = r;
  }
  const bool s3 = blob::is_s3_uri(t.to);
  if (const auto d = n["object_lock_days"]) {
    t.object_lock_days = c.integer(d, "object_lock_days of " + where).value_or(0);
    if (t.object_lock_days < 0)
      c.err(d, "object_lock_days of " + where + " must be 0 or more");
    else if (t.object_lock_days > 0 && !s3 && !t.to.empty())
      c.err(d, "object_lock_days of " + where + " needs an S3 DST (to: s3://BUCKET/PREFIX), not '" +
                   t.to + "'");
  }
  if (const auto m = n["object_lock_mode"]) {
    t.object_lock_mode = util::to_upper(c.str(m, "object_lock_mode of " + where).value_or(""));
    if (t.object_lock_mode != "GOVERNANCE" && t.object_lock_mode != "COMPLIANCE")
      c.err(m, "object_lock_mode of " + where + " must be governance or compliance");
  }
  if (const auto sc = n["storage_class"]) {
    t.storage_class = util::to_upper(c.str(sc, "storage_class of " + where).value_or(""));
    if (auto st = s3::check_repository_storage_class(t.storage_class); !st.ok())
      c.err(sc, "storage_class of " + where + ": " + st.error().message);
    else if (!s3 && !t.to.empty())
      c.err(sc, "storage_class of " + where + " needs an S3 DST (to: s3://BUCKET/PREFIX)");
  }
  if (const auto lm = n["location_map"]) {
    if (c.is_map(lm, "location_map of " + where))
      for (const auto& kv : lm) {
        const auto from = c.str(kv.first, "location_map keys");
        const auto to = c.str(kv.second, "location_map values");
        if (from && to && !from->empty())
          t.location_map.emplace_back(*from, *to);
        else if (from && from->empty())
          c.err(kv.first, "location_map of " + where + ": an empty FROM maps nothing");
      }
  }
  p.copy_to = std::move(t);
}

Result<Schedule> schedule_at(Checker& c, const YAML::Node& n, const std::string& what,
                             const std::string& tz) {
  auto text = c.str(n, what);
  if (!text) return Error(ErrorCode::kInvalidArgument, "");
  auto zone = make_zone(tz);
  if (!zone.ok()) {
    c.err(n, what + ": " + zone.error().message);
    return zone.error();
  }
  auto s = Schedule::parse(*text, *zone);
  if (!s.ok()) c.err(n, s.error().message);
  return s;
}

void parse_drill(Checker& c, const YAML::Node& n, const std::string& policy, const Config& out,
                 PolicyConfig& p) {
  const std::string where = "drill of " + policy;
  if (!c.is_map(n, where)) return;
  c.keys(n, where, {"schedule", "cluster", "repository", "indices", "sample", "into_suffix"});
  DrillConfig d;
  d.line = c.line(n);
  for (const char* key : {"schedule", "cluster"})
    if (!n[key])
      c.err(n, where + " has no " + key +
                   (std::string(key) == "cluster"
                        ? " (the cluster of clusters: to restore the snapshot into)"
                        : " (when to drill, e.g. '0 6 * * 0')"));
  if (n["cluster"]) {
    d.cluster = c.str(n["cluster"], "cluster of " + where).value_or("");
    if (!d.cluster.empty() && !out.clusters.count(d.cluster))
      c.err(n["cluster"], where + " names unknown cluster '" + d.cluster + "'");
  }
  d.repository = p.repository;
  if (n["repository"]) {
    if (auto repo = c.str(n["repository"], "repository of " + where)) {
      d.repository = *repo;
      if (auto st = cluster::names::validate_repository_name(*repo, "repository of " + where);
          !st.ok())
        c.err(n["repository"], st.error().message);
    }
  }
  if (n["indices"]) {
    d.indices = c.strings(n["indices"], "indices of " + where);
    if (n["indices"].IsSequence() && n["indices"].size() == 0)
      c.err(n["indices"], "indices of " + where +
                              " is an empty list; leave it out to drill every index of the "
                              "snapshot, or name them: [\"logs-*\"]");
    else if (auto st = cluster::names::validate_index_arguments(d.indices, "indices of " + where);
             !st.ok())
      c.err(n["indices"], st.error().message);
  }
  if (n["sample"]) {
    d.sample = c.integer(n["sample"], "sample of " + where).value_or(10);
    if (d.sample < 0) c.err(n["sample"], "sample of " + where + " must be 0 or more");
  }
  if (n["into_suffix"]) {
    d.into_suffix = c.str(n["into_suffix"], "into_suffix of " + where).value_or("");
    if (d.into_suffix.empty())
      c.err(n["into_suffix"],
            "into_suffix of " + where + " is empty; leave it out for the default -drill-<date>");
    else if (auto st = cluster::names::validate_index_name("x" + d.into_suffix,
                                                           "into_suffix of " + where);
             !st.ok())
      c.err(n["into_suffix"], st.error().message);
  }
  if (n["schedule"]) {
    auto s = schedule_at(c, n["schedule"], "schedule of " + where, p.retention.tz);
    if (s.ok()) d.schedule = *s;
  }
  p.drill = std::move(d);
}

void parse_policy_rest(Checker& c, const YAML::Node& n, const std::string& where, const Config& out,
                       PolicyConfig& p) {
  if (n["indices"]) {
    p.indices = c.strings(n["indices"], "indices of " + where);
    // An empty selection would reach the engine as "every index": never what was meant.
    if (n["indices"].IsSequence() && n["indices"].size() == 0)
      c.err(n["indices"], "indices of " + where +
                              " is an empty list, which would snapshot every index; leave "
                              "indices out to mean every index, or name them: [\"logs-*\"]");
    else if (auto st = cluster::names::validate_index_arguments(p.indices, "indices of " + where);
             !st.ok())
      c.err(n["indices"], st.error().message +
                              "; leave indices out to mean every index, or name them: "
                              "[\"logs-*\"]");
  }
  if (n["match"]) p.match = c.strings(n["match"], "match of " + where);
  if (n["name"]) p.name_template = c.str(n["name"], "name of " + where).value_or("");
  if (n["retention"]) parse_retention(c, n["retention"], where, p.retention);
  if (n["include_global_state"])
    p.include_global_state =
        c.boolean(n["include_global_state"], "include_global_state").value_or(false);
  if (n["partial"]) p.partial = c.boolean(n["partial"], "partial").value_or(false);
  if (n["copy_to"]) parse_copy_to(c, n["copy_to"], where, p);
  if (n["drill"]) parse_drill(c, n["drill"], where, out, p);
  if (const auto a = n["alert_if_no_success_within"]) {
    if (auto s = c.str(a, "alert_if_no_success_within")) {
      auto d = util::parse_span(*s, "alert_if_no_success_within");  // a bare "m" is refused
      if (d.ok() && d->count() > 0)
        p.alert_within = *d;
      else
        c.err(a, d.ok() ? "alert_if_no_success_within '" + *s + "' is zero" : d.error().message);
    }
  }
  if (const auto pr = n["prune"]) {
    const std::string v = c.str(pr, "prune of " + where).value_or("after_snapshot");
    if (v == "after_snapshot")
      p.prune = PruneMode::kAfterSnapshot;
    else if (v == "never")
      p.prune = PruneMode::kNever;
    else {
      p.prune = PruneMode::kOnSchedule;
      auto s = schedule_at(c, pr, "prune of " + where, p.retention.tz);
      if (s.ok()) p.prune_schedule = *s;
    }
  }
  if (p.prune != PruneMode::kNever && p.retention.empty())
    c.err(n["retention"] ? n["retention"] : n,
          where + " prunes (prune: " + (n["prune"] ? n["prune"].Scalar() : "after_snapshot") +
              ") but its retention keeps nothing by rule; add keep_* rules or set prune: never");
  auto name = snapshot_name(p, Clock::now());
  if (!name.ok()) c.err(n["name"] ? n["name"] : n, where + ": " + name.error().message);
}

void parse_policy(Checker& c, const std::string& name, const YAML::Node& n, Config& out) {
  const std::string where = "policy '" + name + "'";
  if (!c.is_map(n, where)) return;
  c.keys(n, where,
         {"cluster", "repository", "schedule", "indices", "name", "retention", "prune",
          "alert_if_no_success_within", "match", "include_global_state", "partial", "copy_to",
          "drill"});
  PolicyConfig p;
  p.name = name;
  p.line = c.line(n);
  p.name_template = name + "-{now:%Y.%m.%d-%H%M%S}";
  if (!valid_policy_name(name))
    c.err(n, "policy name '" + name + "' must be lower case letters, digits, '-' or '_'");
  for (const char* key : {"cluster", "schedule"})
    if (!n[key]) c.err(n, where + " has no " + key);
  if (n["cluster"]) {
    p.cluster = c.str(n["cluster"], "cluster of " + where).value_or("");
    if (!p.cluster.empty() && !out.clusters.count(p.cluster))
      c.err(n["cluster"], where + " names unknown cluster '" + p.cluster + "'");
  }
  if (n["repository"]) {
    if (auto repo = c.str(n["repository"], "repository of " + where)) {
      p.repository = *repo;
      if (auto st = cluster::names::validate_repository_name(*repo, "repository of " + where);
          !st.ok())
        c.err(n["repository"], st.error().message);
    }
  } else if (auto cl = out.clusters.find(p.cluster); cl != out.clusters.end()) {
    p.repository = cl->second.repository;  // the cluster's default (checked where it is read)
  }
  if (!n["repository"] && p.repository.empty()) c.err(n, where + " has no repository");
  parse_policy_rest(c, n, where, out, p);
  if (p.prune != PruneMode::kNever && retention::is_aws_managed_repository(p.repository))
    c.err(n["repository"] ? n["repository"] : n,
          where + " prunes repository '" + p.repository +
              "', but cs-* repositories belong to Amazon OpenSearch Service's automated "
              "snapshots and essnap never prunes them; set prune: never");
  if (n["schedule"]) {
    auto s = schedule_at(c, n["schedule"], "schedule of " + where, p.retention.tz);
    if (s.ok()) p.schedule = *s;
  }
  out.policies.push_back(std::move(p));
}

void parse_metrics(Checker& c, const YAML::Node& n, Config& out) {
  if (!c.is_map(n, "metrics")) return;
  c.keys(n, "metrics", {"listen", "allow_remote"});
  auto& m = out.metrics;
  if (n["allow_remote"])
    m.allow_remote = c.boolean(n["allow_remote"], "allow_remote").value_or(false);
  if (!n["listen"]) return;
  m.listen = c.str(n["listen"], "metrics.listen").value_or("");
  const auto colon = m.listen.rfind(':');
  int port = 0;
  try {
    if (colon != std::string::npos) port = std::stoi(m.listen.substr(colon + 1));
  } catch (...) {
  }
  if (colon == std::string::npos || port < 0 || port > 65535) {  // 0: any free port
    c.err(n["listen"], "metrics.listen '" + m.listen + "' must be HOST:PORT, e.g. 127.0.0.1:9464");
    return;
  }
  m.host = m.listen.substr(0, colon);
  if (m.host.size() > 2 && m.host.front() == '[' && m.host.back() == ']')
    m.host = m.host.substr(1, m.host.size() - 2);
  m.port = port;
  if (!m.allow_remote && !is_loopback_host(m.host))
    c.err(n["listen"], "metrics.listen '" + m.listen +
                           "' is not a loopback address (127.0.0.0/8, [::1] or localhost; a "
                           "host name is not trusted to stay loopback); set "
                           "metrics.allow_remote: true to serve metrics to the network");
}

void parse_root(Checker& c, const YAML::Node& root, Config& out) {
  if (!c.is_map(root, "the configuration")) return;
  duplicate_keys(c, root, "the configuration");
  c.keys(root, "the configuration", {"clusters", "policies", "metrics", "jitter"});
  if (!root["clusters"]) c.err(root, "no 'clusters' section");
  if (!root["policies"]) c.err(root, "no 'policies' section");
  if (root["clusters"])
    for (auto& cl : context::parse_definitions(root["clusters"], {}, {c.file, &c.errors}))
      out.clusters[cl.name] = std::move(cl);
  if (root["policies"] && c.is_map(root["policies"], "policies"))
    for (const auto& kv : root["policies"]) parse_policy(c, kv.first.Scalar(), kv.second, out);
  if (root["metrics"]) parse_metrics(c, root["metrics"], out);
  if (root["jitter"]) {  // a clock span: 30s, 5min; a bare "5m" is refused as ambiguous
    if (auto s = c.str(root["jitter"], "jitter")) {
      auto d = util::parse_span(*s, "jitter");
      if (d.ok())
        out.jitter = *d;
      else
        c.err(root["jitter"], d.error().message);
    }
  }
}

}  // namespace

const PolicyConfig* Config::policy(std::string_view name) const {
  for (const auto& p : policies)
    if (p.name == name) return &p;
  return nullptr;
}

Result<Config> parse_config(std::string_view text, const std::string& file) {
  Checker c{file, {}};
  Config out;
  out.file = file;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    parse_root(c, root, out);
  } catch (const YAML::Exception& e) {
    c.errors.push_back(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (c.errors.empty()) return out;
  // In file order (checks run section by section); equal lines keep their order.
  auto line_of = [&](const std::string& e) { return std::atoi(e.c_str() + file.size() + 1); };
  std::stable_sort(c.errors.begin(), c.errors.end(),
                   [&](const auto& a, const auto& b) { return line_of(a) < line_of(b); });
  std::string msg;
  for (const auto& e : c.errors) msg += (msg.empty() ? "" : "\n") + e;
  return Error(ErrorCode::kInvalidArgument, msg, "the format is described in docs/CONFIG.md");
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return Error(ErrorCode::kIo, "cannot read config file " + path,
                 "check the path and its permissions");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

Result<std::string> snapshot_name(const PolicyConfig& policy, Clock::time_point now) {
  std::string t = policy.name_template;
  for (size_t p; (p = t.find("{policy}")) != std::string::npos;) t.replace(p, 8, policy.name);
  ESSNAP_TRY(std::string name, snapshot::expand_snapshot_name(t, now));
  ESSNAP_TRY_STATUS(snapshot::validate_snapshot_name(name));
  return name;
}

bool is_loopback_host(std::string_view h) {
  // Only what needs no DNS: an address, read as one (so "127.evil.example" is a name, not
  // 127/8), or localhost from the hosts file. A name's answer can change after the check.
  if (util::to_lower(h) == "localhost") return resolves_to_loopback("localhost");
  return is_numeric_host(std::string(h)) && resolves_to_loopback(std::string(h));
}

Result<cluster::ConnectionSpec> connection_spec(const ClusterConfig& c, int verbose) {
  ESSNAP_TRY_STATUS(cluster::parse_auth_kind(c.auth));
  return context::to_connection_spec(c, verbose, std::chrono::seconds(120));
}

}  // namespace essnap::schedule
