#include "essnap/transfer/import.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "essnap/cluster/names.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/transfer/codec.hpp"
#include "essnap/util/crypto.hpp"
#include "essnap/util/durations.hpp"
#include "essnap/util/glob.hpp"

namespace essnap::transfer {
namespace {

constexpr std::size_t kMaxManifestBytes = 512u << 20;
constexpr std::size_t kMaxMetadataBytes = 64u << 20;
// One document may be larger than a chunk's limit; nothing decompresses past this.
constexpr std::size_t kMaxChunkSlack = 112u << 20;

struct ChunkLoad {
  LoadOutcome outcome;
  std::optional<Error> bad;  // the chunk's own content is wrong (its stream, its line count)
};

// Loads one chunk whose size and SHA-256 were checked, window by window: a loader holds the
// compressed chunk and one window of its lines, whatever the chunk's size. Each window's lines
// are parsed before that window is sent; a malformed line is an error (the import stops,
// naming it), a stream that does not decompress or a line count other than the manifest's
// makes the chunk `bad` (refused, named; the import goes on and exits 9).
Result<ChunkLoad> load_chunk(Loader& loader, cluster::Client& client, const std::string& source,
                             const std::string& target, const ChunkEntry& c,
                             const std::string& stored, Compression compression,
                             std::size_t max_raw, std::size_t window_bytes, BulkOp op,
                             bool resumed) {
  ChunkLoad out;
  ChunkReader lines(compression, stored, max_raw);
  std::string window;
  for (;;) {
    auto more = lines.next_lines(window, window_bytes);
    if (!more.ok()) {
      out.bad = std::move(more).error();
      return out;
    }
    if (!*more) break;
    ESSNAP_TRY(LoadOutcome part, loader.load(client, source, target, c.file, window, -1, op,
                                             resumed, out.outcome.lines));
    out.outcome.loaded += part.loaded;
    out.outcome.rejected += part.rejected;
    out.outcome.lines += part.lines;
  }
  if (out.outcome.lines != c.documents)
    out.bad = Error(ErrorCode::kIncomplete, std::to_string(out.outcome.lines) +
                                                " lines, the manifest says " +
                                                std::to_string(c.documents) + " documents");
  return out;
}

}  // namespace

std::string target_name(const std::string& source, const RenameOptions& r) {
  for (const auto& [from, to] : r.exact)
    if (from == source) return to;
  if (!r.regex_pattern.empty()) {
    try {
      const std::regex re(r.regex_pattern);
      if (std::regex_search(source, re)) return std::regex_replace(source, re, r.regex_replacement);
    } catch (const std::regex_error&) {
      // refused by the CLI before any run; a bad pattern renames nothing
    }
  }
  return source + r.suffix;
}

Result<std::pair<std::string, std::string>> parse_rename(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return Error(ErrorCode::kInvalidArgument,
                 "--rename '" + text.substr(0, 80) + "': expected FROM=TO");
  std::pair<std::string, std::string> p{text.substr(0, eq), text.substr(eq + 1)};
  ESSNAP_TRY_STATUS(cluster::names::validate_index_name(p.first, "--rename FROM"));
  ESSNAP_TRY_STATUS(cluster::names::validate_index_name(p.second, "--rename TO"));
  return p;
}

Result<std::vector<std::string>> select_indices(
    const std::vector<std::string>& names, const std::vector<std::string>& patterns,
    const std::map<std::string, std::vector<std::string>>& groups) {
  if (patterns.empty()) return names;
  std::set<std::string> chosen;
  bool first = true;
  for (const auto& p : patterns) {
    const bool exclude = p.size() > 1 && p[0] == '-';
    const std::string pat = exclude ? p.substr(1) : p;
    if (first && exclude) chosen.insert(names.begin(), names.end());
    first = false;
    if (!exclude && pat.find('*') == std::string::npos &&
        std::find(names.begin(), names.end(), pat) == names.end() && !groups.count(pat))
      return Error(ErrorCode::kNotFound, "the export holds no index or data stream " + pat,
                   "list what it holds with: essnap import --from EXPORT --dry-run");
    auto pick = [&](const std::string& n) {
      if (exclude)
        chosen.erase(n);
      else
        chosen.insert(n);
    };
    for (const auto& n : names)
      if (util::glob_match(pat, n)) pick(n);
    for (const auto& [group, members] : groups)
      if (util::glob_match(pat, group))
        for (const auto& n : members) pick(n);
  }
  std::vector<std::string> out;
  for (const auto& n : names)
    if (chosen.count(n)) out.push_back(n);
  if (out.empty()) return Error(ErrorCode::kConflict, "--indices selects no index of the export");
  return out;
}

nlohmann::json to_json(const ImportState& s) {
  nlohmann::json idx = nlohmann::json::object();
  for (const auto& [name, i] : s.indices) {
    idx[name] = {{"target", i.target}, {"created", i.created},   {"done", i.done},
                 {"loaded", i.loaded}, {"rejected", i.rejected}, {"slices", i.slices}};
    if (!i.target_uuid.empty()) idx[name]["target_uuid"] = i.target_uuid;
  }
  return {{"format", "essnap-import-state"},
          {"format_version", 1},
          {"source", s.source},
          {"indices", idx}};
}

Result<ImportState> parse_import_state(std::string_view text, std::string_view what) {
  auto bad = [&](const std::string& d) {
    return Error(ErrorCode::kParse, std::string(what) + ": " + d,
                 "the state file is damaged: remove it and import into a fresh target");
  };
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("format", nlohmann::json()) != "essnap-import-state")
    return bad("not an import state");
  ImportState s;
  if (!j.contains("source") || !j["source"].is_string()) return bad("'source' is missing");
  s.source = j["source"].get<std::string>();
  if (!j.contains("indices") || !j["indices"].is_object()) return bad("'indices' is missing");
  for (auto it = j["indices"].begin(); it != j["indices"].end(); ++it) {
    const auto& o = it.value();
    ImportState::Index i;
    if (!o.is_object() || !o.contains("target") || !o["target"].is_string() ||
        !o.contains("created") || !o["created"].is_boolean() || !o.contains("done") ||
        !o["done"].is_array() || !o.contains("loaded") || !o["loaded"].is_number_integer() ||
        !o.contains("rejected") || !o["rejected"].is_number_integer())
      return bad("index " + it.key().substr(0, 80) + " is malformed");
    i.target = o["target"].get<std::string>();
    i.created = o["created"].get<bool>();
    for (const auto& d : o["done"]) {
      if (!d.is_string()) return bad("a done chunk is not a string");
      i.done.push_back(d.get<std::string>());
    }
    i.loaded = o["loaded"].get<long long>();
    i.rejected = o["rejected"].get<long long>();
    if (o.contains("target_uuid")) {
      if (!o["target_uuid"].is_string() || o["target_uuid"].get<std::string>().size() > 64)
        return bad("index " + it.key().substr(0, 80) + ": 'target_uuid' is malformed");
      i.target_uuid = o["target_uuid"].get<std::string>();
    }
    if (o.contains("slices") && o["slices"].is_number_integer())
      i.slices = static_cast<int>(std::clamp<long long>(o["slices"].get<long long>(), 0, 64));
    s.indices[it.key()] = std::move(i);
  }
  return s;
}

