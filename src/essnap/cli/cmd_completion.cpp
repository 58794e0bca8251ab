// `essnap completion bash|zsh|fish` (a completion script on stdout), the hidden
// `essnap generate-man DIR` (the man pages, for `make install`) and the hidden
// `essnap __complete repositories|snapshots -- WORDS...` the scripts call for names that live
// on the cluster. The first two read the whole command tree, so app.cpp registers every command
// when one of them runs.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <thread>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/command_tree.hpp"
#include "essnap/cli/completion_script.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/man_pages.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/version.hpp"

namespace essnap::cli {
namespace {

// Live names: each attempt may take this long to connect and to answer, and the whole lookup
// (credentials, retries) this long before the process gives up silently: a shell waits on it.
constexpr std::chrono::milliseconds kLiveConnectTimeout{2000};
constexpr std::chrono::milliseconds kLiveDeadline{3000};

const CLI::App& root_of(const CLI::App* app) {
  while (app->get_parent() != nullptr) app = app->get_parent();
  return *app;
}

Result<int> print_script(const CLI::App* self, const std::string& shell_name) {
  const auto shell = parse_shell(shell_name);
  if (!shell)
    return Error(ErrorCode::kInvalidArgument, "unknown shell '" + shell_name + "'",
                 "essnap completion bash, zsh or fish");
  std::cout << completion_script(read_command_tree(root_of(self)), *shell);
  return kExitOk;
}

Result<int> write_man_pages(const CLI::App* self, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error(ErrorCode::kIo, "cannot create " + dir + ": " + ec.message(),
                 "pass a directory you can write to");
  for (const auto& page : man_pages(read_command_tree(root_of(self)), kVersion)) {
    const std::string path = (std::filesystem::path(dir) / page.file_name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << page.text;
    out.close();
    if (!out)
      return Error(ErrorCode::kIo, "cannot write " + path, "pass a directory you can write to");
  }
  return kExitOk;
}

// What `__complete` reads from the words of the command line being completed: the connection
// flags (as the commands spell them) and the repository. Everything else is ignored.
struct LiveQuery {
  std::string kind;  // repositories | snapshots
  std::string repository;
  GlobalOptions global;
  ClusterFlags flags;
};

// The words of the line: only the flags above are read, in the commands' spellings.
LiveQuery scan_words(const std::vector<std::string>& args) {
  LiveQuery q;
  const std::pair<const char*, std::string*> valued[] = {
      {"--url", &q.flags.url},         {"--auth", &q.flags.auth},
      {"--service", &q.flags.service}, {"--region", &q.flags.region},
      {"--user", &q.flags.user},       {"-u", &q.flags.user},
      {"--cacert", &q.flags.cacert},   {"--profile", &q.global.profile},
      {"--repository", &q.repository}, {"-r", &q.repository},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& w = args[i];
    if (w == "--insecure" || w == "-k") q.flags.insecure = true;
    for (const auto& [name, target] : valued) {
      const std::string n = name;
      if (w == n && i + 1 < args.size()) {
        *target = args[++i];
        break;
      }
      if (n.starts_with("--") && w.starts_with(n + "=")) {
        *target = w.substr(n.size() + 1);
        break;
      }
      if (!n.starts_with("--") && w.size() > 2 && w.starts_with(n)) {  // -rNAME
        *target = w.substr(2);
        break;
      }
    }
  }
  return q;
}

// `__complete`'s own arguments: the kind, the words, and flags given directly.
struct LiveArgs {
  std::string kind;
  std::vector<std::string> words;
  ClusterFlags flags;
  std::string repository;
};

LiveQuery merge(const LiveArgs& a, const GlobalOptions& global) {
  LiveQuery q = scan_words(a.words);
  q.kind = a.kind;
  auto take = [](std::string& into, const std::string& given) {
    if (!given.empty()) into = given;
  };
  take(q.flags.url, a.flags.url);
  take(q.flags.auth, a.flags.auth);
  take(q.flags.service, a.flags.service);
  take(q.flags.region, a.flags.region);
  take(q.flags.user, a.flags.user);
  take(q.flags.cacert, a.flags.cacert);
  take(q.repository, a.repository);
  take(q.global.profile, global.profile);
  take(q.global.region, global.region);
  q.flags.insecure = q.flags.insecure || a.flags.insecure;
  return q;
}

Result<std::vector<std::string>> live_names(LiveQuery q) {
  ESSNAP_TRY(cluster::ConnectionSpec spec, connection_spec(q.global, q.flags));
  // Never a prompt while a shell waits for candidates: a missing password is a silent no.
  spec.prompt_password = [](const std::string&) -> Result<std::string> {
    return Error(ErrorCode::kNoCredentials, "no password while completing");
  };
  spec.timeouts.connect = kLiveConnectTimeout;
  spec.timeouts.stall = kLiveConnectTimeout;
  spec.timeouts.overall = kLiveDeadline;
  spec.verbose = 0;
  ESSNAP_TRY(auto connection, cluster::open_connection(std::move(spec)));
  auto client = connection->make_client();
  std::vector<std::string> names;
  if (q.kind == "repositories") {
    ESSNAP_TRY(auto repositories, cluster::get_repositories(*client));
    for (const auto& r : repositories) names.push_back(r.name);
  } else if (q.kind == "snapshots") {
    ESSNAP_TRY(std::string repository, resolve_optional_repository(q.repository));
    if (repository.empty()) return names;
    cluster::GetSnapshotsRequest request;
    request.repository = repository;
    request.verbose = false;
    ESSNAP_TRY(auto answer, cluster::get_snapshots(*client, request));
    for (const auto& s : answer.snapshots) names.push_back(s.name);
  }
  return names;
}

// Prints the names, one a line, or nothing at all: errors and the deadline end it silently
// with exit 0 (the lookup runs on its own thread so that a hung credential source or server
// cannot hold the shell past the deadline).
void complete_live(LiveQuery query) {
  auto done = std::make_shared<std::promise<std::vector<std::string>>>();
  auto names = done->get_future();
  std::thread([query = std::move(query), done] {
    auto found = live_names(query);
    done->set_value(found.ok() ? *found : std::vector<std::string>{});
  }).detach();
  if (names.wait_for(kLiveDeadline) != std::future_status::ready) {
    std::fflush(stdout);
    std::_Exit(kExitOk);  // the lookup thread is still blocked in it; nothing to clean up
  }
  for (const auto& name : names.get()) std::cout << name << "\n";
}

}  // namespace

void register_completion(CLI::App& app, CommandContext ctx) {
  auto shell = std::make_shared<std::string>();
  auto* completion = app.add_subcommand(
      "completion", "Print a shell completion script (bash, zsh or fish) to stdout");
  completion->add_option("SHELL", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->footer(
      "Commands, flags and their values complete from the script; repository and snapshot\n"
      "names are asked of the cluster (--url or ESSNAP_URL, and the auth flags on the line)\n"
      "and left out when it does not answer within a few seconds.\n\n"
      "EXAMPLES:\n"
      "  source <(essnap completion bash)\n"
      "  essnap completion bash > ~/.local/share/bash-completion/completions/essnap\n"
      "  essnap completion zsh > \"${fpath[1]}/_essnap\"\n"
      "  essnap completion fish > ~/.config/fish/completions/essnap.fish\n\n" +
      std::string(exit_status_help()));
  completion->callback([ctx, completion, shell] {
    run_command(ctx, [&] { return print_script(completion, *shell); });
  });

  // Hidden (group ""): for packaging, not for users.
  auto dir = std::make_shared<std::string>();
  auto* man = app.add_subcommand("generate-man", "Write the man pages (roff) into DIR");
  man->group("");
  man->add_option("DIR", *dir, "Directory for essnap.1, essnap-CMD.1, essnap-CMD-SUB.1")
      ->required();
  man->callback([ctx, man, dir] { run_command(ctx, [&] { return write_man_pages(man, *dir); }); });

  // Hidden: `__complete repositories|snapshots [flags] [-- WORDS...]`. The scripts pass the
  // words of the line being completed after `--` (so no word of it is parsed here); a person
  // trying it may give the flags directly, and those win.
  auto q = std::make_shared<LiveArgs>();
  auto* live = app.add_subcommand("__complete", "Names from the cluster for the shell scripts");
  live->group("");
  live->add_option("KIND", q->kind, "repositories or snapshots")->required();
  live->add_option("WORDS", q->words, "The words of the command line being completed");
  add_cluster_flags(live, &q->flags);
  live->add_option("--repository,-r", q->repository, "Repository (default: ESSNAP_REPOSITORY)");
  live->callback([ctx, q] {
    run_command(ctx, [&]() -> Result<int> {
      complete_live(merge(*q, *ctx.global));
      return kExitOk;
    });
  });
}

}  // namespace essnap::cli
