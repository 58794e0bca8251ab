#include "essnap/inspect/docs.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "essnap/format/smile.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::inspect {
namespace {

// memchr, not a byte loop: every exported _source passes here (a byte loop was 8% of an
// export's CPU).
bool has_line_break(std::span<const std::uint8_t> b) {
  return !b.empty() && (std::memchr(b.data(), '\n', b.size()) != nullptr ||
                        std::memchr(b.data(), '\r', b.size()) != nullptr);
}

// The first byte that is not JSON whitespace.
int first_significant(std::span<const std::uint8_t> b) {
  for (std::uint8_t c : b)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c;
  return -1;
}

bool is_smile(std::span<const std::uint8_t> src) {
  static constexpr std::uint8_t kSmile[] = {':', ')', '\n'};
  return src.size() >= 3 && std::equal(kSmile, kSmile + 3, src.begin());
}

Result<std::string> smile_as_json(const lucene::EsDocument& doc) {
  ESSNAP_TRY(auto j, format::decode_smile_ordered(doc.source, format::SmileLimits{}));
  if (!j.is_object())
    return Error(ErrorCode::kParse, "document " + doc.id + ": its SMILE _source is not an object");
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Error neither_json_nor_smile(const lucene::EsDocument& doc) {
  return Error(
      ErrorCode::kParse,
      "document " + doc.id + ": its _source is neither JSON nor SMILE (CBOR or YAML are not read)");
}

}  // namespace

Result<std::string> stored_source_json(const lucene::EsDocument& doc) {
  if (is_smile(doc.source)) return smile_as_json(doc);
  if (first_significant(doc.source) != '{') return neither_json_nor_smile(doc);
  return std::string(reinterpret_cast<const char*>(doc.source.data()), doc.source.size());
}

namespace {
// `s` as a JSON string: printable ASCII without quote or backslash as it is (every generated,
// numeric and UUID-like _id), anything else through nlohmann (invalid UTF-8 replaced by U+FFFD).
void append_json_string(std::string& out, std::string_view s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

Status append_document_line(std::string& out, const lucene::EsDocument& doc) {
  const std::size_t was = out.size();
  out += "{\"_id\":";
  append_json_string(out, doc.id);
  if (doc.routing) {
    out += ",\"_routing\":";
    append_json_string(out, *doc.routing);
  }
  out += ",\"_source\":";
  const auto src = doc.source;
  if (is_smile(src)) {
    auto j = smile_as_json(doc);
    if (!j.ok()) {
      out.resize(was);
      return std::move(j).error();
    }
    out += *j;
  } else if (first_significant(src) == '{') {
    if (has_line_break(src)) {
      auto j = nlohmann::ordered_json::parse(src.begin(), src.end(), nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        out.resize(was);
        return Error(ErrorCode::kParse, "document " + doc.id + ": its _source is not JSON");
      }
      out += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    } else {
      out.append(reinterpret_cast<const char*>(src.data()), src.size());
    }
  } else {
    out.resize(was);
    return neither_json_nor_smile(doc);
  }
  out += "}\n";
  return ok_status();
}

Result<std::string> document_line(const lucene::EsDocument& doc) {
  std::string line;
  line.reserve(doc.id.size() + doc.source.size() + 32);
  ESSNAP_TRY_STATUS(append_document_line(line, doc));
  return line;
}

Result<DocsSummary> read_documents(Repository& repo, const DocsRequest& req,
                                   const std::function<Status(const std::string& line)>& out) {
  ESSNAP_TRY(auto selected, repo.select({req.snapshot}));
  const format::RepoSnapshot& snap = *selected.front();
  const format::RepoIndex* index = nullptr;
  std::vector<std::string> names;
  for (const format::RepoIndex* i : repo.indices_of(snap)) {
    names.push_back(i->name);
    if (i->name == req.index) index = i;
  }
  if (!index) {
    std::sort(names.begin(), names.end());
    return Error(ErrorCode::kNotFound, "index " + req.index + " is not in snapshot " + req.snapshot,
                 names.empty() ? "" : "it holds: " + util::join(names, ", "));
  }
  ESSNAP_TRY(format::IndexMetadataInfo meta, repo.index_metadata(snap, *index));

  const std::set<std::string> wanted(req.ids.begin(), req.ids.end());
  DocsSummary summary;
  bool stop = false;
  const Error kStop(ErrorCode::kInternal, "limit reached");
  for (std::int64_t shard = 0; shard < meta.number_of_shards && !stop; ++shard) {
    ESSNAP_TRY(std::string dir, repo.shard_dir(*index, shard));
    ESSNAP_TRY(format::ShardSnapshot ss, repo.shard_snapshot(dir, snap));
    ESSNAP_TRY(lucene::Shard opened, lucene::open_shard(repo.container(), dir, ss));
    if (!lucene::shard_stores_source(opened))
      return Error(ErrorCode::kConflict,
                   "index " + req.index +
                       " stores no _source (_source disabled, or synthetic / "
                       "derived source): its documents are not in the snapshot",
                   "restore it to a cluster and reindex from the fields it keeps instead");
    lucene::ShardDocumentsOptions opt;
    opt.integrity = req.integrity;
    lucene::ShardDocumentCounts counts;
    Status st = lucene::visit_shard_documents(
        opened,
        [&](const lucene::EsDocument& doc) -> Status {
          if (!wanted.empty() && !wanted.count(doc.id)) return Ok{};
          ESSNAP_TRY(std::string line, document_line(doc));
          ESSNAP_TRY_STATUS(out(line));
          ++summary.documents;
          if (req.limit && summary.documents >= *req.limit) {
            stop = true;
            return kStop;
          }
          return Ok{};
        },
        opt, &counts);
    summary.nested += counts.nested;
    ++summary.shards;
    if (!st.ok() && !stop) {
      Error e = st.error();
      return std::move(e).with_context("index " + req.index + " shard " + std::to_string(shard));
    }
  }
  summary.limited = stop;
  return summary;
}

}  // namespace essnap::inspect
