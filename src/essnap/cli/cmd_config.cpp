// `essnap config check FILE`: validates an `essnap run` config and prints a summary (clusters,
// policies, their next run times) or every error as FILE:LINE: message (exit 2).
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/schedule/config.hpp"
#include "essnap/schedule/log.hpp"
#include "essnap/util/durations.hpp"
#include "essnap/util/escape.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

const char* prune_text(const schedule::PolicyConfig& p) {
  switch (p.prune) {
    case schedule::PruneMode::kAfterSnapshot:
      return "after_snapshot";
    case schedule::PruneMode::kNever:
      return "never";
    case schedule::PruneMode::kOnSchedule:
      return "on schedule";
  }
  return "";
}

std::string retention_text(const retention::Policy& r);

// "DST, snapshots ..., retention ..., object lock N days MODE, storage class X".
std::string copy_to_text(const schedule::CopyToConfig& t) {
  std::string out = util::escape_control(t.to);
  out += "  snapshots " + (t.snapshots.empty() ? std::string("the policy's own")
                                               : util::escape_control(util::join(t.snapshots)));
  out += "  retention " + (t.retention ? retention_text(*t.retention) : std::string("keep all"));
  if (t.object_lock_days > 0)
    out += "  object lock " + std::to_string(t.object_lock_days) + " day(s) " +
           util::to_lower(t.object_lock_mode);
  if (!t.storage_class.empty()) out += "  storage class " + t.storage_class;
  if (!t.profile.empty()) out += "  profile " + util::escape_control(t.profile);
  if (!t.region.empty()) out += "  region " + util::escape_control(t.region);
  if (t.verify_data) out += "  verify data";
  return out;
}

std::string retention_text(const retention::Policy& r) {
  std::string s;
  auto add = [&](const char* k, int v) {
    if (v != 0)
      s += std::string(s.empty() ? "" : " ") + k + "=" + (v < 0 ? "unlimited" : std::to_string(v));
  };
  add("last", r.last);
  add("hourly", r.hourly);
  add("daily", r.daily);
  add("weekly", r.weekly);
  add("monthly", r.monthly);
  add("yearly", r.yearly);
  if (r.within) s += (s.empty() ? "" : " ") + std::string("within=") + r.within->text;
  return s.empty() ? "-" : s + " min=" + std::to_string(r.keep_min);
}

// Every duration of a policy, spelt out in words: keep_within* (restic's grammar, m = months) and
// alert_if_no_success_within (a clock span), in that order, only those set.
std::vector<std::pair<std::string, std::string>> durations(const schedule::PolicyConfig& p) {
  std::vector<std::pair<std::string, std::string>> out;
  const retention::Policy& r = p.retention;
  const std::pair<const char*, const std::optional<retention::Duration>*> within[] = {
      {"keep_within", &r.within},
      {"keep_within_hourly", &r.within_hourly},
      {"keep_within_daily", &r.within_daily},
      {"keep_within_weekly", &r.within_weekly},
      {"keep_within_monthly", &r.within_monthly},
      {"keep_within_yearly", &r.within_yearly}};
  for (const auto& [key, d] : within) {
    if (!*d) continue;
    const auto& v = **d;
    const bool zero = v.years == 0 && v.months == 0 && v.days == 0 && v.hours == 0;
    out.emplace_back(key, retention::describe(v) + (zero ? " (no rule)" : ""));
  }
  if (p.alert_within)
    out.emplace_back("alert_if_no_success_within", util::describe_span(*p.alert_within));
  return out;
}

std::string jitter_text(schedule::Seconds j) {
  return j.count() > 0 ? util::describe_span(j) : "none";
}

std::string next_run(const schedule::Schedule& s) {
  auto n = s.next_after(std::chrono::floor<schedule::Seconds>(schedule::Clock::now()));
  return n ? schedule::iso8601(schedule::Clock::time_point(*n)) : "never";
}

