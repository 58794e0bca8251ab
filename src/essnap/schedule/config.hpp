// The `essnap run` configuration: clusters, policies and the metrics endpoint, read from YAML
// (docs/CONFIG.md). Every error names the file and line: "essnap.yaml:12: unknown key 'shedule'".
// A span is util::parse_span's clock time (30s, 5min, 1h30min; a bare "m" is refused); a restic
// duration is retention::parse_duration's (7d, 1y6m, m = months).
//
//   config    := { "clusters": { NAME: cluster } | [ cluster with name ], "policies": { NAME:
//   policy },
//                  ["metrics": {listen: "HOST:PORT", allow_remote: bool}], ["jitter": span] }
//   cluster   := context/definition.hpp's definition (the schema of the user's contexts)
//   policy    := { cluster, repository, schedule, [indices: string | [string]], [name],
//                  [retention: { keep_last|keep_hourly|keep_daily|keep_weekly|keep_monthly|
//                                keep_yearly: int, keep_within[_hourly|_daily|...]: restic
//                                duration (m = months),
//                                keep_min: int, prune_failed: bool, tz: zone }],
//                  [prune: after_snapshot | never | <schedule>],
//                  [alert_if_no_success_within: span], [match: string | [string]],
//                  [include_global_state: bool], [partial: bool], [copy_to: copy_to],
//                  [drill: drill] }
//   copy_to   := { to: s3://BUCKET/PREFIX | /dir, [profile], [region], [s3_endpoint_url],
//                  [s3_path_style: bool], [snapshots: string | [glob]], [retention: { the
//                  policy's keep_* keys }], [object_lock_days: int (S3 only)],
//                  [object_lock_mode: governance | compliance], [storage_class (S3 only)],
//                  [verify_data: bool], [location_map: { FROM: TO }] }
//   drill     := { schedule, cluster: NAME of clusters, [repository], [indices: string | [string]],
//                  [sample: int >= 0], [into_suffix] }
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/cluster/connection.hpp"
#include "essnap/context/definition.hpp"
#include "essnap/retention/policy.hpp"
#include "essnap/schedule/cron.hpp"
#include "essnap/util/result.hpp"

namespace essnap::schedule {

// A cluster: the one cluster definition (context/definition.hpp), shared with the user's contexts.
using ClusterConfig = context::ClusterDefinition;

// The cluster as a library ConnectionSpec: its secrets from the variables, files or commands it
// names, no prompt (a scheduler has no terminal), two minutes per request attempt unless it sets
// `timeout`.
Result<cluster::ConnectionSpec> connection_spec(const ClusterConfig& c, int verbose);

// `copy_to`: after each snapshot (and prune) the policy's repository is synced
// (sync/sync.hpp) to this DST, with DST's own credentials, retention and Object Lock.
struct CopyToConfig {
  std::string to;  // s3://BUCKET/PREFIX or a directory
  std::string profile;
  std::string region;
  std::string s3_endpoint_url;
  bool s3_path_style = false;
  // Globs; empty: exactly the snapshots the policy owns (its metadata or its match globs).
  std::vector<std::string> snapshots;
  std::optional<retention::Policy> retention;  // DST's own keep_* rules
  int object_lock_days = 0;
  std::string object_lock_mode = "GOVERNANCE";
  std::string storage_class;  // upper case
  bool verify_data = false;
  // The registered repository's location as this machine sees it: FROM prefix -> TO.
  std::vector<std::pair<std::string, std::string>> location_map;
  int line = 0;
};

// `drill`: on its own schedule, the newest SUCCESS snapshot the policy owns is restored into
// scratch indices on `cluster` (which must have the repository registered, under `repository`:
// default the policy's), checked and deleted (drill/drill.hpp).
struct DrillConfig {
  Schedule schedule;
  std::string cluster;
  std::string repository;
  std::vector<std::string> indices;  // patterns with -exclusions; empty = all but system indices
  int sample = 10;
  std::string into_suffix;  // empty: -drill-<date>
  int line = 0;
};

enum class PruneMode { kAfterSnapshot, kOnSchedule, kNever };

struct PolicyConfig {
  std::string name;
  std::string cluster;
  std::string repository;
  Schedule schedule;
  std::vector<std::string> indices;  // patterns with -exclusions; empty = all
  std::string name_template;         // {policy} and essnap's {now:...} templates
  retention::Policy retention;
  PruneMode prune = PruneMode::kAfterSnapshot;
  std::optional<Schedule> prune_schedule;  // kOnSchedule
  std::optional<Seconds> alert_within;     // alert_if_no_success_within
  std::vector<std::string> match;
  bool include_global_state = false;
  bool partial = false;
  std::optional<CopyToConfig> copy_to;
  std::optional<DrillConfig> drill;
  int line = 0;
};

struct MetricsConfig {
  std::string listen;  // empty: no metrics endpoint
  std::string host;
  int port = 0;
  bool allow_remote = false;
};

struct Config {
  std::string file;
  std::map<std::string, ClusterConfig> clusters;
  std::vector<PolicyConfig> policies;  // in file order
  MetricsConfig metrics;
  Seconds jitter{0};

  const PolicyConfig* policy(std::string_view name) const;
};

// Every problem found, one "FILE:LINE: what is wrong" per line of the error's message
// (kInvalidArgument); kIo when the file cannot be read.
Result<Config> parse_config(std::string_view yaml_text, const std::string& file);
Result<Config> load_config(const std::string& path);

// The snapshot name for a run of `policy` at `now` ({policy} replaced, then the date template).
Result<std::string> snapshot_name(const PolicyConfig& policy, Clock::time_point now);

// True for a numeric address in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104 (parsed as an
// address: "127.evil.example" is a name, not 127/8) and for localhost when the hosts file maps
// it to loopback only. Other names are false: no DNS at check time, and their answer may change.
bool is_loopback_host(std::string_view host);

}  // namespace essnap::schedule
