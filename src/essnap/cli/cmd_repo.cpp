// `essnap repo list|show|verify|cleanup|remove`: the registered snapshot repositories. Creating
// and registering one is `essnap setup`.
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cluster/snapshots.hpp"

namespace essnap::cli {
namespace {

struct RepoFlags {
  ClusterFlags cluster;
  std::string name;
};

Error not_registered(Error e, const std::string& name) {
  if (e.code == ErrorCode::kNotFound) {
    e.message = "repository " + name + " is not registered";
    e.hint = "list the repositories with 'essnap repo list'";
  }
  return e;
}

int run(const GlobalOptions& g, RepoFlags f, const std::string& action) {
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return report_error(client.error(), g);
  const bool json = g.output == OutputFormat::kJson;
  if (action == "list" || action == "show") {
    auto repos = cluster::get_repositories(*client, action == "show" ? f.name : "");
    if (!repos.ok()) return report_error(not_registered(std::move(repos).error(), f.name), g);
    if (json) {
      auto arr = nlohmann::json::array();
      for (const auto& r : *repos)
        arr.push_back({{"name", r.name}, {"type", r.type}, {"settings", r.settings}});
      std::cout << (action == "show" && !arr.empty() ? arr[0] : arr).dump() << "\n";
      return kExitOk;
    }
    for (const auto& r : *repos) {
      if (action == "list") {
        std::string where = r.settings.value("location", "");
        if (r.settings.contains("bucket"))
          where =
              "s3://" + r.settings.value("bucket", "") + "/" + r.settings.value("base_path", "");
        std::cout << r.name << "  " << r.type << "  " << where << "\n";
      } else {
        std::cout << "repository: " << r.name << "\ntype:       " << r.type
                  << "\nsettings:   " << r.settings.dump(2) << "\n";
        auto snaps = cluster::get_snapshots(*client, {r.name, "_all", false});
        if (snaps.ok()) std::cout << "snapshots:  " << snaps->snapshots.size() << "\n";
      }
    }
    return kExitOk;
  }
  if (action == "verify") {
    auto v = cluster::verify_repository(*client, f.name);
    if (!v.ok()) return report_error(not_registered(std::move(v).error(), f.name), g);
    if (json) {
      std::cout << v->dump() << "\n";
    } else {
      const auto n = v->contains("nodes") ? (*v)["nodes"].size() : 0;
      std::cout << "repository " << f.name << " verified: " << n << " node(s) can write to it\n";
    }
    return kExitOk;
  }
  if (action == "cleanup") {
    auto v = cluster::cleanup_repository(*client, f.name);
    if (!v.ok()) return report_error(not_registered(std::move(v).error(), f.name), g);
    if (json) {
      std::cout << v->dump() << "\n";
    } else {
      const auto& r = v->contains("results") ? (*v)["results"] : nlohmann::json::object();
      std::cout << "repository " << f.name << " cleaned up: " << r.value("deleted_blobs", 0)
                << " unreferenced blobs, " << r.value("deleted_bytes", 0) << " bytes removed\n";
    }
    return kExitOk;
  }
  auto d = cluster::unregister_repository(*client, f.name);
  if (!d.ok()) return report_error(not_registered(std::move(d).error(), f.name), g);
  if (json)
    std::cout << nlohmann::json{{"unregistered", f.name}, {"data_deleted", false}}.dump() << "\n";
  else
    std::cout << "repository " << f.name
              << " unregistered; its snapshots and data are untouched in storage (register it "
                 "again to use them)\n";
  return kExitOk;
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
      {"cleanup", "Remove blobs no snapshot references", "essnap repo cleanup s3-repo"},
      {"remove", "Unregister (the data in storage is kept)", "essnap repo remove s3-repo"},
  };
  for (const auto& s : specs) {
    auto f = std::make_shared<RepoFlags>();
    auto* c = cmd->add_subcommand(s.name, s.help);
    c->fallthrough();
    add_cluster_flags(c, &f->cluster);
    if (std::string(s.name) != "list")
      c->add_option("NAME", f->name, "Repository name")->required();
    c->footer(std::string("EXAMPLES:\n  ") + s.example + "\n  essnap -o json repo " + s.name +
              (std::string(s.name) == "list" ? "" : " s3-repo") + "\n\n" + exits);
    const std::string action = s.name;
    c->callback([ctx, f, action] { *ctx.exit_code = run(*ctx.global, *f, action); });
  }
}

}  // namespace essnap::cli