Result<int> run_check(const GlobalOptions& g, const std::string& file) {
  auto c = schedule::load_config(file);
  if (!c.ok()) {
    if (c.error().code != ErrorCode::kInvalidArgument) return c.error();
    if (g.output == OutputFormat::kJson) return c.error();
    // Text: every FILE:LINE: message as it is, then the verdict (exit 2).
    std::cerr << c.error().message << "\n" << file << ": invalid (see docs/CONFIG.md)\n";
    return kExitUsage;
  }
  if (g.output == OutputFormat::kJson) {
    auto policies = nlohmann::json::array();
    for (const auto& p : c->policies) {
      auto words = nlohmann::json::object();
      nlohmann::json drill = nullptr;
      if (p.drill)
        drill = {{"cluster", p.drill->cluster},
                 {"repository", p.drill->repository},
                 {"schedule", p.drill->schedule.text()},
                 {"next_run", next_run(p.drill->schedule)}};
      for (const auto& [key, text] : durations(p)) words[key] = text;
      policies.push_back({{"name", p.name},
                          {"cluster", p.cluster},
                          {"repository", p.repository},
                          {"schedule", p.schedule.text()},
                          {"next_run", next_run(p.schedule)},
                          {"prune", prune_text(p)},
                          {"retention", retention_text(p.retention)},
                          {"durations", words},
                          {"copy_to", p.copy_to ? nlohmann::json(copy_to_text(*p.copy_to))
                                                : nlohmann::json(nullptr)},
                          {"drill", drill}});
    }
    json_result({{"ok", true},
                 {"file", file},
                 {"clusters", c->clusters.size()},
                 {"policies", policies},
                 {"metrics", c->metrics.listen},
                 {"jitter", jitter_text(c->jitter)},
                 {"jitter_seconds", c->jitter.count()}});
    return kExitOk;
  }
  std::cout << "OK " << file << ": " << c->clusters.size() << " cluster(s), " << c->policies.size()
            << " policy(ies), metrics " << (c->metrics.listen.empty() ? "off" : c->metrics.listen)
            << "\n"
            << "  jitter: " << jitter_text(c->jitter) << "\n";
  for (const auto& p : c->policies) {
    std::cout << "  " << p.name << ": " << p.cluster << "/" << p.repository << "  schedule \""
              << p.schedule.text() << "\"  next " << next_run(p.schedule) << "\n"
              << "      prune " << prune_text(p)
              << (p.prune_schedule ? " \"" + p.prune_schedule->text() + "\"" : "") << "  retention "
              << retention_text(p.retention) << "\n";
    for (const auto& [key, text] : durations(p))
      std::cout << "      " << key << ": " << text << "\n";
    if (p.copy_to) std::cout << "      copy_to: " << copy_to_text(*p.copy_to) << "\n";
    if (p.drill)
      std::cout << "      drill: on " << util::escape_control(p.drill->cluster) << "/"
                << p.drill->repository << "  schedule \"" << p.drill->schedule.text() << "\"  next "
                << next_run(p.drill->schedule) << "\n";
  }
  return kExitOk;
}

}  // namespace

void register_config(CLI::App& app, CommandContext ctx) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("config", "Check an 'essnap run' configuration file");
  cmd->require_subcommand(1);
  auto* check =
      cmd->add_subcommand("check", "Validate FILE; print its policies and next run times");
  check->add_option("FILE", *file, "The YAML config")->required();
  check->footer(
      "Every problem is reported as FILE:LINE: what is wrong (unknown keys, duplicate keys,\n"
      "wrong types, unknown clusters, cluster URLs with user:password@ or another scheme than\n"
      "http(s), repository names the engines refuse, pruning a cs-* repository, indices that\n"
      "name no index, schedules that never fire, bad durations, inline secrets, a metrics\n"
      "address that is not loopback). The format is in docs/CONFIG.md.\n\n"
      "EXAMPLES:\n"
      "  essnap config check /etc/essnap/essnap.yaml\n"
      "  essnap -o json config check essnap.yaml\n\n"
      "EXIT STATUS:\n"
      "  0    the config is valid\n"
      "  2    it is not (every error listed)\n"
      "  7    the file could not be read\n");
  check->callback([ctx, file] { run_command(ctx, [&] { return run_check(*ctx.global, *file); }); });
}

}  // namespace essnap::cli
