// `essnap run --config FILE [--once [--policy NAME]]`: the scheduler (schedule/scheduler.hpp)
// with real clocks, signals (the one handler, InterruptScope: SIGTERM/SIGINT stop, SIGHUP
// reloads), cluster clients built from the config's clusters, and the metrics endpoint.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/http/request_target.hpp"
#include "essnap/schedule/runner.hpp"
#include "essnap/schedule/scheduler.hpp"
#include "essnap/util/sleep.hpp"

namespace essnap::cli {
namespace {

using schedule::SysSeconds;

struct RunFlags {
  std::string config;
  std::string policy;
  std::string log_format = "text";
  bool once = false;
};

// Signals come through the one handler (InterruptScope, SIGHUP as a reload); the idle sleep
// notices one within a step this long.
constexpr std::chrono::milliseconds kIdleStep{250};

// Sleeps until `t` (wall clock), a stop or a reload; the clock is read again at least once a
// minute so clock jumps (a suspended VM) are noticed.
void sleep_until(SysSeconds t) {
  const auto woken = [] {
    return InterruptScope::requested() || InterruptScope::reload_requested();
  };
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        schedule::Clock::time_point(t) - schedule::Clock::now());
    if (left.count() <= 0 || woken()) return;
    util::sleep_for(std::min(left, std::chrono::milliseconds(60000)), woken, {}, kIdleStep);
  }
}

Result<std::shared_ptr<cluster::Client>> make_client(const GlobalOptions& global,
                                                     const schedule::ClusterConfig& c) {
  ESSNAP_TRY(cluster::ConnectionSpec spec, schedule::connection_spec(c, global.verbose));
  if (spec.profile.empty()) spec.profile = global.profile;
  if (spec.region.empty()) spec.region = global.region;
  ESSNAP_TRY(auto conn, cluster::open_connection(std::move(spec)));
  return std::shared_ptr<cluster::Client>(conn->make_client());
}

// `-o json run --once`: one document, every policy run with what it did.
nlohmann::json once_json(const std::string& file,
                         const std::vector<std::pair<std::string, schedule::RunOutcome>>& runs,
                         int rc) {
  auto policies = nlohmann::json::array();
  for (const auto& [name, o] : runs) {
    nlohmann::json j{{"policy", name},
                     {"snapshot", o.snapshot},
                     {"result", schedule::to_string(o.result)},
                     {"refused", o.refused},
                     {"interrupted", o.interrupted},
                     {"bytes", o.bytes},
                     {"deleted", o.deleted},
                     {"exit_code", schedule::exit_status(o)}};
    if (o.snapshots) j["snapshots"] = *o.snapshots;
    if (!o.message.empty()) j["message"] = o.message;
    policies.push_back(std::move(j));
  }
  return {{"config", file}, {"policies", policies}, {"exit_code", rc}};
}

