#include "essnap/transfer/ndjson.hpp"

#include <simdjson.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "essnap/util/strings.hpp"

namespace essnap::transfer {
namespace od = simdjson::ondemand;

static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING, "simdjson needs more padding");

namespace {

Error malformed(const char* what, simdjson::error_code e) {
  return Error(ErrorCode::kParse, std::string(what) + ": " + simdjson::error_message(e));
}

#define ESSNAP_SJ(what, expr)                                                           \
  do {                                                                                  \
    if (auto essnap_sj_e_ = (expr); essnap_sj_e_) return malformed(what, essnap_sj_e_); \
  } while (0)

// The raw token of a JSON string value; kParse when it is not a string.
Result<std::string_view> string_token(od::value& v, const char* what) {
  od::json_type t;
  ESSNAP_SJ(what, v.type().get(t));
  if (t != od::json_type::string)
    return Error(ErrorCode::kParse, std::string(what) + " is not a string");
  const std::string_view raw = v.raw_json_token();
  // Validate the escapes too: a token simdjson cannot unescape is not a JSON string.
  std::string_view unescaped;
  ESSNAP_SJ(what, v.get_string().get(unescaped));
  return util::trim_right(raw);
}

Result<std::string_view> object_raw(od::value& v, const char* what) {
  od::object o;
  ESSNAP_SJ(what, v.get_object().get(o));
  std::string_view raw;
  ESSNAP_SJ(what, o.raw_json().get(raw));
  return util::trim_right(raw);
}

Result<Hit> parse_hit(od::value& hv) {
  od::object ho;
  ESSNAP_SJ("a search hit", hv.get_object().get(ho));
  Hit hit;
  bool has_source = false;
  for (auto fr : ho) {
    od::field f;
    ESSNAP_SJ("a search hit", std::move(fr).get(f));
    // The raw key, not unescaped: the engines write these five plainly, and unescaping every
    // key of every hit into the parser's buffer cost more than the comparison.
    const od::raw_json_string key = f.key();
    if (key == "_id") {
      ESSNAP_TRY(hit.id, string_token(f.value(), "a hit's _id"));
    } else if (key == "_routing") {
      ESSNAP_TRY(hit.routing, string_token(f.value(), "a hit's _routing"));
    } else if (key == "_source") {
      ESSNAP_TRY(hit.source, object_raw(f.value(), "a hit's _source"));
      has_source = true;
    } else if (key == "sort") {
      od::array a;
      ESSNAP_SJ("a hit's sort", f.value().get_array().get(a));
      std::string_view raw;
      ESSNAP_SJ("a hit's sort", a.raw_json().get(raw));
      hit.sort = util::trim_right(raw);
    }
  }
  if (hit.id.empty()) return Error(ErrorCode::kParse, "a search hit has no _id");
  if (!has_source)
    return Error(ErrorCode::kConflict,
                 "a document has no _source (id " + std::string(hit.id.substr(0, 80)) + ")",
                 "the index is mapped with _source disabled: its documents cannot be exported");
  return hit;
}

// Whether only whitespace follows the parsed document in [.., end).
bool only_space_after(od::document& doc, const char* end) {
  const char* loc = nullptr;
  if (doc.current_location().get(loc)) return true;  // past the end: nothing follows
  for (; loc < end; ++loc)
    if (*loc != ' ' && *loc != '\n' && *loc != '\r' && *loc != '\t') return false;
  return true;
}

}  // namespace

void ensure_padding(std::string& s) {
  if (s.capacity() < s.size() + kJsonPadding) s.reserve(s.size() + kJsonPadding);
}

struct PageParser::Impl {
  od::parser parser;
  od::parser line_parser;
};

PageParser::PageParser() : impl_(std::make_unique<Impl>()) {}
PageParser::~PageParser() = default;

