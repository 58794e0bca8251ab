#include "essnap/cluster/error.hpp"

#include <nlohmann/json.hpp>

#include "essnap/aws/xml_error.hpp"

namespace essnap::cluster {

namespace {

constexpr std::size_t kMaxReason = 600;

// One printable line: control characters become spaces, runs of blanks fold, long text is cut.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool blank =
        c == ' ' || c == '\t' || c == '\n' || c == '\r' || (static_cast<unsigned char>(c) < 0x20);
    if (blank) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > kMaxReason) out = out.substr(0, kMaxReason) + "...";
  return out;
}

std::string reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return status >= 500 ? "server error" : "client error";
  }
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it != j.end() && it->is_string()) return it->get<std::string>();
  return {};
}

bool parse_json(const nlohmann::json& j, RemoteDetail& d) {
  if (!j.is_object()) return false;
  if (auto e = j.find("error"); e != j.end()) {
    if (e->is_string()) {
      d.reason = e->get<std::string>();
      return true;
    }
    if (e->is_object()) {
      d.error_type = str(*e, "type");
      d.reason = str(*e, "reason");
      // A generic wrapper ("all shards failed") hides the useful part in root_cause.
      auto rc = e->find("root_cause");
      if (rc != e->end() && rc->is_array() && !rc->empty() && (*rc)[0].is_object()) {
        const std::string rtype = str((*rc)[0], "type");
        const std::string rreason = str((*rc)[0], "reason");
        if (d.error_type.empty()) {
          d.error_type = rtype;
          d.reason = rreason;
        } else if (!rtype.empty() && rtype != d.error_type) {
          d.reason += " (root cause: " + rtype + (rreason.empty() ? "" : ": " + rreason) + ")";
        }
      }
      return !d.error_type.empty() || !d.reason.empty();
    }
  }
  std::string type = str(j, "__type");
  if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  std::string msg = str(j, "Message");
  if (msg.empty()) msg = str(j, "message");
  if (type.empty()) type = str(j, "code");
  if (type.empty() && msg.empty()) return false;
  d.error_type = type;
  d.reason = msg;
  return true;
}

}  // namespace

RemoteDetail parse_error_body(int http_status, std::string_view body,
                              const http::Headers& headers) {
  RemoteDetail d;
  d.http_status = http_status;
  for (const char* h : {"x-amzn-RequestId", "x-amz-request-id", "X-Opaque-Id", "x-request-id"}) {
    if (const std::string* v = http::find_header(headers, h); v && !v->empty()) {
      d.request_id = *v;
      break;
    }
  }

  std::string_view trimmed = body;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front())))
    trimmed.remove_prefix(1);
  bool parsed = false;
  if (trimmed.starts_with('{')) {
    auto j = nlohmann::json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded()) parsed = parse_json(j, d);
  } else if (trimmed.starts_with('<') && !trimmed.starts_with("<!") &&
             !trimmed.starts_with("<html") && !trimmed.starts_with("<HTML")) {
    parsed = aws::parse_xml_error(trimmed, d);
  }
  if (!parsed && !trimmed.empty() && !trimmed.starts_with('<')) {
    d.reason = std::string(trimmed.substr(0, trimmed.find('\n')));
  }
  if (d.error_type.empty()) {
    // AWS front ends name the error in a header: "AccessDeniedException:http://..."
    if (const std::string* t = http::find_header(headers, "x-amzn-ErrorType"); t && !t->empty())
      d.error_type = t->substr(0, t->find(':'));
  }
  if (d.reason.empty() && d.error_type.empty()) d.reason = reason_phrase(http_status);
  d.error_type = one_line(d.error_type);
  d.reason = one_line(d.reason);
  return d;
}

std::string describe(const RemoteDetail& d) {
  std::string out = "HTTP " + std::to_string(d.http_status);
  if (!d.error_type.empty()) out += " " + d.error_type;
  if (!d.reason.empty()) out += ": " + d.reason;
  return out;
}

Error error_from_response(const http::Response& response) {
  RemoteDetail d = parse_error_body(response.status, response.body, response.headers);
  std::string hint;
  const std::string& r = d.reason;
  auto has = [&](std::string_view s) { return r.find(s) != std::string::npos; };
  if (has("User: anonymous is not authorized")) {
    hint =
        "the request reached an AWS domain unsigned: use --auth aws and make credentials "
        "available (see 'essnap credentials')";
  } else if (has("signature we calculated does not match") ||
             d.error_type == "SignatureDoesNotMatch" ||
             d.error_type == "InvalidSignatureException") {
    hint =
        "check --region and --service, and compare 'essnap sign --service SERVICE --url URL "
        "--show canonical' with the server's canonical request";
  } else if (has("is not authorized to perform")) {
    hint =
        "the caller's identity lacks that permission; grant it in the IAM policy or the "
        "domain's access policy";
  } else if (has("loading repository data") && (has("unknown field") || has("parsing_exception"))) {
    // Measured on the stack (docs/COMPATIBILITY.md): OpenSearch and Elasticsearch 7.10 cannot
    // parse a repository that Elasticsearch 7.12 or later wrote.
    hint =
        "this cluster cannot read the repository: a newer engine wrote it (no OpenSearch and no "
        "Elasticsearch before 7.12 reads what Elasticsearch 7.12+ writes); read it from that "
        "engine's version or later, and see docs/COMPATIBILITY.md";
  } else if (d.error_type == "security_exception") {
    hint =
        "the user is authenticated but lacks the role for this action; map it to a role in "
        "the security plugin";
  } else if (response.status == 401) {
    hint = "check --auth and the credentials (ESSNAP_PASSWORD, ESSNAP_API_KEY, AWS keys)";
  }
  Error e(ErrorCode::kRemote, describe(d), std::move(hint));
  e.remote = std::move(d);
  return e;
}

}  // namespace essnap::cluster
