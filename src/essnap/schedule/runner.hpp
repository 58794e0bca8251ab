// The Runner that talks to clusters: a policy's snapshot through snapshot::create_snapshot and
// the one wait loop (waiting for the slot when another snapshot — SLM, SM, cs-automated — runs),
// and its prune through retention::plan_prune + execute_prune. No prompts: the config is the
// consent. Clients are made once per cluster by an injected factory (cli/ owns credentials).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>

#include "essnap/cluster/client.hpp"
#include "essnap/schedule/scheduler.hpp"
#include "essnap/snapshot/wait.hpp"

namespace essnap::schedule {

using ClientFactory = std::function<Result<std::shared_ptr<cluster::Client>>(const ClusterConfig&)>;

class ClusterRunner final : public Runner {
 public:
  // `stop` is polled by the waits (SIGTERM); `poll` tunes them.
  ClusterRunner(ClientFactory factory, Logger& log, std::function<bool()> stop,
                snapshot::PollPolicy poll = {});

  void configure(const Config& config) override;
  RunOutcome snapshot(const PolicyConfig& policy, SysSeconds now) override;
  RunOutcome prune(const PolicyConfig& policy, Clock::time_point now) override;
  PolicyHistory history(const PolicyConfig& policy) override;
  // SRC: the registered repository's location (cluster::repository_location, then copy_to's
  // location_map) with the cluster's profile and region; DST: copy_to's own. No prompt.
  CopyOutcome copy(const PolicyConfig& policy) override;
  // The newest SUCCESS snapshot the policy owns in the drill cluster's repository, drilled there
  // (drill/drill.hpp); the scratch indices are deleted whatever happens.
  DrillOutcome drill(const PolicyConfig& policy) override;

 private:
  Result<std::shared_ptr<cluster::Client>> client(const std::string& cluster);
  snapshot::WaitHooks hooks(const std::string& policy, std::int64_t* bytes);
  std::optional<std::int64_t> count_owned(cluster::Client& c, const PolicyConfig& p);

  ClientFactory factory_;
  Logger& log_;
  std::function<bool()> stop_;
  snapshot::PollPolicy poll_;
  Config config_;
  std::map<std::string, std::shared_ptr<cluster::Client>> clients_;
  // Per policy: snapshots its DST held after the last copy, and those DST's retention removed
  // or the sync skipped (neither counts as lag).
  std::map<std::string, std::set<std::string>> in_dst_, not_copied_;
};

}  // namespace essnap::schedule