Result<ImportState> load_import_state(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error(ErrorCode::kNotFound, "no import state at " + path,
                 "--resume continues an interrupted import with the same --state-dir; run without "
                 "it to start");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_import_state(ss.str(), path);
}

Status save_import_state(const std::string& path, const ImportState& s) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    // Synced before the rename: a crash leaves the old state or the new one, never an empty file.
    const std::string text = to_json(s).dump(1) + "\n";
    std::FILE* f = std::fopen(tmp.c_str(), "wbe");
    const bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size() &&
                    std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    if (f) std::fclose(f);
    if (!ok) {
      ::unlink(tmp.c_str());
      return Error(ErrorCode::kIo, "cannot write the import state " + tmp, "pass --state-dir DIR");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Error(ErrorCode::kIo, "cannot write the import state " + path, "pass --state-dir DIR");
  return ok_status();
}

std::set<std::string> targets_made(const ImportState& state) {
  std::set<std::string> out;
  for (const auto& [name, i] : state.indices)
    if (i.created && !i.target.empty()) out.insert(i.target);
  return out;
}

Result<std::set<std::string>> verified_targets_made(cluster::Client& client,
                                                    const ImportState& state) {
  std::set<std::string> out;
  for (const auto& target : targets_made(state)) {
    std::string recorded;
    for (const auto& [name, i] : state.indices)
      if (i.target == target && i.created && !i.target_uuid.empty()) recorded = i.target_uuid;
    if (recorded.empty()) continue;
    auto live = cluster::index_uuid(client, target);
    if (!live.ok()) {
      if (live.error().code == ErrorCode::kNotFound) continue;
      return std::move(live).error();
    }
    if (*live == recorded) out.insert(target);
  }
  return out;
}

