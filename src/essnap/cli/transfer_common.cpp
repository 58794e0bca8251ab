#include "essnap/cli/transfer_common.hpp"

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "essnap/aws/credentials.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::cli {

void add_s3_flags(CLI::App* cmd, S3Flags* flags) {
  cmd->add_option(
      "--s3-endpoint-url", flags->endpoint_url,
      "S3 endpoint for s3:// places (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS)");
  cmd->add_flag("--s3-path-style", flags->path_style,
                "Path-style S3 addressing (ENDPOINT/BUCKET/KEY)");
}

Result<std::unique_ptr<blob::BlobStore>> open_store(const GlobalOptions& global,
                                                    const std::string& where, blob::Access access,
                                                    const S3Flags& s3f,
                                                    const std::string& region_flag) {
  if (where.empty())
    return Error(ErrorCode::kInvalidArgument, "no destination",
                 "pass s3://bucket/prefix or a directory");
  return blob::open_blob_store(where, access, blob_open_options(global, s3f, region_flag));
}

void add_read_strategy_flag(CLI::App* cmd, std::string* value) {
  cmd->add_option("--read-strategy", *value,
                  "How documents are read: pit (Elasticsearch 7.16+), scroll, search-after (no "
                  "search context: "
                  "sorted by _id, one stream per index; OpenSearch Serverless), or auto")
      ->check(CLI::IsMember({"auto", "pit", "scroll", "search-after"}))
      ->capture_default_str();
}

std::optional<cluster::ReadStrategy> read_strategy(const std::string& value,
                                                   const ClusterFlags& source) {
  auto parsed = cluster::parse_read_strategy(value);
  if (parsed.ok() && *parsed) return *parsed;
  if (is_serverless(source)) return cluster::ReadStrategy::kSearchAfter;
  return std::nullopt;
}

Result<transfer::ClientFactory> client_factory(const GlobalOptions& global, ClusterFlags& flags) {
  ESSNAP_TRY(auto conn, open_cluster(global, flags));
  return transfer::ClientFactory(
      [conn]() -> Result<std::unique_ptr<cluster::Client>> { return conn->make_client(); });
}

transfer::Hooks transfer_hooks(ProgressOutput& out) {
  transfer::Hooks h;
  h.interrupted = [] { return InterruptScope::requested(); };
  long long stop_after = 0;
  if (const char* k = std::getenv("ESSNAP_TEST_STOP_AFTER_CHUNKS")) stop_after = std::atoll(k);
  auto chunks = std::make_shared<long long>(0);
  h.progress = [draw = out.sink(), stop_after, chunks](const util::ProgressEvent& e) {
    draw(e);
    // Every progress event of a transfer is a chunk done.
    if (e.kind == util::ProgressKind::kProgress && stop_after > 0 && ++*chunks == stop_after)
      ::raise(SIGINT);
  };
  return h;
}

Error transfer_error(Error e, const std::string& command, const std::string& kept) {
  if (e.code == ErrorCode::kInterrupted) {
    e.message = command + " interrupted; " + kept;
    e.hint = "run the same command with --resume to finish it";
  }
  return e;
}

void print_summaries(const std::vector<transfer::IndexSummary>& s, const std::string& verb,
                     const GlobalOptions& global) {
  if (global.output == OutputFormat::kJson) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& i : s) {
      nlohmann::json j{{"index", i.index},     {"source_count", i.source_count},
                       {verb, i.documents},    {"rejected", i.rejected},
                       {"seconds", i.seconds}, {"docs_per_second", i.docs_per_second()}};
      if (!i.target.empty()) j["target"] = i.target;
      if (i.target_count >= 0) j["target_count"] = i.target_count;
      if (!i.changes.empty()) j["changes"] = i.changes;
      arr.push_back(std::move(j));
    }
    // The command's one document (events went to stderr); an error after it joins it.
    json_field("indices", std::move(arr));
    return;
  }
  for (const auto& i : s) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.0f", i.docs_per_second());
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f", i.seconds);
    std::cout << i.index << (i.target.empty() || i.target == i.index ? "" : " -> " + i.target)
              << ": " << verb << " " << i.documents << " of " << i.source_count << " documents";
    if (i.rejected > 0) std::cout << ", " << i.rejected << " rejected";
    if (i.target_count >= 0) std::cout << ", target count " << i.target_count;
    std::cout << ", " << secs << " s, " << rate << " docs/s\n";
  }
}

void limit_heap_growth() {
  ::mallopt(M_MMAP_THRESHOLD, 8 << 20);  // a fixed value also turns the dynamic raise off
  ::mallopt(M_TRIM_THRESHOLD, 16 << 20);
  ::mallopt(M_ARENA_MAX, 2);
}

std::vector<std::string> split_list(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::size_t start = 0;
    while (start <= a.size()) {
      const auto comma = a.find(',', start);
      const std::string part =
          a.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

Result<int> print_transfer_plan(const std::vector<transfer::IndexSummary>& indices,
                                const std::string& verb, const std::string& where,
                                const GlobalOptions& global) {
  util::Plan plan;
  plan.confirm = util::NeedsConfirmation::kNo;
  plan.summary = verb + " " + std::to_string(indices.size()) + " index(es) " + where;
  auto arr = nlohmann::json::array();
  for (const auto& i : indices) {
    std::string line = i.index;
    nlohmann::json j{{"index", i.index}};
    if (!i.target.empty()) {
      line += " -> " + i.target;
      j["target"] = i.target;
    }
    if (i.source_count > 0) {
      line += " (" + std::to_string(i.source_count) + " documents)";
      j["documents"] = i.source_count;
    }
    plan.actions.push_back(line);
    arr.push_back(std::move(j));
  }
  plan.json = {{"plan", {{"action", verb}, {"where", where}, {"indices", std::move(arr)}}}};
  auto ran = util::run_plan(
      plan, confirm_policy(true, true),
      [&](const util::Plan& p) { print_plan(p, global, PlanRun::kDryRun); },
      [] { return ok_status(); });
  if (!ran.ok()) return ran.error();
  return kExitOk;
}

}  // namespace essnap::cli
