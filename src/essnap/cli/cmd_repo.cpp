// `essnap repo list|show|register|verify|cleanup|remove`: the registered snapshot repositories.
// Creating a bucket, a role and the repository together is `essnap setup`; `register` registers
// one whose storage exists. register, cleanup and remove are plans run through util::run_plan:
// printed, then confirmed where they change something existing (a prompt, or --yes), or only
// shown with --dry-run.
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/cluster/repository.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/repository.hpp"

namespace essnap::cli {
namespace {

struct RepoFlags {
  ClusterFlags cluster;
  std::string name;        // NAME (positional)
  std::string repository;  // -r/--repository: the same, in every command's spelling
  bool yes = false;
  bool dry_run = false;
};

// NAME or -r/--repository (or ESSNAP_REPOSITORY / the context's) into f.name, checked.
Status resolve_name(RepoFlags& f) {
  if (!f.name.empty() && !f.repository.empty() && f.name != f.repository)
    return Error(
        ErrorCode::kInvalidArgument,
        "two repositories named: NAME '" + f.name + "' and --repository '" + f.repository + "'",
        "name the repository once");
  if (f.name.empty()) {
    ESSNAP_TRY(f.name, resolve_repository(f.repository));
  }
  return cluster::names::validate_repository_name(f.name, "repository NAME");
}

Error not_registered(Error e, const std::string& name) {
  if (e.code == ErrorCode::kNotFound) {
    e.message = "repository " + name + " is not registered";
    e.hint = "list the repositories with 'essnap repo list'";
  }
  return e;
}

Result<int> run_list_show(const GlobalOptions& g, const RepoFlags& f, cluster::Client& client,
                          bool show) {
  auto repos = cluster::get_repositories(client, show ? f.name : "");
  if (!repos.ok()) return not_registered(std::move(repos).error(), f.name);
  if (g.output == OutputFormat::kJson) {
    auto arr = nlohmann::json::array();
    for (const auto& r : *repos)
      arr.push_back({{"name", r.name}, {"type", r.type}, {"settings", r.settings}});
    json_result(show && !arr.empty() ? arr[0] : arr);
    return kExitOk;
  }
  for (const auto& r : *repos) {
    if (!show) {
      auto where = cluster::repository_location(r);  // "-" when it has none essnap can read
      std::cout << r.name << "  " << r.type << "  " << (where.ok() ? *where : "-") << "\n";
    } else {
      std::cout << "repository: " << r.name << "\ntype:       " << r.type
                << "\nsettings:   " << r.settings.dump(2) << "\n";
      auto snaps = cluster::get_snapshots(client, {r.name, "_all", false});
      if (snaps.ok()) std::cout << "snapshots:  " << snaps->snapshots.size() << "\n";
    }
  }
  return kExitOk;
}

Result<int> run_verify(const GlobalOptions& g, const RepoFlags& f, cluster::Client& client) {
  auto v = cluster::verify_repository(client, {f.name});
  if (!v.ok()) return not_registered(std::move(v).error(), f.name);
  if (g.output == OutputFormat::kJson)
    json_result({{"repository", f.name}, {"nodes", v->nodes}});
  else
    std::cout << "repository " << f.name << " verified: " << v->nodes.size()
              << " node(s) can write to it\n";
  return kExitOk;
}

// cleanup and remove: plan (the library's) -> print -> confirm -> execute.
Result<int> run_destructive(const GlobalOptions& g, const RepoFlags& f, cluster::Client& client,
                            bool cleanup) {
  auto plan = cleanup ? snapshot::plan_cleanup_repository(client, f.name)
                      : snapshot::plan_remove_repository(client, f.name);
  if (!plan.ok()) return plan.error();
  const bool json = g.output == OutputFormat::kJson;
  auto ran = util::run_plan(
      *plan, confirm_policy(f.yes, f.dry_run),
      [&](const util::Plan& p) { print_plan(p, g, plan_run(f.dry_run)); },
      [&]() -> Status {
        if (cleanup) {
          ESSNAP_TRY(auto r, cluster::cleanup_repository(client, {f.name}));
          if (json) {
            json_field("cleaned_up", f.name);
            json_field("deleted_blobs", r.deleted_blobs);
            json_field("deleted_bytes", r.deleted_bytes);
          } else
            std::cout << "repository " << f.name << " cleaned up: " << r.deleted_blobs
                      << " unreferenced blobs, " << r.deleted_bytes << " bytes removed\n";
          return ok_status();
        }
        ESSNAP_TRY(auto r, cluster::delete_repository(client, {f.name}));
        (void)r;
        if (json) {
          json_field("unregistered", f.name);
          json_field("data_deleted", false);
        } else
          std::cout << "repository " << f.name
                    << " unregistered; its snapshots and data are untouched in storage (register "
                       "it again to use them)\n";
        return ok_status();
      });
  if (!ran.ok()) return not_registered(ran.error(), f.name);
  if (json && *ran == util::Outcome::kDryRun) json_field("dry_run", true);
  return kExitOk;
}

struct RegisterFlags {
  RepoFlags repo;
  std::string type;
  std::string location;               // fs: settings.location
  std::string bucket;                 // s3: settings.bucket
  std::string base_path;              // s3: settings.base_path
  std::vector<std::string> settings;  // KEY=VALUE, repeatable
  bool readonly = false;
  bool replace = false;
  bool verify = false;
};

Result<nlohmann::json> register_body(const RegisterFlags& f) {
  nlohmann::json settings = nlohmann::json::object();
  if (!f.location.empty()) settings["location"] = f.location;
  if (!f.bucket.empty()) settings["bucket"] = f.bucket;
  if (!f.base_path.empty()) settings["base_path"] = f.base_path;
  for (const auto& kv : f.settings) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error(ErrorCode::kInvalidArgument, "--setting '" + kv + "' is not KEY=VALUE",
                   "e.g. --setting compress=true --setting chunk_size=1gb");
    settings[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (f.readonly) settings["readonly"] = true;
  if (f.type == "fs" && !settings.contains("location"))
    return Error(ErrorCode::kInvalidArgument, "--type fs needs --location PATH",
                 "a directory every node shares, listed in their path.repo");
  if (f.type == "s3" && !settings.contains("bucket"))
    return Error(ErrorCode::kInvalidArgument, "--type s3 needs --bucket NAME");
  return nlohmann::json{{"type", f.type}, {"settings", settings}};
}

Result<int> run_register(const GlobalOptions& g, RegisterFlags f) {
  RepoFlags& r = f.repo;
  ESSNAP_TRY_STATUS(resolve_name(r));
  ESSNAP_TRY(const nlohmann::json body, register_body(f));
  ESSNAP_TRY(auto client, make_cluster_client(g, r.cluster));
  ESSNAP_TRY(util::Plan plan, snapshot::plan_register_repository(
                                  client, r.name, body,
                                  f.replace ? snapshot::Replace::kYes : snapshot::Replace::kNo));
  const bool json = g.output == OutputFormat::kJson;
  const bool already = plan.json.value("already_registered", false);
  auto ran = util::run_plan(
      plan, confirm_policy(r.yes, r.dry_run),
      [&](const util::Plan& p) { print_plan(p, g, plan_run(r.dry_run)); },
      [&]() -> Status {
        if (!already) ESSNAP_TRY_STATUS(cluster::put_repository(client, {r.name, body, false}));
        if (json)
          json_field("registered", r.name);
        else if (!already)
          std::cout << "repository " << r.name << " registered (" << f.type << ")\n";
        if (!f.verify) return ok_status();
        ESSNAP_TRY(auto v, cluster::verify_repository(client, {r.name}));
        if (json)
          json_field("verified_nodes", v.nodes);
        else
          std::cout << "repository " << r.name << " verified: " << v.nodes.size()
                    << " node(s) can write to it\n";
        return ok_status();
      });
  if (!ran.ok()) return ran.error();
  if (json && *ran == util::Outcome::kDryRun) json_field("dry_run", true);
  return kExitOk;
}

void add_register(CLI::App* cmd, CommandContext ctx, const std::string& exits) {
  auto f = std::make_shared<RegisterFlags>();
  auto* c = cmd->add_subcommand(
      "register", "Register a repository whose storage exists (plan; asks only to replace one)");
  c->fallthrough();
  add_cluster_flags(c, &f->repo.cluster);
  c->add_option("NAME", f->repo.name, "Repository name (or -r NAME, or ESSNAP_REPOSITORY)");
  c->add_option("--repository,-r", f->repo.repository, "Repository (the same as NAME)");
  c->add_option("--type", f->type, "Repository type")
      ->check(CLI::IsMember({"fs", "s3", "url", "gcs", "azure", "hdfs", "source"}))
      ->required();
  c->add_option("--location", f->location, "fs: the shared directory (in the nodes' path.repo)");
  c->add_option("--bucket", f->bucket, "s3: the bucket");
  c->add_option("--base-path", f->base_path, "s3: the prefix inside the bucket");
  c->add_option("--setting", f->settings, "Another setting, KEY=VALUE (repeatable)");
  c->add_flag("--readonly", f->readonly, "Register it read-only (a second cluster reading it)");
  c->add_flag("--verify", f->verify, "Then check every node can write to it");
  c->add_flag("--replace", f->replace,
              "Register it again when the name is registered with other settings (asks)");
  c->add_flag("--yes,-y", f->repo.yes, "Do not ask (required for --replace without a terminal)");
  c->add_flag("--dry-run", f->repo.dry_run, "Print the plan only (-o json: as JSON)");
  c->footer(
      "A new name is registered at once; the same settings again change nothing; other settings\n"
      "under a registered name are refused unless --replace (then confirmed). A type whose\n"
      "plugin a node lacks (repository-s3, ...) is refused before anything is sent.\n\n"
      "EXAMPLES:\n"
      "  essnap repo register backups --type fs --location /mnt/backups --verify\n"
      "  essnap repo register archive --type s3 --bucket my-bucket --base-path prod --readonly\n"
      "  essnap repo register backups --type fs --location /mnt/new --replace --dry-run\n\n" +
      exits);
  c->callback([ctx, f] { run_command(ctx, [&] { return run_register(*ctx.global, *f); }); });
}

Result<int> run(const GlobalOptions& g, RepoFlags f, const std::string& action) {
  if (action != "list") {
    ESSNAP_TRY_STATUS(resolve_name(f));
  }
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  if (action == "list" || action == "show") return run_list_show(g, f, *client, action == "show");
  if (action == "verify") return run_verify(g, f, *client);
  return run_destructive(g, f, *client, action == "cleanup");
}

}  // namespace

void register_repo(CLI::App& app, CommandContext ctx) {
  auto* cmd = app.add_subcommand(
      "repo", "List, show, register, verify, clean up, unregister and sync repositories");
  cmd->require_subcommand(1);
  cmd->fallthrough();
  const std::string exits = exit_status_help();
  struct Spec {
    const char* name;
    const char* help;
    const char* example;
  };
  const Spec specs[] = {
      {"list", "List the registered repositories", "essnap repo list --url http://localhost:9200"},
      {"show", "Type, settings and snapshot count of one repository", "essnap repo show s3-repo"},
      {"verify", "Check every node can write to the repository", "essnap repo verify s3-repo"},
      {"cleanup", "Remove blobs no snapshot references (plan, then confirm)",
       "essnap repo cleanup s3-repo --yes\n  essnap repo cleanup -r s3-repo --dry-run"},
      {"remove", "Unregister (the data in storage is kept; plan, then confirm)",
       "essnap repo remove s3-repo --yes\n  essnap repo remove s3-repo --dry-run"},
  };
  for (const auto& s : specs) {
    auto f = std::make_shared<RepoFlags>();
    auto* c = cmd->add_subcommand(s.name, s.help);
    c->fallthrough();
    add_cluster_flags(c, &f->cluster);
    const std::string name = s.name;
    if (name != "list") {
      c->add_option("NAME", f->name, "Repository name (or -r NAME, or ESSNAP_REPOSITORY)");
      c->add_option("--repository,-r", f->repository, "Repository (the same as NAME)");
    }
    std::string confirm;
    if (name == "cleanup" || name == "remove") {
      c->add_flag("--yes,-y", f->yes, "Do not ask (required when there is no terminal)");
      c->add_flag("--dry-run", f->dry_run, "Print the plan only (-o json: as JSON)");
      confirm =
          "Nothing changes without confirmation: on a terminal it asks; otherwise --yes is\n"
          "required, and without it the plan is printed, nothing changes and the command exits 8.\n"
          "--dry-run prints the plan and exits 0.\n\n";
    }
    c->footer(confirm + "EXAMPLES:\n  " + s.example + "\n  essnap -o json repo " + name +
              (name == "list" ? "" : " s3-repo") + "\n\n" + exits);
    c->callback([ctx, f, name] { run_command(ctx, [&] { return run(*ctx.global, *f, name); }); });
    if (name == "show") add_register(cmd, ctx, exits);
  }
  register_repo_sync(cmd, ctx);
}

}  // namespace essnap::cli
