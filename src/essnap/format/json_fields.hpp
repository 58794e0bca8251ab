// Small typed accessors over nlohmann::json for the repository parsers: each returns a value or
// a kParse Error naming the field path, never throws (internal to repo/).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::format::detail {

inline Error field_error(std::string_view where, std::string_view field, std::string_view want) {
  return Error(ErrorCode::kParse,
               std::string(where) + ": field \"" + std::string(field) + "\" " + std::string(want));
}

// Integer from a JSON number (integral) or a decimal string ("2" in index settings).
// Templates over nlohmann::json and nlohmann::ordered_json (the root parser keeps key order).
template <class Json>
std::optional<std::int64_t> as_int(const Json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() &&
        v.template get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      return std::nullopt;
    return v.template get<std::int64_t>();
  }
  if (v.is_number_float()) {
    const double d = v.template get<double>();
    if (d >= -9.2e18 && d <= 9.2e18 && static_cast<double>(static_cast<std::int64_t>(d)) == d)
      return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  if (v.is_string()) {
    const auto& s = v.template get_ref<const std::string&>();
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::size_t i = (s[0] == '-') ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    std::int64_t out = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      out = out * 10 + (s[i] - '0');
    }
    return s[0] == '-' ? -out : out;
  }
  return std::nullopt;
}

// obj[field] as string; `required` false gives nullopt when absent or null.
template <class Json>
Result<std::optional<std::string>> opt_string(const Json& obj, std::string_view where,
                                              const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return field_error(where, field, "is not a string");
  return std::optional<std::string>{it->template get<std::string>()};
}
template <class Json>
Result<std::string> req_string(const Json& obj, std::string_view where, const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return field_error(where, field, "is missing");
  if (!it->is_string()) return field_error(where, field, "is not a string");
  return it->template get<std::string>();
}
template <class Json>
Result<std::optional<std::int64_t>> opt_int(const Json& obj, std::string_view where,
                                            const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<std::int64_t>{};
  auto v = as_int(*it);
  if (!v) return field_error(where, field, "is not an integer");
  return std::optional<std::int64_t>{*v};
}
template <class Json>
Result<std::int64_t> req_int(const Json& obj, std::string_view where, const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return field_error(where, field, "is missing");
  auto v = as_int(*it);
  if (!v) return field_error(where, field, "is not an integer");
  return *v;
}

// The counters a shard snapshot and a shallow shard snapshot both carry, each 0 when absent:
// start_time, time, number_of_files, total_size.
template <class Stats>
Status read_shard_stats(const nlohmann::json& doc, std::string_view where, Stats& out) {
  ESSNAP_TRY(auto st, opt_int(doc, where, "start_time"));
  ESSNAP_TRY(auto t, opt_int(doc, where, "time"));
  ESSNAP_TRY(auto nf, opt_int(doc, where, "number_of_files"));
  ESSNAP_TRY(auto ts, opt_int(doc, where, "total_size"));
  out.start_time = st.value_or(0);
  out.time = t.value_or(0);
  out.number_of_files = nf.value_or(0);
  out.total_size = ts.value_or(0);
  return ok_status();
}

}  // namespace essnap::format::detail
