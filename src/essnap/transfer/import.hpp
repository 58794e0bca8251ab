// `essnap import`: an export (a blob store) into a cluster. Pre-flight first — the manifest parsed
// and checked, the selection and the renamed targets valid, no target existing unless --append (or
// created by the run being resumed) — then per index: create it from index.json (SHA-256
// checked, translated for the target), load its chunks with bounded concurrency (each chunk's
// SHA-256 checked before a byte of it is sent: a corrupted chunk is refused and named),
// refresh, and reconcile the target's count with the manifest. A local state file records each
// loaded chunk, so --resume skips them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/cluster/index_facts.hpp"
#include "essnap/transfer/events.hpp"
#include "essnap/transfer/export.hpp"
#include "essnap/transfer/loader.hpp"
#include "essnap/transfer/manifest.hpp"

namespace essnap::transfer {

enum class Existing { kRefuse, kAppend };

struct RenameOptions {
  std::string suffix;                                      // --rename-suffix
  std::vector<std::pair<std::string, std::string>> exact;  // --rename FROM=TO
  // --rename-regex PATTERN=REPLACEMENT (ECMAScript, "$1" for a group; like restore's, the match
  // may be any part of the name). Empty pattern: none. Checked to compile by the CLI.
  std::string regex_pattern;
  std::string regex_replacement;
};
// The target of `source`: an exact rename, else the regex's replacement where it matches, else
// source + suffix.
std::string target_name(const std::string& source, const RenameOptions& r);
// "FROM=TO" -> the pair; kInvalidArgument otherwise (both must be index names).
Result<std::pair<std::string, std::string>> parse_rename(const std::string& text);

// Patterns with '*' and '-exclusions' over the names of an export, in order. A pattern matching
// the name of a group (a data stream) selects, or excludes, all its members (backing indices).
// An exact name the export lacks is kNotFound; nothing selected is kConflict.
Result<std::vector<std::string>> select_indices(
    const std::vector<std::string>& names, const std::vector<std::string>& patterns,
    const std::map<std::string, std::vector<std::string>>& groups = {});

// Aliases of an imported or copied index (the rule of `restore`): kept when the target has the
// source's name, left out of a renamed one unless --include-aliases (kInclude) — a renamed copy
// must not join the source's aliases unasked.
enum class AliasPolicy { kUnlessRenamed, kInclude };
bool keeps_aliases(const std::string& source, const std::string& target, AliasPolicy p);
// Removes the aliases of an index definition (index.json), noting it in `changes` when it had any.
void drop_aliases(nlohmann::json& def, std::vector<std::string>& changes);

// An index about to be created with aliases (the "aliases" object of its definition).
struct PlannedAliases {
  std::string target;
  nlohmann::json aliases;
};
// Each alias that would end with two write indices: one of `planned` marks it is_write_index
// while the live write index (`live`: cluster::list_aliases) or another planned one is another
// index. One line each, for the refusal made before anything is created.
std::vector<std::string> write_alias_clashes(const std::vector<cluster::AliasEntry>& live,
                                             const std::vector<PlannedAliases>& planned);
// The refusal itself (kConflict, exit 8) when `planned` would give an alias of `target` a second
// write index; `operation` ("import", "copy") and `suffix` ("_imported") word the message.
Status refuse_write_alias_clashes(cluster::Client& target,
                                  const std::vector<PlannedAliases>& planned,
                                  const std::string& operation, const std::string& suffix);

struct ImportOptions {
  std::vector<std::string> patterns;  // empty: every index of the export
  RenameOptions rename;
  Execution execution = Execution::kExecute;
  Existing existing = Existing::kRefuse;
  Resume resume = Resume::kNo;
  AliasPolicy aliases = AliasPolicy::kUnlessRenamed;
  int concurrency = 4;
  // A chunk's lines parsed and sent at a time (a line longer than this is a window of its own):
  // a loader's memory is this and the compressed chunk, whatever the chunk's size.
  long long window_bytes = 8LL << 20;
  std::string state_path;   // the local state file
  std::string errors_path;  // rejected documents, one JSON line each
  LoaderOptions loader;
};

struct ImportResult {
  std::vector<IndexSummary> indices;
  std::vector<std::string> corrupted;  // chunk files refused
  std::optional<Error> problem;        // rejected documents, corrupted chunks, counts that differ
  bool dry_run = false;                // Execution::kDryRun: `indices` is the plan
};

// What does not add up after a load, one line each: rejected documents (naming the errors file)
// and, unless `existing` is kAppend, each target whose count differs from its sources' (source
// count - rejected; a data stream's target sums its backing indices).
std::vector<std::string> reconcile_counts(const std::vector<IndexSummary>& indices,
                                          Existing existing, const std::string& errors_path);

// The hint of an incomplete import or copy: the errors file only when documents were rejected.
std::string incomplete_hint(const std::vector<IndexSummary>& indices,
                            const std::string& errors_path);

Result<ImportResult> run_import(const ClientFactory& clients, blob::BlobStore& store,
                                const ImportOptions& options, const Hooks& hooks);

// The import state file: which chunks of which index are loaded into which target.
struct ImportState {
  std::string source;
  struct Index {
    std::string target;
    bool created = false;
    std::vector<std::string> done;  // chunk names (files, or "slice/seq" for copy)
    long long loaded = 0;
    long long rejected = 0;
    int slices = 0;  // copy: the slice count the copy began with (0 for an import)
    // The created target's uuid (cluster::index_uuid): a resume trusts `created` only while the
    // target still has it.
    std::string target_uuid;
  };
  std::map<std::string, Index> indices;
};
nlohmann::json to_json(const ImportState& s);
// The targets an import state says were created by the run that wrote it (for --resume: the
// documents such a target already holds came from that run).
std::set<std::string> targets_made(const ImportState& state);

// targets_made() less each target that is not, on the cluster, the index that run created (its
// uuid differs from the recorded one, or none was recorded): a state file edited by hand, or a
// target deleted and made again by someone else, never lets --resume load into an index it did
// not create.
Result<std::set<std::string>> verified_targets_made(cluster::Client& client,
                                                    const ImportState& state);

// Records `target`'s uuid in every entry of `state` that loads into it and says it was created.
void record_target_uuid(ImportState& state, const std::string& target, const std::string& uuid);

Result<ImportState> parse_import_state(std::string_view text, std::string_view what);
Result<ImportState> load_import_state(const std::string& path);
Status save_import_state(const std::string& path, const ImportState& s);  // write + rename

}  // namespace essnap::transfer