Result<int> run_scheduler(const GlobalOptions& global, const RunFlags& f) {
  auto config = schedule::load_config(f.config);
  if (!config.ok()) return config.error();
  if (!f.policy.empty() && !config->policy(f.policy))
    return Error(ErrorCode::kInvalidArgument, "no policy '" + f.policy + "' in " + f.config,
                 "'essnap config check " + f.config + "' lists them");
  schedule::Logger log(f.log_format == "json" ? schedule::LogFormat::kJson
                                              : schedule::LogFormat::kText);
  InterruptScope signals(InterruptScope::Hangup::kReload);
  auto stop = [] { return InterruptScope::requested(); };
  schedule::ClusterRunner runner(
      [&](const schedule::ClusterConfig& c) { return make_client(global, c); }, log, stop);
  schedule::MetricsRegistry metrics;
  schedule::SchedulerHooks hooks;
  hooks.now = [] { return std::chrono::floor<schedule::Seconds>(schedule::Clock::now()); };
  hooks.precise_now = [] { return schedule::Clock::now(); };
  hooks.sleep_until = sleep_until;
  hooks.stop_requested = stop;
  hooks.take_reload = [] { return InterruptScope::take_reload(); };
  const std::string path = f.config;
  hooks.reload = [path] { return schedule::load_config(path); };
  hooks.random = [] {
    return static_cast<double>(std::rand()) / (static_cast<double>(RAND_MAX) + 1);
  };
  std::srand(static_cast<unsigned>(::getpid()));
  schedule::Scheduler scheduler(std::move(*config), runner, std::move(hooks), log, metrics);
  const bool as_json = global.output == OutputFormat::kJson;
  if (f.once) {
    std::vector<std::pair<std::string, schedule::RunOutcome>> outcomes;
    const int rc = scheduler.run_once(f.policy, &outcomes);
    if (as_json) json_result(once_json(f.config, outcomes, rc));  // the one document
    return rc;
  }

  schedule::MetricsServer server(metrics);
  const auto& m = scheduler.config().metrics;
  if (!m.listen.empty()) {
    if (auto st = server.start(m.host, m.port,
                               m.allow_remote ? schedule::RemoteAccess::kAllowed
                                              : schedule::RemoteAccess::kLoopbackOnly);
        !st.ok())
      return st.error();
  }
  log.info("essnap run started",
           {{"config", f.config},
            {"policies", static_cast<int>(scheduler.config().policies.size())},
            {"metrics", m.listen.empty() ? "off" : m.host + ":" + std::to_string(server.port())},
            {"pid", static_cast<int>(::getpid())}});
  const int rc = scheduler.run();
  server.stop();
  if (as_json) json_result({{"config", f.config}, {"stopped", true}, {"exit_code", rc}});
  return rc;
}

}  // namespace

void register_run(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand("run", "Run snapshot policies on their schedules (the scheduler)");
  cmd->add_option("--config,-c", f->config, "YAML config (docs/CONFIG.md)")->required();
  cmd->add_flag("--once", f->once, "Run every policy (or --policy) once now, then exit");
  cmd->add_option("--policy", f->policy, "With --once: only this policy");
  cmd->add_option("--log-format", f->log_format, "text or json (logs go to stderr)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->footer(
      "Long-running (without --once): each policy snapshots on its schedule, waits for the\n"
      "snapshot (through snapshots it did not start), then prunes by its retention without\n"
      "prompting: the config is the consent. One operation at a time; a run that overruns skips\n"
      "the slots it overran; runs missed while essnap was down run once at start.\n"
      "SIGHUP reloads the config (a bad file keeps the old one and logs why). SIGTERM stops\n"
      "cleanly: a snapshot being waited for keeps running in the cluster; no delete batch is\n"
      "started. Metrics (Prometheus) on metrics.listen at GET /metrics.\n"
      "With -o json, --once prints one JSON document: each policy's snapshot, result, bytes,\n"
      "deletions and exit code (logs stay on stderr).\n\n"
      "EXAMPLES:\n"
      "  essnap config check /etc/essnap/essnap.yaml\n"
      "  essnap run --config /etc/essnap/essnap.yaml --log-format json\n"
      "  essnap run --config essnap.yaml --once\n"
      "  essnap run --config essnap.yaml --once --policy nightly\n"
      "  essnap -o json run --config essnap.yaml --once\n\n"
      "EXIT STATUS (--once: the worst over the policies run):\n"
      "  0    every run succeeded (and `run` stopped by SIGTERM)\n"
      "  2    the config is invalid (FILE:LINE: messages)\n"
      "  7    the metrics port could not be opened\n"
      "  8    a run was refused by a pre-flight check (name clash, cs-* repository)\n"
      "  9    a snapshot finished PARTIAL or FAILED, or its prune failed\n"
      "  130  --once interrupted by SIGTERM/SIGINT (the snapshot keeps running)\n");
  cmd->callback([ctx, f] { run_command(ctx, [&] { return run_scheduler(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
