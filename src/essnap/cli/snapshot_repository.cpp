#include "essnap/cli/snapshot_repository.hpp"

#include "essnap/blob/open.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/cluster/names.hpp"

namespace essnap::cli {

void add_from_snapshot_flags(CLI::App* cmd, std::vector<std::string>* from_snapshot,
                             SnapshotRepositoryFlags* repo, const std::string& cluster_word) {
  cmd->add_option(
         "--from-snapshot", *from_snapshot,
         "REPO SNAPSHOT: read the indices from a snapshot's Lucene segments instead of a " +
             cluster_word +
             " (REPO: s3://BUCKET/PREFIX, a directory; or SNAPSHOT alone with -r NAME "
             "--url CLUSTER)")
      ->expected(1, 2)
      ->type_name("REPO SNAPSHOT");
  cmd->add_option("--repository,-r", repo->repository,
                  "With --from-snapshot: the registered repository to read (its location from "
                  "the cluster at --url)");
  cmd->add_option("--location-map", repo->location_map,
                  "With -r: FROM=TO, the repository location as this machine sees it (repeatable)");
}

Status refuse_cluster_read_flags(int slices, int page_size, const std::string& read_strategy) {
  if (slices != 0 || page_size != 0 || read_strategy != "auto")
    return make_error(ErrorCode::kInvalidArgument,
                      "--slices, --page-size and --read-strategy read a cluster; --from-snapshot "
                      "reads one slice per shard from the repository");
  return ok_status();
}

Result<OpenedRepository> open_snapshot_repository(const GlobalOptions& g, ClusterFlags& cluster,
                                                  const SnapshotRepositoryFlags& flags,
                                                  const S3Flags& s3,
                                                  const std::vector<std::string>& args) {
  OpenedRepository out;
  std::string where;
  if (!flags.repository.empty()) {
    ESSNAP_TRY(where,
               registered_repository_location(g, cluster, flags.repository, flags.location_map));
    out.rest = args;
  } else {
    if (args.empty())
      return make_error(ErrorCode::kInvalidArgument,
                        "REPO is required: s3://BUCKET/PREFIX, a directory, or --repository NAME "
                        "--url CLUSTER");
    where = args.front();
    out.rest.assign(args.begin() + 1, args.end());
  }
  auto store =
      blob::open_blob_store(where, blob::Access::kRead, blob_open_options(g, s3, cluster.region));
  if (!store.ok()) {
    Error e = std::move(store).error();
    if (e.code == ErrorCode::kNotFound && !blob::is_s3_uri(where))
      e = make_error(ErrorCode::kNotFound, "REPO " + where + " is not a directory",
                     "give s3://BUCKET/PREFIX for S3, or the repository's directory");
    return e;
  }
  out.container = std::move(*store);
  return out;
}

Result<OpenedSnapshot> open_from_snapshot(const GlobalOptions& g, ClusterFlags& cluster,
                                          const SnapshotRepositoryFlags& flags, const S3Flags& s3,
                                          const std::vector<std::string>& args,
                                          const std::string& example) {
  ESSNAP_TRY(OpenedRepository opened, open_snapshot_repository(g, cluster, flags, s3, args));
  if (opened.rest.size() != 1)
    return Error(ErrorCode::kInvalidArgument,
                 "--from-snapshot takes REPO SNAPSHOT (or SNAPSHOT with -r NAME --url CLUSTER)",
                 "e.g. " + example);
  OpenedSnapshot out;
  out.snapshot = opened.rest.front();
  ESSNAP_TRY_STATUS(
      cluster::names::validate_snapshot_name(out.snapshot, "--from-snapshot SNAPSHOT"));
  out.container = std::move(opened.container);
  ESSNAP_TRY(out.repository, inspect::Repository::open(*out.container));
  return out;
}

}  // namespace essnap::cli