Result<SearchPage> PageParser::parse(std::string& body) {
  ensure_padding(body);
  od::document doc;
  ESSNAP_SJ("malformed search answer",
            impl_->parser.iterate(body.data(), body.size(), body.capacity()).get(doc));
  od::object top;
  ESSNAP_SJ("malformed search answer", doc.get_object().get(top));
  SearchPage page;
  for (auto fr : top) {
    od::field f;
    ESSNAP_SJ("malformed search answer", std::move(fr).get(f));
    std::string_view key;
    ESSNAP_SJ("malformed search answer", f.unescaped_key().get(key));
    if (key == "pit_id" || key == "_scroll_id") {
      std::string_view id;
      ESSNAP_SJ("malformed search answer", f.value().get_string().get(id));
      (key == "pit_id" ? page.pit_id : page.scroll_id) = std::string(id);
    } else if (key == "timed_out") {
      bool timed_out = false;
      ESSNAP_SJ("malformed search answer", f.value().get_bool().get(timed_out));
      if (timed_out)
        return Error(
            ErrorCode::kIncomplete, "a search page timed out on the engine",
            "the cluster is overloaded; retry with fewer --slices or a smaller --page-size");
    } else if (key == "_shards") {
      od::object so;
      ESSNAP_SJ("malformed search answer", f.value().get_object().get(so));
      for (auto sr : so) {
        od::field sf;
        ESSNAP_SJ("malformed search answer", std::move(sr).get(sf));
        std::string_view skey;
        ESSNAP_SJ("malformed search answer", sf.unescaped_key().get(skey));
        if (skey != "failed") continue;
        int64_t failed = 0;
        ESSNAP_SJ("malformed search answer", sf.value().get_int64().get(failed));
        if (failed > 0)
          return Error(
              ErrorCode::kIncomplete,
              "a search page is missing " + std::to_string(failed) + " failed shard(s)",
              "check the index's health ('essnap request GET /_cluster/health?level=indices'); "
              "an export never continues past missing documents");
      }
    } else if (key == "hits") {
      od::object ho;
      ESSNAP_SJ("malformed search answer", f.value().get_object().get(ho));
      for (auto hr : ho) {
        od::field hf;
        ESSNAP_SJ("malformed search answer", std::move(hr).get(hf));
        if (hf.key() != "hits") continue;
        od::array arr;
        ESSNAP_SJ("malformed search answer", hf.value().get_array().get(arr));
        // A page's hits are a small fraction of its bytes (~0.5 KiB documents: 1 per 500).
        page.hits.reserve(body.size() / 512 + 16);
        for (auto vr : arr) {
          od::value v;
          ESSNAP_SJ("malformed search answer", std::move(vr).get(v));
          ESSNAP_TRY(Hit hit, parse_hit(v));
          page.hits.push_back(hit);
        }
      }
    }
  }
  if (!only_space_after(doc, body.data() + body.size()))
    return Error(ErrorCode::kParse, "malformed search answer: bytes after the document");
  return page;
}

Result<PageParser::DocLine> PageParser::parse_line(std::string_view line) {
  od::document doc;
  ESSNAP_SJ(
      "malformed chunk line",
      impl_->line_parser.iterate(line.data(), line.size(), line.size() + kJsonPadding).get(doc));
  od::object o;
  ESSNAP_SJ("malformed chunk line", doc.get_object().get(o));
  DocLine d;
  bool has_source = false;
  for (auto fr : o) {
    od::field f;
    ESSNAP_SJ("malformed chunk line", std::move(fr).get(f));
    std::string_view key;
    ESSNAP_SJ("malformed chunk line", f.unescaped_key().get(key));
    if (key == "_id" && d.id.empty()) {
      ESSNAP_TRY(d.id, string_token(f.value(), "a chunk line's _id"));
    } else if (key == "_routing" && d.routing.empty()) {
      ESSNAP_TRY(d.routing, string_token(f.value(), "a chunk line's _routing"));
    } else if (key == "_source" && !has_source) {
      ESSNAP_TRY(d.source, object_raw(f.value(), "a chunk line's _source"));
      has_source = true;
    } else {
      return Error(ErrorCode::kParse, "malformed chunk line: unexpected member '" +
                                          std::string(key.substr(0, 40)) + "'");
    }
  }
  if (!only_space_after(doc, line.data() + line.size()))
    return Error(ErrorCode::kParse, "malformed chunk line: bytes after the document");
  if (d.id.empty() || !has_source)
    return Error(ErrorCode::kParse, "malformed chunk line: it needs _id and _source");
  return d;
}

