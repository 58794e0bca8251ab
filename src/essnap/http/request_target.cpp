#include "essnap/http/request_target.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <vector>

#include "essnap/util/url.hpp"

namespace essnap::http {

namespace {

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

void pct(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

}  // namespace

std::string encode_request_target(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  bool in_query = false;
  int date_math_depth = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '%' && i + 2 < in.size() && is_hex(in[i + 1]) && is_hex(in[i + 2])) {
      out.append(in.substr(i, 3));
      i += 2;
      continue;
    }
    if (!in_query && c == '?') {
      in_query = true;
      out += '?';
      continue;
    }
    if (!in_query && c == '<') ++date_math_depth;
    if (date_math_depth > 0) {
      if (util::is_unreserved(c)) {
        out += static_cast<char>(c);
      } else {
        pct(out, c);
      }
      if (c == '>') --date_math_depth;
      continue;
    }
    if (util::is_wire_char(c, in_query)) {
      out += static_cast<char>(c);
    } else {
      pct(out, c);
    }
  }
  return out;
}

Result<std::string> join_url(std::string_view base, std::string_view path) {
  std::string joined;
  if (path.starts_with("http://") || path.starts_with("https://")) {
    joined = std::string(path);
  } else {
    ESSNAP_TRY(util::Url b, util::parse_url(base));
    if (!b.query.empty())
      return Error(ErrorCode::kInvalidArgument, "the cluster URL must not carry a query",
                   "put query parameters in the request path: '/_cat/indices?v'");
    std::string prefix = b.path;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    joined = b.origin() + prefix;
    if (!path.starts_with('/')) joined += '/';
    joined += encode_request_target(path);
  }
  ESSNAP_TRY(util::Url u, util::parse_url(joined));
  (void)u;
  return joined;
}

Result<std::string> basic_authorization(std::string_view user, std::string_view password) {
  if (user.find(':') != std::string_view::npos)
    return Error(ErrorCode::kInvalidArgument, "the user name must not contain ':'",
                 "give the password in ESSNAP_PASSWORD or at the prompt, never in --user");
  const std::string plain = std::string(user) + ":" + std::string(password);
  std::vector<unsigned char> enc(4 * ((plain.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(enc.data(), reinterpret_cast<const unsigned char*>(plain.data()),
                                static_cast<int>(plain.size()));
  return "Basic " +
         std::string(reinterpret_cast<const char*>(enc.data()), static_cast<std::size_t>(n));
}

std::string apikey_authorization(std::string_view key) {
  return "ApiKey " + std::string(key);
}

}  // namespace essnap::http