void record_target_uuid(ImportState& state, const std::string& target, const std::string& uuid) {
  for (auto& [name, i] : state.indices)
    if (i.target == target && i.created) i.target_uuid = uuid;
}

bool keeps_aliases(const std::string& source, const std::string& target, AliasPolicy p) {
  return p == AliasPolicy::kInclude || source == target;
}

void drop_aliases(nlohmann::json& def, std::vector<std::string>& changes) {
  if (!def.is_object() || !def.contains("aliases")) return;
  std::string names;
  if (def["aliases"].is_object())
    for (auto it = def["aliases"].begin(); it != def["aliases"].end(); ++it)
      names += (names.empty() ? "" : ", ") + it.key();
  def["aliases"] = nlohmann::json::object();
  if (!names.empty())
    changes.push_back("aliases left out (" + names +
                      "): the index is renamed; --include-aliases keeps them");
}

Status refuse_write_alias_clashes(cluster::Client& target,
                                  const std::vector<PlannedAliases>& planned,
                                  const std::string& operation, const std::string& suffix) {
  if (planned.empty()) return ok_status();
  ESSNAP_TRY(const auto live, cluster::list_aliases(target));
  const auto clashes = write_alias_clashes(live, planned);
  if (clashes.empty()) return ok_status();
  std::string list;
  for (const auto& c : clashes) list += (list.empty() ? "" : ", ") + c;
  const std::string done = operation == "copy" ? "copied" : operation + "ed";
  return Error(ErrorCode::kConflict,
               "the " + operation + " would add a write index to an existing alias: " + list +
                   "; nothing was " + done,
               operation + " under another name without the aliases (--rename-suffix " + suffix +
                   "), or move the alias' write index first");
}

std::vector<std::string> write_alias_clashes(const std::vector<cluster::AliasEntry>& live,
                                             const std::vector<PlannedAliases>& planned) {
  std::map<std::string, std::string> writer;  // alias -> its write index
  for (const auto& a : live)
    if (a.is_write_index) writer[a.alias] = a.index;
  std::vector<std::string> out;
  for (const auto& p : planned) {
    if (!p.aliases.is_object()) continue;
    for (auto it = p.aliases.begin(); it != p.aliases.end(); ++it) {
      const auto& v = it.value();
      if (!v.is_object() || !v.contains("is_write_index") || v["is_write_index"] != true) continue;
      auto [at, fresh] = writer.emplace(it.key(), p.target);
      if (!fresh && at->second != p.target)
        out.push_back("alias " + it.key() + " (its write index is " + at->second + "; " + p.target +
                      " would be a second one)");
    }
  }
  return out;
}

