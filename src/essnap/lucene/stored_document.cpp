#include "essnap/lucene/stored_document.hpp"

#include <vector>

namespace essnap::lucene {
namespace {

bool valid_utf8(std::span<const std::uint8_t> s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t c = s[i];
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

std::string base64url(std::span<const std::uint8_t> b) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((b.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8) | b[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (b.size() - i == 1) {
    const std::uint32_t v = std::uint32_t{b[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (b.size() - i == 2) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

Result<std::string> decode_es_id(std::span<const std::uint8_t> stored) {
  if (stored.empty()) return Error(ErrorCode::kParse, "an empty stored _id");
  switch (stored[0]) {
    case 0xFE: {  // numeric: two digits a byte, 0xF ends an odd count
      std::string out;
      out.reserve((stored.size() - 1) * 2);
      for (std::size_t i = 1; i < stored.size(); ++i) {
        const unsigned hi = stored[i] >> 4;
        const unsigned lo = stored[i] & 0x0F;
        // Uid.decodeNumericId adds '0' to every nibble; only digits are ever written.
        if (hi > 9) return Error(ErrorCode::kParse, "a numeric _id with a non-digit nibble");
        out += static_cast<char>('0' + hi);
        if (i == stored.size() - 1 && lo == 0x0F) break;
        if (lo > 9) return Error(ErrorCode::kParse, "a numeric _id with a non-digit nibble");
        out += static_cast<char>('0' + lo);
      }
      return out;
    }
    case 0xFF: {
      auto rest = stored.subspan(1);
      if (!valid_utf8(rest)) return Error(ErrorCode::kParse, "a UTF-8 _id that is not UTF-8");
      return std::string(as_text(rest));
    }
    case 0xFD:
      return base64url(stored.subspan(1));
    default:
      return base64url(stored);
  }
}

bool segment_stores_source(const std::function<bool(std::string_view name)>& has_field) {
  return has_field("_source");
}

Status visit_es_documents(const StoredFieldsReader& reader, const FieldNameOf& name_of,
                          const StoredFieldsReader::LiveDocs& live,
                          const std::function<Status(const EsDocument&)>& on_document,
                          MissingSource missing, EsVisitCounts* counts) {
  // Field numbers of the metadata fields, resolved once per number seen.
  enum class Role : std::uint8_t { kUnknown, kOther, kId, kUid, kSource, kRouting };
  std::vector<Role> roles;
  auto role_of = [&](std::int32_t number) {
    if (number < 0) return Role::kOther;
    const auto n = static_cast<std::size_t>(number);
    if (n < 4096) {
      if (roles.size() <= n) roles.resize(n + 1, Role::kUnknown);
      if (roles[n] != Role::kUnknown) return roles[n];
    }
    Role r = Role::kOther;
    if (auto name = name_of(number)) {
      if (*name == "_id")
        r = Role::kId;
      else if (*name == "_uid")
        r = Role::kUid;
      else if (*name == "_source")
        r = Role::kSource;
      else if (*name == "_routing")
        r = Role::kRouting;
    }
    if (n < 4096) roles[n] = r;
    return r;
  };
  EsVisitCounts local;
  EsVisitCounts& c = counts ? *counts : local;
  const std::string& file = reader.segment().fdt->name();
  return reader.visit(live, [&](std::int32_t doc, std::span<const StoredValue> values) -> Status {
    EsDocument d;
    d.doc = doc;
    bool have_id = false;
    for (const StoredValue& v : values) {
      const Role r = role_of(v.field);
      const bool text = v.type == StoredFieldType::kString || v.type == StoredFieldType::kBytes;
      if (r == Role::kOther || r == Role::kUnknown) continue;
      if (!text)
        return Error(ErrorCode::kParse, file + ": document " + std::to_string(doc) + ": field " +
                                            std::to_string(v.field) + " is a " +
                                            std::string(stored_field_type_name(v.type)));
      switch (r) {
        case Role::kId:
          if (v.type == StoredFieldType::kString) {
            d.id = std::string(as_text(v.bytes));
          } else {
            auto id = decode_es_id(v.bytes);
            if (!id)
              return Error(ErrorCode::kParse,
                           file + ": document " + std::to_string(doc) + ": " + id.error().message);
            d.id = std::move(*id);
          }
          have_id = true;
          break;
        case Role::kUid:
          if (!have_id) {  // "type#id" (ES 5.x indices); a stored _id wins
            const std::string_view uid = as_text(v.bytes);
            const auto hash = uid.find('#');
            if (hash == std::string_view::npos)
              return Error(ErrorCode::kParse,
                           file + ": document " + std::to_string(doc) + ": _uid without '#'");
            d.id = std::string(uid.substr(hash + 1));
            have_id = true;
          }
          break;
        case Role::kSource:
          d.has_source = true;
          d.source = v.bytes;
          break;
        case Role::kRouting:
          d.routing = std::string(as_text(v.bytes));
          break;
        default:
          break;
      }
    }
    if (!have_id) {
      ++c.nested;
      return Ok{};
    }
    if (!d.has_source) {
      ++c.without_source;
      if (missing == MissingSource::kRefuse)
        return Error(ErrorCode::kConflict,
                     file + ": document " + d.id +
                         " has no stored _source (the index keeps none: "
                         "_source disabled, or synthetic/derived source)",
                     "documents are read from _source only; restore this index to a cluster "
                     "and reindex it instead");
    }
    ++c.root;
    return on_document(d);
  });
}

}  // namespace essnap::lucene
