// REPO as `inspect` and `export --from-snapshot` take it: s3://BUCKET/PREFIX, a local directory,
// or -r/--repository NAME with --url CLUSTER (the location read from the registered repository,
// --location-map applied). One rule, one set of messages.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/cluster_flags.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cli {

struct SnapshotRepositoryFlags {
  std::string repository;                 // -r/--repository NAME (with --url)
  std::vector<std::string> location_map;  // --location-map FROM=TO
};

// `export` and `copy`: --from-snapshot REPO SNAPSHOT, -r/--repository, --location-map.
// `cluster_word` names what --from-snapshot replaces ("cluster", "source cluster").
void add_from_snapshot_flags(CLI::App* cmd, std::vector<std::string>* from_snapshot,
                             SnapshotRepositoryFlags* repo, const std::string& cluster_word);

// --slices, --page-size and --read-strategy read a cluster: refused with --from-snapshot
// (kInvalidArgument), which reads one slice per shard from the repository.
Status refuse_cluster_read_flags(int slices, int page_size, const std::string& read_strategy);

struct OpenedRepository {
  std::unique_ptr<blob::BlobStore> container;
  std::vector<std::string> rest;  // the positional arguments after REPO
};

// Opens the repository's store for reading. `args` are the positional arguments: REPO first
// unless --repository names it. kInvalidArgument when neither gives one; kNotFound for a local
// REPO that is not a directory.
Result<OpenedRepository> open_snapshot_repository(const GlobalOptions& g, ClusterFlags& cluster,
                                                  const SnapshotRepositoryFlags& flags,
                                                  const S3Flags& s3,
                                                  const std::vector<std::string>& args);

// `--from-snapshot REPO SNAPSHOT` of export and copy: the repository opened for reading and the
// one snapshot named (its name checked). kInvalidArgument, with `example` as the hint, when the
// positional arguments are not exactly REPO SNAPSHOT (or SNAPSHOT with -r NAME --url CLUSTER).
struct OpenedSnapshot {
  std::unique_ptr<blob::BlobStore> container;
  std::unique_ptr<inspect::Repository> repository;  // reads `container`
  std::string snapshot;
};
Result<OpenedSnapshot> open_from_snapshot(const GlobalOptions& g, ClusterFlags& cluster,
                                          const SnapshotRepositoryFlags& flags, const S3Flags& s3,
                                          const std::vector<std::string>& args,
                                          const std::string& example);

}  // namespace essnap::cli
