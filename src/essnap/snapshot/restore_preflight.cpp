// The restore's pre-flight checks: pure functions of the options and of what the cluster said,
// all made before the first change (see restore.hpp).
#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "essnap/snapshot/restore.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::snapshot {
namespace {

// RestoreService.UNMODIFIABLE_SETTINGS (Elasticsearch 8.19; OpenSearch 2.19 / 3.3 add the
// remote-store ones to the settings a user may not set on restore).
constexpr std::array<std::string_view, 8> kUnmodifiable = {
    "index.number_of_shards",
    "index.version.created",
    "index.uuid",
    "index.creation_date",
    "index.history.uuid",
    "index.remote_store.enabled",
    "index.remote_store.segment.repository",
    "index.remote_store.translog.repository"};
// RestoreService.UNREMOVABLE_SETTINGS: the unmodifiable ones plus these two.
constexpr std::array<std::string_view, 2> kAlsoUnremovable = {"index.number_of_replicas",
                                                              "index.auto_expand_replicas"};

bool contains(auto const& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// The engines normalize index_settings keys to the "index." prefix before checking them.
std::string normalized(const std::string& key) {
  return key.rfind("index.", 0) == 0 ? key : "index." + key;
}

bool is_pattern(const std::string& s) {
  return s.find('*') != std::string::npos;
}

}  // namespace

bool restores_aliases(const RestoreOptions& o) {
  switch (o.aliases) {
    case Aliases::kInclude:
      return true;
    case Aliases::kExclude:
      return false;
    case Aliases::kDefault:
      break;
  }
  return o.rename_pattern.empty();
}

Status validate_restore_settings(const RestoreOptions& o) {
  std::vector<std::string> modified, removed;
  for (const auto& [k, v] : o.index_settings)
    if (contains(kUnmodifiable, normalized(k))) modified.push_back(k);
  // Patterns never remove these (the engines skip them), only exact names are refused.
  for (const auto& k : o.ignore_index_settings)
    if (!is_pattern(k) && (contains(kUnmodifiable, k) || contains(kAlsoUnremovable, k)))
      removed.push_back(k);
  if (!modified.empty())
    return Error(ErrorCode::kInvalidArgument,
                 "--index-settings cannot change " + util::join(modified, ", ") +
                     " on a restore: the engines keep these from the snapshot",
                 "nothing was sent. To change the shard count, restore under another name "
                 "(--rename-suffix), then _split or _shrink, or reindex");
  if (!removed.empty())
    return Error(ErrorCode::kInvalidArgument,
                 "--ignore-index-settings cannot remove " + util::join(removed, ", ") +
                     " on a restore: the engines refuse it",
                 "nothing was sent. Leave these out of --ignore-index-settings (a replica count "
                 "can be changed with --index-settings index.number_of_replicas=N)");
  return ok_status();
}

void add_preflight_findings(RestorePlan& plan, const RestoreFacts& facts, const RestoreOptions& o) {
  plan.aliases_restored = restores_aliases(o);
  const std::set<std::string> closed(plan.closed_targets.begin(), plan.closed_targets.end());
  const std::set<std::string> open(plan.conflicts.begin(), plan.conflicts.end());
  for (const auto& [s, t] : plan.indices) {
    if (!closed.count(t) && !open.count(t)) continue;
    const auto live = facts.live_shards.find(t);
    const auto snap = facts.snapshot_shards.find(s);
    if (live == facts.live_shards.end() || snap == facts.snapshot_shards.end()) continue;
    if (live->second != snap->second)
      plan.shard_mismatches.push_back({t, s, live->second, snap->second, closed.count(t) > 0});
  }
  if (!plan.aliases_restored) return;
  // The snapshot's aliases are not readable over REST: the live source index's aliases stand
  // for them (the engine's own refusal is still mapped to exit 8 when they differ).
  std::map<std::string, std::string> write_index;  // alias -> its explicit write index
  for (const auto& a : facts.aliases)
    if (a.is_write_index) write_index[a.alias] = a.index;
  for (const auto& [s, t] : plan.indices)
    for (const auto& a : facts.aliases) {
      if (a.index != s || !a.is_write_index) continue;
      const auto w = write_index.find(a.alias);
      if (w != write_index.end() && w->second != t)
        plan.write_alias_clashes.push_back({a.alias, t, w->second});
    }
}

Status check_restore_plan(const RestorePlan& plan, const RestoreOptions& o) {
  ESSNAP_TRY_STATUS(validate_restore_settings(o));
  if (plan.incompatibility)
    return Error(ErrorCode::kConflict, "restore refused: " + *plan.incompatibility);
  if (!plan.conflicts.empty() && o.conflicts == ConflictPolicy::kRefuse)
    return Error(ErrorCode::kConflict,
                 "restore refused: open indices with the same names exist: " +
                     util::join(plan.conflicts, ", "),
                 "nothing was changed. Choose one: --rename-suffix _restored (restore beside "
                 "them; their aliases are then left out unless --include-aliases), "
                 "--close-existing (close them; the restore overwrites them), or "
                 "--delete-existing --yes (delete them first)");
  std::vector<std::string> shards;
  for (const auto& m : plan.shard_mismatches)
    if (m.closed || o.conflicts == ConflictPolicy::kCloseExisting)
      shards.push_back(m.target + " has " + std::to_string(m.live_shards) +
                       " primary shard(s), the snapshot's " + m.source + " has " +
                       std::to_string(m.snapshot_shards));
  if (!shards.empty())
    return Error(ErrorCode::kConflict,
                 "restore refused: an index is restored over in place only with the same shard "
                 "count: " +
                     util::join(shards, ", "),
                 "nothing was changed. Restore beside it (--rename-suffix _restored), or replace "
                 "it (--delete-existing --yes; a closed index: delete it first)");
  std::vector<std::string> clashes;
  for (const auto& c : plan.write_alias_clashes)
    clashes.push_back("alias " + c.alias + " (its write index is " + c.write_index + "; " +
                      c.target + " would be a second one)");
  if (!clashes.empty())
    return Error(ErrorCode::kConflict,
                 "restore refused: it would add a write index to an existing alias: " +
                     util::join(clashes, ", "),
                 "nothing was changed. Restore without the aliases (--no-aliases, or drop "
                 "--include-aliases), or move the alias' write index first");
  return ok_status();
}

}  // namespace essnap::snapshot
