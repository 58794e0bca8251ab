#include "essnap/http/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <string>

#include "essnap/util/strings.hpp"

namespace essnap::http {

namespace {

// Lower-cased with '-' and '_' dropped, so "X-Api-Key", "api_key" and "apiKey" all match.
std::string squash(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '-' && c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_secret_name(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kWords = {
      "password",   "passwd",     "secret",    "token",         "apikey", "accesskey",
      "privatekey", "credential", "signature", "authorization", "cookie"};
  const std::string s = squash(name);
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return s.find(w) != std::string::npos; });
}

}  // namespace

std::string mask_key_id(std::string_view key_id) {
  // Short ids would be mostly revealed by their last four: show nothing of them.
  if (key_id.size() < 8) return "****";
  return "****" + std::string(key_id.substr(key_id.size() - 4));
}

bool is_secret_header(std::string_view name) {
  return is_secret_name(name);
}

std::string redact_header_value(std::string_view name, std::string_view value) {
  if (!is_secret_header(name)) return std::string(value);
  const std::string lname = util::to_lower(name);
  if (lname == "authorization" || lname == "proxy-authorization") {
    if (value.starts_with("AWS4-")) {
      // AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/es/aws4_request,
      //   SignedHeaders=host;x-amz-date, Signature=hex
      std::string out(value.substr(0, value.find(' ')));
      static const std::regex cred(R"(Credential=([^/,\s]+)(/[^,\s]*)?)");
      static const std::regex signed_headers(R"(SignedHeaders=([^,\s]*))");
      const std::string v(value);
      std::smatch m;
      if (std::regex_search(v, m, cred))
        out += " Credential=" + mask_key_id(m[1].str()) + m[2].str() + ",";
      if (std::regex_search(v, m, signed_headers)) out += " SignedHeaders=" + m[1].str() + ",";
      out += " Signature=" + std::string(kRedacted);
      return out;
    }
    const auto sp = value.find(' ');
    if (sp != std::string_view::npos)
      return std::string(value.substr(0, sp)) + " " + std::string(kRedacted);
  }
  return std::string(kRedacted);
}

std::string redact_url(std::string_view url) {
  std::string out;
  // user:password@ in the authority.
  const auto scheme_end = url.find("://");
  std::string_view rest = url;
  if (scheme_end != std::string_view::npos) {
    out.append(url.substr(0, scheme_end + 3));
    rest = url.substr(scheme_end + 3);
    const auto auth_end = rest.find_first_of("/?#");
    const auto at = rest.substr(0, auth_end).rfind('@');
    if (at != std::string_view::npos) {
      out += std::string(kRedacted) + "@";
      rest = rest.substr(at + 1);
    }
  }
  const auto q = rest.find('?');
  if (q == std::string_view::npos) return out.append(rest);
  out.append(rest.substr(0, q + 1));
  std::string_view query = rest.substr(q + 1);
  std::string_view fragment;
  if (const auto h = query.find('#'); h != std::string_view::npos) {
    fragment = query.substr(h);
    query = query.substr(0, h);
  }
  bool first = true;
  while (true) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (eq == std::string_view::npos || !is_secret_name(key)) {
      out.append(pair);
    } else if (util::to_lower(key) == "x-amz-credential") {
      // Keep the scope (date/region/service), mask the key id.
      const std::string_view val = pair.substr(eq + 1);
      auto slash = val.find("%2F");
      if (slash == std::string_view::npos) slash = val.find('/');
      out.append(key).append("=").append(mask_key_id(val.substr(0, slash)));
      if (slash != std::string_view::npos) out.append(val.substr(slash));
    } else {
      out.append(key).append("=").append(kRedacted);
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out.append(fragment);
}

namespace {

// <SecretAccessKey>v</SecretAccessKey> -> <SecretAccessKey>[redacted]</SecretAccessKey>: STS, IAM
// and S3 answer in XML, and STS answers carry fresh keys.
std::string redact_xml_elements(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  std::size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '<') {
      out += body[i++];
      continue;
    }
    std::size_t j = i + 1;
    while (j < body.size() &&
           (std::isalnum(static_cast<unsigned char>(body[j])) || body[j] == '-' || body[j] == '_' ||
            body[j] == ':' || body[j] == '.'))
      ++j;
    const std::string_view name = body.substr(i + 1, j - i - 1);
    // Only a plain opening tag without attributes: <Name>.
    if (name.empty() || j >= body.size() || body[j] != '>' || !is_secret_name(name)) {
      out += body[i++];
      continue;
    }
    const std::string closing = "</" + std::string(name) + ">";
    const std::size_t close = body.find(closing, j + 1);
    const std::size_t next_tag = body.find('<', j + 1);
    out.append(body.substr(i, j + 1 - i));
    if (next_tag != std::string_view::npos && next_tag != close) {
      // A container such as <Credentials>: keep walking, its leaves are checked one by one.
      i = j + 1;
      continue;
    }
    out.append(kRedacted);
    if (close == std::string_view::npos) return out;  // truncated: drop the rest
    i = close;
  }
  return out;
}

// a=1&WebIdentityToken=...&Password=... (query-protocol and form bodies).
bool looks_like_form(std::string_view body) {
  if (body.empty() || body.find('=') == std::string_view::npos) return false;
  for (char c : body)
    if (c == ' ' || c == '\n' || c == '{' || c == '<' || c == '"') return false;
  return true;
}

std::string redact_form(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  bool first = true;
  while (true) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && is_secret_name(pair.substr(0, eq)))
      out.append(pair.substr(0, eq + 1)).append(kRedacted);
    else
      out.append(pair);
    if (amp == std::string_view::npos) break;
    body = body.substr(amp + 1);
  }
  return out;
}

std::string redact_json_members(std::string_view body);

}  // namespace

std::string redact_body(std::string_view body) {
  if (looks_like_form(body)) return redact_form(body);
  const std::string json = redact_json_members(body);
  if (json.find('<') == std::string::npos) return json;
  return redact_xml_elements(json);
}

namespace {

std::string redact_json_members(std::string_view body) {
  // A hand-written scan rather than std::regex: bodies can be large and libstdc++'s regex
  // recurses per character.
  std::string out;
  out.reserve(body.size());
  // Returns the index one past the closing quote of the string starting at `open`, or npos.
  auto string_end = [&](std::size_t open) -> std::size_t {
    for (std::size_t i = open + 1; i < body.size(); ++i) {
      if (body[i] == '\\') {
        ++i;
      } else if (body[i] == '"') {
        return i + 1;
      }
    }
    return std::string_view::npos;
  };
  std::size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '"') {
      out += body[i++];
      continue;
    }
    const std::size_t key_end = string_end(i);
    if (key_end == std::string_view::npos) {
      out.append(body.substr(i));
      break;
    }
    const std::string_view key = body.substr(i + 1, key_end - i - 2);
    out.append(body.substr(i, key_end - i));
    i = key_end;
    std::size_t j = i;
    while (j < body.size() && std::isspace(static_cast<unsigned char>(body[j]))) ++j;
    if (j >= body.size() || body[j] != ':' || !is_secret_name(key)) continue;
    ++j;
    while (j < body.size() && std::isspace(static_cast<unsigned char>(body[j]))) ++j;
    if (j >= body.size() || body[j] != '"') continue;
    const std::size_t value_end = string_end(j);
    out.append(body.substr(i, j - i));
    out += "\"";
    out.append(kRedacted);
    out += "\"";
    // An unterminated value (a truncated body) is dropped entirely.
    i = value_end == std::string_view::npos ? body.size() : value_end;
  }
  return out;
}

}  // namespace

}  // namespace essnap::http
