#include "essnap/util/url.hpp"

#include <charconv>

namespace essnap::util {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_sub_delim(unsigned char c) {
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}

// A byte as it can be quoted in an error message without echoing anything unprintable.
std::string describe_byte(unsigned char c) {
  if (c == ' ') return "a space";
  if (c >= 0x21 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  std::string s = "byte 0x";
  s += kUpperHex[c >> 4];
  s += kUpperHex[c & 0xf];
  return s;
}

std::string escape_of(unsigned char c) {
  std::string s = "%";
  s += kUpperHex[c >> 4];
  s += kUpperHex[c & 0xf];
  return s;
}

Error url_error(std::string message, std::string hint = {}) {
  return make_error(ErrorCode::kInvalidArgument, "malformed URL: " + std::move(message),
                    hint.empty() ? "give an absolute URL such as https://search-x.us-east-1.es."
                                   "amazonaws.com/_cat/indices"
                                 : std::move(hint));
}

// Checks a raw path or query; `base` is its offset in the whole URL, for the message.
Result<Ok> check_component(std::string_view part, std::size_t base, bool in_query, UrlChars chars) {
  const char* where = in_query ? "query" : "path";
  for (std::size_t i = 0; i < part.size(); ++i) {
    const auto c = static_cast<unsigned char>(part[i]);
    if (c == '%') {
      if (i + 2 >= part.size() || hex_value(part[i + 1]) < 0 || hex_value(part[i + 2]) < 0) {
        return url_error("'%' at offset " + std::to_string(base + i) + " in the " + where +
                             " does not start a %XX escape",
                         "write a literal '%' as %25");
      }
      i += 2;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      return url_error(describe_byte(c) + " (a control character) at offset " +
                           std::to_string(base + i) + " in the " + where,
                       "remove it, or percent-encode it as " + escape_of(c));
    }
    if (chars == UrlChars::kWire && !is_wire_char(c, in_query)) {
      return url_error(describe_byte(c) + " at offset " + std::to_string(base + i) + " in the " +
                           where + " is not allowed in a URL",
                       "percent-encode it as " + escape_of(c));
    }
  }
  return Ok{};
}

bool valid_ipv6_literal(std::string_view s) {
  // Hex groups, colons, at most one "::", optionally a trailing dotted IPv4; zone ids refused.
  if (s.empty()) return false;
  int colons = 0;
  bool double_colon = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == ':') {
      ++colons;
      if (i + 1 < s.size() && s[i + 1] == ':') {
        if (double_colon) return false;
        double_colon = true;
      }
    } else if (hex_value(c) < 0 && c != '.') {
      return false;
    }
  }
  if (colons < 2 || colons > 7) return false;
  if (s.find(":::") != std::string_view::npos) return false;
  return double_colon || colons == 7 || s.find('.') != std::string_view::npos;
}

