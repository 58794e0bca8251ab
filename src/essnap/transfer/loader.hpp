// The write side shared by import and copy: creating a target index from an exported
// definition (translated, every change reported, settings the target refuses removed one by one
// and reported), and loading chunks of NDJSON lines with `_bulk`: adaptive batches, items the
// target pushes back (429) retried with backoff, every other rejected document written with its
// error to the errors file — never dropped silently.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/transfer/batch.hpp"
#include "essnap/transfer/events.hpp"
#include "essnap/transfer/ndjson.hpp"
#include "essnap/transfer/translate.hpp"
#include "essnap/util/result.hpp"

namespace essnap::transfer {

EngineVersion engine_version(const cluster::ClusterInfo& info);
Result<EngineVersion> engine_version(const std::string& engine, const std::string& version);

// Creates `target` from `meta` (an index.json). The changes made are appended to `changes`.
Status create_target_index(cluster::Client& client, const std::string& target,
                           const nlohmann::json& meta, const EngineVersion& source,
                           const EngineVersion& target_engine, std::vector<std::string>& changes);

// Creates data stream `target` for documents exported from a backing index whose definition is
// `meta`: from the target's own index template when one matches the name; otherwise essnap
// first puts an index template "essnap-<target>" (pattern <target>, priority 200, the
// definition translated and mended as for an index; data_stream with `timestamp_field`).
Status create_target_data_stream(cluster::Client& client, const std::string& target,
                                 const nlohmann::json& meta, const std::string& timestamp_field,
                                 const EngineVersion& source, const EngineVersion& target_engine,
                                 std::vector<std::string>& changes);

// The target's documents after a refresh; 0 when it does not exist (a data stream on an engine
// that makes it at the first document, when none came).
Result<std::int64_t> count_target(cluster::Client& client, const std::string& target);

// Appends one JSON line per rejected document; thread-safe. Opened lazily, in append mode.
class ErrorsFile {
 public:
  explicit ErrorsFile(std::string path) : path_(std::move(path)) {}
  ~ErrorsFile();
  ErrorsFile(const ErrorsFile&) = delete;
  ErrorsFile& operator=(const ErrorsFile&) = delete;
  Status write(const nlohmann::json& line);
  const std::string& path() const { return path_; }
  long long lines() const { return lines_; }

 private:
  std::string path_;
  std::mutex mu_;
  std::FILE* f_ = nullptr;
  long long lines_ = 0;
};

struct LoadOutcome {
  long long loaded = 0;
  long long rejected = 0;
  long long lines = 0;  // documents the NDJSON held
};

struct LoaderOptions {
  BatchOptions batch;
  int max_pushback_retries = 10;  // then the pushed-back documents count as rejected
};

class Loader {
 public:
  Loader(LoaderOptions options, ErrorsFile& errors, const Hooks& hooks);

  // Loads the NDJSON lines of `ndjson` (a chunk, padded or not) into `target`. `chunk` names
  // the chunk in the errors file. Every line is parsed before anything is sent: kParse for a
  // malformed line, kIncomplete when `expected_documents` (>= 0) differs from the line count;
  // kInterrupted between two bulks when asked to stop. With kCreate (a data stream) a document
  // the target already holds (409 version_conflict_engine_exception) counts as loaded when
  // `resumed` says the target was made by the interrupted run being finished: the interruption
  // fell in the middle of this chunk, and its first documents arrived then. `lines_before`:
  // the chunk's lines before `ndjson` (a window of it), for the line numbers of errors.
  Result<LoadOutcome> load(cluster::Client& client, const std::string& source_index,
                           const std::string& target, const std::string& chunk, std::string& ndjson,
                           long long expected_documents = -1, BulkOp op = BulkOp::kIndex,
                           bool resumed = false, long long lines_before = 0);

 private:
  LoaderOptions options_;
  AdaptiveBatch batch_;
  ErrorsFile& errors_;
  const Hooks& hooks_;
};

}  // namespace essnap::transfer