Result<PageParser::BulkResult> PageParser::parse_bulk(std::string& body) {
  ensure_padding(body);
  od::document doc;
  ESSNAP_SJ("malformed bulk answer",
            impl_->parser.iterate(body.data(), body.size(), body.capacity()).get(doc));
  od::object top;
  ESSNAP_SJ("malformed bulk answer", doc.get_object().get(top));
  BulkResult out;
  for (auto fr : top) {
    od::field f;
    ESSNAP_SJ("malformed bulk answer", std::move(fr).get(f));
    std::string_view key;
    ESSNAP_SJ("malformed bulk answer", f.unescaped_key().get(key));
    if (key == "errors") {
      ESSNAP_SJ("malformed bulk answer", f.value().get_bool().get(out.errors));
    } else if (key == "items" && out.errors) {
      od::array arr;
      ESSNAP_SJ("malformed bulk answer", f.value().get_array().get(arr));
      for (auto ir : arr) {
        od::object item;
        ESSNAP_SJ("malformed bulk answer", std::move(ir).get_object().get(item));
        BulkItem bi;
        for (auto opr : item) {  // {"index": {...}}
          od::field op;
          ESSNAP_SJ("malformed bulk answer", std::move(opr).get(op));
          od::object res;
          ESSNAP_SJ("malformed bulk answer", op.value().get_object().get(res));
          for (auto rr : res) {
            od::field rf;
            ESSNAP_SJ("malformed bulk answer", std::move(rr).get(rf));
            std::string_view rkey;
            ESSNAP_SJ("malformed bulk answer", rf.unescaped_key().get(rkey));
            if (rkey == "status") {
              int64_t st = 0;
              ESSNAP_SJ("malformed bulk answer", rf.value().get_int64().get(st));
              bi.status = static_cast<int>(std::clamp<int64_t>(st, 0, 999));
            } else if (rkey == "error") {
              od::json_type t;
              ESSNAP_SJ("malformed bulk answer", rf.value().type().get(t));
              if (t == od::json_type::object) {
                ESSNAP_TRY(std::string_view raw, object_raw(rf.value(), "a bulk item's error"));
                bi.error_json = std::string(raw);
                auto ej = nlohmann::json::parse(bi.error_json, nullptr, false);
                if (ej.is_object() && ej.contains("type") && ej["type"].is_string())
                  bi.error_type = ej["type"].get<std::string>();
              } else {
                const std::string_view raw = rf.value().raw_json_token();
                bi.error_json = std::string(util::trim_right(raw));
                bi.error_type = "error";
              }
            }
          }
        }
        out.items.push_back(std::move(bi));
      }
    }
  }
  if (!only_space_after(doc, body.data() + body.size()))
    return Error(ErrorCode::kParse, "malformed bulk answer: bytes after the document");
  return out;
}

void append_doc_line(std::string& out, const Hit& hit) {
  out += "{\"_id\":";
  out += hit.id;
  if (!hit.routing.empty()) {
    out += ",\"_routing\":";
    out += hit.routing;
  }
  out += ",\"_source\":";
  // Two memchr scans: string_view::find_first_of calls memchr once per byte of the source.
  const bool has_break = std::memchr(hit.source.data(), '\n', hit.source.size()) != nullptr ||
                         std::memchr(hit.source.data(), '\r', hit.source.size()) != nullptr;
  if (!has_break) {
    out += hit.source;
  } else {
    const std::size_t at = out.size();
    out.resize(at + hit.source.size());
    std::size_t len = 0;
    if (simdjson::minify(hit.source.data(), hit.source.size(), out.data() + at, len) ==
        simdjson::SUCCESS) {
      out.resize(at + len);
    } else {
      out.resize(at);  // parsed as an object already, so minify cannot fail; keep the line whole
      for (char c : hit.source) out += (c == '\n' || c == '\r') ? ' ' : c;
    }
  }
  out += "}\n";
}

void append_bulk_index(std::string& out, const PageParser::DocLine& doc, BulkOp op) {
  out += op == BulkOp::kCreate ? "{\"create\":{\"_id\":" : "{\"index\":{\"_id\":";
  out += doc.id;
  if (!doc.routing.empty()) {
    out += ",\"routing\":";
    out += doc.routing;
  }
  out += "}}\n";
  out += doc.source;
  out += '\n';
}

}  // namespace essnap::transfer
