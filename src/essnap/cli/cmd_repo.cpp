// `essnap repo list|show|verify|cleanup|remove`: the registered snapshot repositories. Creating
// and registering one is `essnap setup`. cleanup and remove are plans run through
// util::run_plan: printed, then confirmed (a prompt, or --yes), or only shown with --dry-run.
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

Result<int> run(const GlobalOptions& g, RepoFlags f, const std::string& action) {
  if (action != "list") {
    if (!f.name.empty() && !f.repository.empty() && f.name != f.repository)
      return Error(
          ErrorCode::kInvalidArgument,
          "two repositories named: NAME '" + f.name + "' and --repository '" + f.repository + "'",
          "name the repository once");
    if (f.name.empty()) {
      ESSNAP_TRY(f.name, resolve_repository(f.repository));
    }
    ESSNAP_TRY_STATUS(cluster::names::validate_repository_name(f.name, "repository NAME"));
  }
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  if (action == "list" || action == "show") return run_list_show(g, f, *client, action == "show");
  if (action == "verify") return run_verify(g, f, *client);
  return run_destructive(g, f, *client, action == "cleanup");
}

}  // namespace

void register_repo(CLI::App& app, CommandContext ctx) {
  auto* cmd =
      app.add_subcommand("repo", "List, show, verify, clean up and unregister repositories");
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
  }
}

}  // namespace essnap::cli
