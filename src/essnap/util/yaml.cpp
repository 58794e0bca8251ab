#include "essnap/util/yaml.hpp"

#include <cctype>

namespace essnap::util {
namespace {

bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* kWords[] = {"true", "false", "yes", "no", "null", "on", "off", "~"};
  for (const char* w : kWords) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == w) return true;
  }
  if (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.' || s[0] == '+')
    return true;
  if (std::string("!&*{}[]|>'\"%@`?,").find(s[0]) != std::string::npos) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':' ||
      s.front() == ' ' || s.back() == ' ')
    return true;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

std::string scalar(const nlohmann::json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    // Replace bytes that are not UTF-8 (U+FFFD) instead of throwing: the strings are what a
    // server sent, and dump() throws type_error 316 on invalid UTF-8 by default.
    return needs_quotes(s)
               ? nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
               : s;
  }
  if (v.is_null()) return "null";
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_empty_container(const nlohmann::json& v) {
  return (v.is_object() || v.is_array()) && v.empty();
}

void emit(std::string& out, const nlohmann::json& v, int indent) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += pad + scalar(nlohmann::json(it.key())) + ":";
      const auto& c = it.value();
      if (is_empty_container(c)) {
        out += c.is_object() ? " {}\n" : " []\n";
      } else if (c.is_object() || c.is_array()) {
        out += "\n";
        emit(out, c, indent + 2);
      } else {
        out += " " + scalar(c) + "\n";
      }
    }
  } else if (v.is_array()) {
    for (const auto& c : v) {
      if (is_empty_container(c)) {
        out += pad + (c.is_object() ? "- {}\n" : "- []\n");
      } else if (c.is_object() || c.is_array()) {
        std::string inner;
        emit(inner, c, indent + 2);
        // The first line goes after the dash, the rest keep their indentation.
        out += pad + "- " + inner.substr(static_cast<size_t>(indent) + 2);
      } else {
        out += pad + "- " + scalar(c) + "\n";
      }
    }
  } else {
    out += pad + scalar(v) + "\n";
  }
}

}  // namespace

std::string to_yaml(const nlohmann::json& value) {
  if (is_empty_container(value)) return value.is_object() ? "{}\n" : "[]\n";
  std::string out;
  emit(out, value, 0);
  return out;
}

}  // namespace essnap::util