std::string incomplete_hint(const std::vector<IndexSummary>& indices,
                            const std::string& errors_path) {
  long long rejected = 0;
  for (const auto& s : indices) rejected += s.rejected;
  if (rejected > 0)
    return "the rejected documents are in " + errors_path +
           " with the engine's reason: fix them or the target's mappings, then load them again";
  return "no document was rejected: the source's count changed while it was read (documents "
         "written or deleted meanwhile); compare the counts again, or run it again into a new "
         "target";
}

std::vector<std::string> reconcile_counts(const std::vector<IndexSummary>& indices,
                                          Existing existing, const std::string& errors_path) {
  // By target: a data stream receives the documents of all its backing indices. Into a target
  // that held documents before (--append) counts cannot be compared.
  std::vector<std::string> problems;
  long long rejected = 0;
  std::map<std::string, std::pair<long long, long long>>
      by_target;  // target -> (expected, last count)
  std::vector<std::string> order;
  for (const auto& s : indices) {
    rejected += s.rejected;
    if (!by_target.count(s.target)) order.push_back(s.target);
    auto& [expected, count] = by_target[s.target];
    expected += s.source_count - s.rejected;
    count = s.target_count;
  }
  if (existing == Existing::kRefuse)
    for (const auto& t : order)
      if (const auto& [expected, count] = by_target[t]; count != expected)
        problems.push_back(t + " holds " + std::to_string(count) + " documents, expected " +
                           std::to_string(expected));
  if (rejected > 0)
    problems.insert(
        problems.begin(),
        std::to_string(rejected) + " document(s) rejected by the target (see " + errors_path + ")");
  return problems;
}

