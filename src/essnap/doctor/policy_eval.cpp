#include "essnap/doctor/policy_eval.hpp"

#include <vector>

#include "essnap/util/strings.hpp"

namespace essnap::doctor {
namespace {

using nlohmann::json;

std::vector<std::string> strings_of(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  if (v.is_array())
    for (const auto& e : v)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

bool any_match(const json& patterns, std::string_view text, bool fold_case) {
  for (const auto& p : strings_of(patterns)) {
    if (fold_case ? iam_wildcard(util::to_lower(p), util::to_lower(text)) : iam_wildcard(p, text))
      return true;
  }
  return false;
}

bool conditions_hold(const json& condition, const std::map<std::string, std::string>& context) {
  if (condition.is_null()) return true;
  if (!condition.is_object()) return false;
  for (const auto& [op, keys] : condition.items()) {
    const bool like = op == "StringLike" || op == "ArnLike";
    const bool equals = op == "StringEquals" || op == "ArnEquals";
    if ((!like && !equals) || !keys.is_object()) return false;
    for (const auto& [key, values] : keys.items()) {
      auto it = context.find(key);
      if (it == context.end()) return false;
      bool matched = false;
      for (const auto& v : strings_of(values))
        if (like ? iam_wildcard(v, it->second) : v == it->second) matched = true;
      if (!matched) return false;
    }
  }
  return true;
}

bool statement_applies(const json& st, std::string_view action, std::string_view resource,
                       const std::map<std::string, std::string>& context) {
  if (st.contains("Action")) {
    if (!any_match(st["Action"], action, true)) return false;
  } else if (st.contains("NotAction")) {
    if (any_match(st["NotAction"], action, true)) return false;
  } else {
    return false;
  }
  if (st.contains("Resource")) {
    if (!any_match(st["Resource"], resource, false)) return false;
  } else if (st.contains("NotResource")) {
    if (any_match(st["NotResource"], resource, false)) return false;
  } else {
    return false;
  }
  return conditions_hold(st.value("Condition", json()), context);
}

}  // namespace

bool iam_wildcard(std::string_view pattern, std::string_view text) {
  // Iterative glob with backtracking to the last '*'.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string evaluate_policy(const json& policy, std::string_view action, std::string_view resource,
                            const std::map<std::string, std::string>& context) {
  if (!policy.is_object() || !policy.contains("Statement")) return "implicitDeny";
  json statements =
      policy["Statement"].is_array() ? policy["Statement"] : json::array({policy["Statement"]});
  bool allowed = false;
  for (const auto& st : statements) {
    if (!st.is_object() || !statement_applies(st, action, resource, context)) continue;
    const std::string effect = st.value("Effect", "");
    if (effect == "Deny") return "explicitDeny";
    if (effect == "Allow") allowed = true;
  }
  return allowed ? "allowed" : "implicitDeny";
}

}  // namespace essnap::doctor
