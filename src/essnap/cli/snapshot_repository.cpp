#include "essnap/cli/snapshot_repository.hpp"

#include "essnap/blob/open.hpp"
#include "essnap/cli/repository_flag.hpp"

namespace essnap::cli {

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

}  // namespace essnap::cli