Result<ImportResult> run_import(const ClientFactory& clients, blob::BlobStore& store,
                                const ImportOptions& o, const Hooks& hooks_in) {
  const Hooks hooks = synchronized(hooks_in);
  const auto run_start = std::chrono::steady_clock::now();
  ESSNAP_TRY(std::unique_ptr<cluster::Client> main, clients());

  // --- Pre-flight: nothing is created before all of it passes.
  auto mtext = store.read(kManifestFile, kMaxManifestBytes);
  if (!mtext.ok()) {
    Error e = std::move(mtext).error();
    if (e.code == ErrorCode::kNotFound) {
      auto st = store.exists(kExportStateFile);
      e.message = store.describe() + " holds no " + kManifestFile;
      e.hint = st.ok() && *st ? "the export was interrupted: finish it with 'essnap export -i "
                                "INDICES --resume --to " +
                                    store.describe() + "'"
                              : "check --from: it should name the --to of an essnap export";
    }
    return e;
  }
  ESSNAP_TRY(Manifest m, parse_manifest(*mtext, store.describe() + "/" + kManifestFile,
                                        ManifestKind::kManifest));
  std::vector<std::string> names;
  std::map<std::string, std::vector<std::string>> streams;  // data stream -> its backing indices
  for (const auto& i : m.indices) {
    names.push_back(i.name);
    if (!i.data_stream.empty()) streams[i.data_stream].push_back(i.name);
  }
  ESSNAP_TRY(std::vector<std::string> selected, select_indices(names, o.patterns, streams));
  // A backing index goes into its data stream (renamed like an index); the stream is created
  // from the definition of its newest backing index selected (the write index: newest mappings).
  std::map<std::string, std::string> stream_target_of;  // target -> data stream
  std::map<std::string, std::string> newest_backing;    // data stream -> backing index
  auto target_of = [&](const std::string& src) {
    const IndexEntry& e = *m.find(src);
    return target_name(e.data_stream.empty() ? src : e.data_stream, o.rename);
  };
  for (const auto& src : selected)
    if (const IndexEntry& e = *m.find(src); !e.data_stream.empty())
      newest_backing[e.data_stream] = src;
  ESSNAP_TRY(EngineVersion source_engine, engine_version(m.source_engine, m.source_version));
  ESSNAP_TRY(cluster::ClusterInfo info, main->info());
  const EngineVersion target_engine = engine_version(info);

  ImportState state;
  state.source = store.describe();
  if (o.resume == Resume::kYes) {
    ESSNAP_TRY(state, load_import_state(o.state_path));
    if (state.source != store.describe())
      return Error(ErrorCode::kConflict,
                   "the import state at " + o.state_path + " belongs to " + state.source,
                   "resume with the --from it began with");
  }
  // Only a target that is still the index the interrupted run created counts as its own.
  std::set<std::string> made_before;
  if (o.resume == Resume::kYes) {
    ESSNAP_TRY(made_before, verified_targets_made(*main, state));
    for (auto& [name, i] : state.indices)
      if (!made_before.count(i.target)) i.created = false;
  }
  std::set<std::string> targets;
  std::vector<std::string> conflicts;
  for (const auto& src : selected) {
    const std::string target = target_of(src);
    const std::string& stream = m.find(src)->data_stream;
    ESSNAP_TRY_STATUS(cluster::names::validate_index_name(target, "the target index name"));
    const bool same_stream =
        !stream.empty() && stream_target_of.count(target) && stream_target_of[target] == stream;
    if (!targets.insert(target).second && !same_stream)
      return Error(ErrorCode::kInvalidArgument, "two indices would be imported into " + target,
                   "give each a distinct --rename");
    if (!stream.empty()) stream_target_of[target] = stream;
    auto& st = state.indices[src];
    if (!st.target.empty() && st.target != target)
      return Error(
          ErrorCode::kConflict,
          "the interrupted import loaded " + src + " into " + st.target + ", not " + target,
          "resume with the same --rename options");
    st.target = target;
    ESSNAP_TRY(bool exists, cluster::index_exists(*main, target));
    // A data stream is created once for all its backing indices: any of them may hold the mark.
    const bool created = made_before.count(target) > 0;
    if (exists && o.existing == Existing::kRefuse && !created &&
        std::find(conflicts.begin(), conflicts.end(), target) == conflicts.end())
      conflicts.push_back(target);
  }
  if (!conflicts.empty()) {
    std::string list;
    for (const auto& c : conflicts) list += (list.empty() ? "" : ", ") + c;
    return Error(
        ErrorCode::kConflict, "the target already has " + list + "; nothing was imported",
        "pass --append to load into the existing index, or --rename-suffix / --rename to import "
        "under another name");
  }
  // A second write index for an alias is refused now, before anything is created (the engine
  // would refuse it at creation, halfway through).
  std::vector<PlannedAliases> planned;
  for (const auto& src : selected) {
    const IndexEntry& e = *m.find(src);
    const std::string target = state.indices[src].target;
    if (!e.data_stream.empty() || !keeps_aliases(src, target, o.aliases)) continue;
    ESSNAP_TRY(bool exists, cluster::index_exists(*main, target));
    if (exists) continue;
    ESSNAP_TRY(std::string def_text, store.read(metadata_file(src), kMaxMetadataBytes));
    auto def = nlohmann::json::parse(def_text, nullptr, false);
    if (def.is_object() && def.contains("aliases") && def["aliases"].is_object() &&
        !def["aliases"].empty())
      planned.push_back({target, def["aliases"]});
  }
  ESSNAP_TRY_STATUS(refuse_write_alias_clashes(*main, planned, "import", "_imported"));
  if (o.execution == Execution::kDryRun) {
    ImportResult plan;
    plan.dry_run = true;
    for (const auto& src : selected)
      plan.indices.push_back({.index = src,
                              .target = state.indices[src].target,
                              .source_count = m.find(src)->documents});
    return plan;
  }
  ESSNAP_TRY_STATUS(save_import_state(o.state_path, state));

  ErrorsFile errors(o.errors_path);
  Loader loader(o.loader, errors, hooks);
  ImportResult result;
  std::mutex mu;  // state, result
  long long bytes_read = 0;
  const std::size_t window_bytes =
      static_cast<std::size_t>(std::clamp(o.window_bytes, 1LL << 10, 64LL << 20));
  const std::size_t max_raw =
      std::min<std::size_t>(static_cast<std::size_t>(m.chunk_bytes) + kMaxChunkSlack, 256u << 20);

  for (const auto& src : selected) {
    const IndexEntry& entry = *m.find(src);
    auto& st = state.indices[src];
    const std::string target = st.target;
    const bool resumed_target = made_before.count(target) > 0;
    const auto t0 = std::chrono::steady_clock::now();
    IndexSummary summary;
    summary.index = src;
    summary.target = target;
    summary.source_count = entry.documents;

    ESSNAP_TRY(bool exists, cluster::index_exists(*main, target));
    if (!exists) {
      // A data stream from its newest backing index's definition, an index from its own.
      const std::string def_of =
          entry.data_stream.empty() ? src : newest_backing[entry.data_stream];
      const IndexEntry& def_entry = *m.find(def_of);
      ESSNAP_TRY(std::string def_text, store.read(metadata_file(def_of), kMaxMetadataBytes));
      if (util::sha256_hex(def_text) != def_entry.metadata_sha256)
        return Error(
            ErrorCode::kParse,
            metadata_file(def_of) + " is corrupted: its SHA-256 differs from the manifest's",
            "export the index again; nothing of " + src + " was imported");
      auto def = nlohmann::json::parse(def_text, nullptr, false);
      if (!def.is_object())
        return Error(ErrorCode::kParse, metadata_file(def_of) + " is not a JSON object");
      if (entry.data_stream.empty()) {
        if (!keeps_aliases(src, target, o.aliases)) drop_aliases(def, summary.changes);
        ESSNAP_TRY_STATUS(
            create_target_index(*main, target, def, source_engine, target_engine, summary.changes));
      } else {
        ESSNAP_TRY_STATUS(create_target_data_stream(*main, target, def, entry.timestamp_field,
                                                    source_engine, target_engine, summary.changes));
      }
      st.created = true;
      // A data stream that the engine makes at its first document has no uuid yet: recorded
      // after the first chunk then.
      if (auto uuid = cluster::index_uuid(*main, target); uuid.ok())
        record_target_uuid(state, target, *uuid);
      ESSNAP_TRY_STATUS(save_import_state(o.state_path, state));
      if (hooks.progress) {
        hooks.notify("created " + target +
                     (summary.changes.empty()
                          ? ""
                          : " with " + std::to_string(summary.changes.size()) + " change(s):"));
        for (const auto& c : summary.changes) hooks.notify("  " + target + ": " + c);
      }
    }

    std::set<std::string> done(st.done.begin(), st.done.end());
    std::vector<const ChunkEntry*> todo;
    long long docs_done = 0;
    for (const auto& c : entry.chunks) {
      if (done.count(c.file))
        docs_done += c.documents;
      else
        todo.push_back(&c);
    }
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::optional<Error> first_error;
    auto fail = [&](Error e) {
      std::lock_guard<std::mutex> lock(mu);
      if (!first_error || first_error->code == ErrorCode::kInterrupted) first_error = std::move(e);
      stop = true;
    };
    // Memory: each loader holds a compressed chunk (the largest of this index's, from the
    // manifest), one window of its lines (and its slack while the next is decompressed), the
    // bulk body in flight with the retry layer's copy of it, and the next one being built; at
    // most 192 MiB of them whatever --concurrency says (measured: 4 loaders, 32 MiB chunks,
    // 8 MiB windows peak at ~165 MiB RSS).
    long long stored_max = 0;
    for (const ChunkEntry* c : todo) stored_max = std::max(stored_max, c->bytes);
    const long long per_worker =
        stored_max + 2 * o.window_bytes + 3 * static_cast<long long>(o.loader.batch.max_bytes);
    const int workers = std::clamp(
        static_cast<int>(std::min<long long>(o.concurrency, (192LL << 20) / per_worker)), 1, 32);
    std::vector<std::thread> threads;
    for (int w = 0; w < workers && static_cast<std::size_t>(w) < todo.size(); ++w) {
      threads.emplace_back([&] {
        auto client = clients();
        if (!client.ok()) return fail(std::move(client).error());
        for (;;) {
          if (stop) return;
          if (hooks.interrupted && hooks.interrupted())
            return fail(Error(ErrorCode::kInterrupted, "interrupted while importing " + src));
          const std::size_t k = next++;
          if (k >= todo.size()) return;
          const ChunkEntry& c = *todo[k];
          auto stored = store.read(c.file, static_cast<std::size_t>(c.bytes));
          std::string reason;
          if (!stored.ok()) {
            if (stored.error().code != ErrorCode::kParse) return fail(std::move(stored).error());
            reason = "it is larger than the manifest says";
          } else if (static_cast<long long>(stored->size()) != c.bytes) {
            reason = "it holds " + std::to_string(stored->size()) + " bytes, the manifest says " +
                     std::to_string(c.bytes);
          } else if (util::sha256_hex(*stored) != c.sha256) {
            reason = "its SHA-256 differs from the manifest's";
          }
          if (!reason.empty()) {
            std::lock_guard<std::mutex> lock(mu);
            result.corrupted.push_back(c.file + " (" + reason + ")");
            continue;
          }
          auto chunk = load_chunk(
              loader, **client, src, target, c, *stored, m.compression, max_raw, window_bytes,
              entry.data_stream.empty() ? BulkOp::kIndex : BulkOp::kCreate, resumed_target);
          if (!chunk.ok()) return fail(std::move(chunk).error());
          std::lock_guard<std::mutex> lock(mu);
          st.loaded += chunk->outcome.loaded;  // for a bad chunk: what arrived before it went wrong
          st.rejected += chunk->outcome.rejected;
          if (chunk->bad) {
            result.corrupted.push_back(c.file + " (" + chunk->bad->message + ")");
            continue;
          }
          st.done.push_back(c.file);
          docs_done += c.documents;
          bytes_read += c.bytes;
          if (st.created && st.target_uuid.empty())
            if (auto uuid = cluster::index_uuid(**client, target); uuid.ok())
              record_target_uuid(state, target, *uuid);
          if (auto s = save_import_state(o.state_path, state); !s.ok()) {
            first_error = std::move(s).error();
            stop = true;
            return;
          }
          if (hooks.progress)
            hooks.chunk({"import", src, c.file, c.documents, docs_done, entry.documents, bytes_read,
                         util::seconds_since(run_start)});
        }
      });
    }
    for (auto& t : threads) t.join();
    if (first_error) return *first_error;

    ESSNAP_TRY(summary.target_count, count_target(*main, target));
    summary.documents = st.loaded;
    summary.rejected = st.rejected;
    summary.seconds = util::seconds_since(t0);
    if (hooks.index_done) hooks.index_done(summary);
    result.indices.push_back(summary);
  }

  // --- Reconcile.
  std::vector<std::string> problems = reconcile_counts(
      result.indices, result.corrupted.empty() ? o.existing : Existing::kAppend, o.errors_path);
  for (const auto& c : result.corrupted) problems.push_back("refused corrupted chunk " + c);
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    result.problem = Error(ErrorCode::kIncomplete, "the import is incomplete: " + msg,
                           result.corrupted.empty() ? incomplete_hint(result.indices, o.errors_path)
                                                    : "export the named chunks' index again");
  }
  return result;
}

}  // namespace essnap::transfer
