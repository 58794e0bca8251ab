// Test-only: signs requests read as JSON Lines on stdin and writes one JSON result per line,
// so the botocore differential test (tests/scripts/sigv4_botocore_diff.py) drives thousands of
// cases through one process.
//
// In:  {"method","url","headers":[[name,value],...],"body_hex","service","region",
//       "date":"YYYYMMDDTHHMMSSZ","access_key","secret_key","token","unsigned":bool,
//       "presign":seconds (optional)}
// Out: {"ok":true,"canonical_request","string_to_sign","signature","authorization",
//       "headers":[[name,value],...],"url"}  or  {"ok":false,"error":"..."}
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/aws/sigv4.hpp"

namespace {

using essnap::aws::Credentials;
using essnap::aws::PayloadSigning;
using essnap::aws::SigningParams;
using essnap::aws::SigningRequest;
using nlohmann::json;

std::string from_hex(const std::string& hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return out;
}

json handle(const json& in) {
  SigningRequest request;
  request.method = in.at("method").get<std::string>();
  request.url = in.at("url").get<std::string>();
  for (const auto& h : in.value("headers", json::array())) {
    request.headers.emplace_back(h.at(0).get<std::string>(), h.at(1).get<std::string>());
  }
  const std::string body = from_hex(in.value("body_hex", std::string()));
  request.body = body;

  Credentials credentials;
  credentials.access_key_id = in.at("access_key").get<std::string>();
  credentials.secret_access_key = in.at("secret_key").get<std::string>();
  credentials.session_token = in.value("token", std::string());

  SigningParams params;
  params.region = in.at("region").get<std::string>();
  params.service = in.at("service").get<std::string>();
  params.payload =
      in.value("unsigned", false) ? PayloadSigning::kUnsigned : PayloadSigning::kSigned;
  auto when = essnap::aws::parse_amz_date(in.at("date").get<std::string>());
  if (!when.ok()) return {{"ok", false}, {"error", when.error().message}};
  params.time = *when;

  json out;
  if (in.contains("presign") && !in.at("presign").is_null()) {
    auto p = essnap::aws::presign(request, credentials, params, in.at("presign").get<int>());
    if (!p.ok()) return {{"ok", false}, {"error", p.error().message}};
    out = {{"ok", true},
           {"canonical_request", p->canonical_request},
           {"string_to_sign", p->string_to_sign},
           {"signature", p->signature},
           {"url", p->url}};
    return out;
  }
  auto s = essnap::aws::sign(request, credentials, params);
  if (!s.ok()) return {{"ok", false}, {"error", s.error().message}};
  json headers = json::array();
  std::string authorization;
  for (const auto& [n, v] : s->headers_to_add) {
    headers.push_back({n, v});
    if (n == "Authorization") authorization = v;
  }
  out = {{"ok", true},
         {"canonical_request", s->canonical_request},
         {"string_to_sign", s->string_to_sign},
         {"signature", s->signature},
         {"authorization", authorization},
         {"headers", headers}};
  return out;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json result;
    try {
      result = handle(json::parse(line));
    } catch (const std::exception& e) {
      result = {{"ok", false}, {"error", std::string("bad input line: ") + e.what()}};
    }
    std::cout << result.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  std::cout.flush();
  return 0;
}