bool reg_name_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string Url::host_header() const {
  std::string out = host;
  if (port != 0 && port != default_port()) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::string Url::origin() const {
  std::string out(scheme_name());
  out += "://";
  out += host_header();
  return out;
}

std::string Url::target() const {
  std::string out = path;
  if (!query.empty()) {
    out += '?';
    out += query;
  }
  return out;
}

std::string Url::to_string() const {
  return origin() + target();
}

Result<Url> parse_url(std::string_view text, UrlChars chars) {
  Url url;
  if (text.empty()) return url_error("the URL is empty");

  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return url_error("no scheme: expected http:// or https:// at the start");
  }
  std::string scheme(text.substr(0, sep));
  for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (scheme == "https") {
    url.scheme = Scheme::kHttps;
  } else if (scheme == "http") {
    url.scheme = Scheme::kHttp;
  } else {
    bool printable = scheme.size() <= 16;
    for (unsigned char c : scheme) printable = printable && c > 0x20 && c < 0x7f;
    return url_error(printable ? "unsupported scheme '" + scheme + "'" : "unsupported scheme",
                     "use http:// or https://");
  }

  const std::size_t auth_begin = sep + 3;
  std::size_t auth_end = text.find_first_of("/?#", auth_begin);
  if (auth_end == std::string_view::npos) auth_end = text.size();
  const std::string_view authority = text.substr(auth_begin, auth_end - auth_begin);

  if (authority.find('@') != std::string_view::npos) {
    // Deliberately not quoted: the user-info part is usually a password.
    return url_error("user name or password in the URL",
                     "remove 'user:password@' and pass credentials with --auth instead");
  }
  if (authority.empty()) return url_error("no host after '" + scheme + "://'");

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return url_error("IPv6 address without closing ']'");
    host = authority.substr(0, close + 1);
    if (!valid_ipv6_literal(host.substr(1, host.size() - 2))) {
      // Quoted only when short: the text may be anything a server or a file handed us.
      return url_error(host.size() <= 64 ? "invalid IPv6 address " + std::string(host)
                                         : std::string("invalid IPv6 address"),
                       "write IPv6 hosts like https://[::1]:9200/");
    }
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return url_error("unexpected text after the IPv6 address");
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (host.empty()) return url_error("empty host");
    for (std::size_t i = 0; i < host.size(); ++i) {
      const auto c = static_cast<unsigned char>(host[i]);
      if (!reg_name_char(c)) {
        return url_error(describe_byte(c) + " in the host name",
                         "host names hold only letters, digits, '-', '.', '_' and '~'");
      }
    }
  }
  url.host.assign(host);
  for (char& c : url.host) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);

  if (has_port) {
    if (port_text.empty()) return url_error("empty port after ':'");
    unsigned value = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.size() > 5 ||
        value == 0 || value > 65535) {
      bool printable = port_text.size() <= 16;
      for (unsigned char c : port_text) printable = printable && c > 0x20 && c < 0x7f;
      return url_error(printable ? "invalid port '" + std::string(port_text) + "'" : "invalid port",
                       "a port is a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }

  std::string_view rest = text.substr(auth_end);
  std::size_t rest_base = auth_end;
  const std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    url.fragment.assign(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  const std::size_t qmark = rest.find('?');
  const std::string_view path = rest.substr(0, qmark);
  if (auto s = check_component(path, rest_base, false, chars); !s.ok()) {
    return std::move(s).error();
  }
  url.path = path.empty() ? std::string("/") : std::string(path);
  if (qmark != std::string_view::npos) {
    const std::string_view query = rest.substr(qmark + 1);
    if (auto s = check_component(query, rest_base + qmark + 1, true, chars); !s.ok()) {
      return std::move(s).error();
    }
    url.query.assign(query);
  }
  return url;
}

void uri_encode_append(std::string& out, std::string_view in, EncodeSlash slash) {
  // Reserve for the common case (mostly unreserved) and let rare escapes grow the buffer.
  out.reserve(out.size() + in.size() + 8);
  for (unsigned char c : in) {
    if (is_unreserved(c) || (c == '/' && slash == EncodeSlash::kNo)) {
      out += static_cast<char>(c);
    } else {
      const char esc[3] = {'%', kUpperHex[c >> 4], kUpperHex[c & 0xf]};
      out.append(esc, 3);
    }
  }
}

std::string uri_encode(std::string_view in, EncodeSlash slash) {
  std::string out;
  uri_encode_append(out, in, slash);
  return out;
}

bool percent_decode_append(std::string& out, std::string_view in) {
  out.reserve(out.size() + in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(static_cast<unsigned char>(in[i + 1]));
    const int lo = hex_value(static_cast<unsigned char>(in[i + 2]));
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

Result<std::string> percent_decode(std::string_view in) {
  std::string out;
  if (!percent_decode_append(out, in)) {
    return make_error(ErrorCode::kInvalidArgument, "a '%' does not start a %XX escape",
                      "write a literal '%' as %25");
  }
  return out;
}

bool is_wire_char(unsigned char c, bool in_query) {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/' ||
         (in_query && c == '?');
}

}  // namespace essnap::util
