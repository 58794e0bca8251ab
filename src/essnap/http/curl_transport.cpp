// The libcurl base transport: one HTTP exchange per send(), no retry, no signing.
// Easy handles are pooled so keep-alive connections, DNS entries and TLS sessions survive
// between requests (curl_easy_reset keeps all three).
#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/http/factory.hpp"
#include "essnap/http/redact.hpp"
#include "essnap/http/transport.hpp"
#include "essnap/util/strings.hpp"
#include "essnap/version.hpp"

namespace essnap::http {

const std::string* find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      return &v;
  }
  return nullptr;
}

namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// State shared with libcurl's callbacks during one transfer.
struct Transfer {
  // upload
  std::string_view mem_body;
  std::size_t mem_offset = 0;
  std::FILE* file = nullptr;
  bool read_error = false;
  // download
  Response* response = nullptr;
  const std::function<Status(std::string_view)>* sink = nullptr;
  AttemptInfo* attempt = nullptr;
  Heard* heard = nullptr;  // moved forward as bytes go and come (the no-answer watch reads it)
  std::optional<Error> sink_error;
  bool in_headers = true;
  CURL* handle = nullptr;
  // stall detection
  std::chrono::milliseconds stall{0};
  curl_off_t last_moved = -1;  // dlnow + ulnow at the last change
  std::chrono::steady_clock::time_point last_move_time;
  bool stalled = false;
};

// The stall timeout: no byte moved in either direction for `stall`. libcurl's low-speed limit
// averages over several seconds, so a burst followed by silence would go unnoticed for long.
int xferinfo_cb(void* userp, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(userp);
  const auto now = std::chrono::steady_clock::now();
  if (dlnow + ulnow != t->last_moved) {
    t->last_moved = dlnow + ulnow;
    t->last_move_time = now;
    return 0;
  }
  if (now - t->last_move_time > t->stall) {
    t->stalled = true;
    return 1;
  }
  return 0;
}

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const std::size_t want = size * n;
  if (t->attempt) t->attempt->request_may_have_been_sent = true;
  if (t->heard) t->heard->now();
  if (t->file) {
    const std::size_t got = std::fread(buf, 1, want, t->file);
    if (got == 0 && std::ferror(t->file)) {
      t->read_error = true;
      return CURL_READFUNC_ABORT;
    }
    return got;
  }
  const std::size_t left = t->mem_body.size() - t->mem_offset;
  const std::size_t k = std::min(left, want);
  std::memcpy(buf, t->mem_body.data() + t->mem_offset, k);
  t->mem_offset += k;
  return k;
}

// libcurl rewinds the body when it must resend it (e.g. a reused connection that had closed).
int seek_cb(void* userp, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(userp);
  if (origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  if (t->file) {
    return fseeko(t->file, static_cast<off_t>(offset), SEEK_SET) == 0 ? CURL_SEEKFUNC_OK
                                                                      : CURL_SEEKFUNC_FAIL;
  }
  if (offset < 0 || static_cast<std::size_t>(offset) > t->mem_body.size())
    return CURL_SEEKFUNC_FAIL;
  t->mem_offset = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t header_cb(char* buf, std::size_t size, std::size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const std::size_t len = size * n;
  std::string_view line(buf, len);
  if (t->attempt) t->attempt->request_may_have_been_sent = true;
  if (t->heard) t->heard->now();
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100 Continue or a proxy CONNECT): start over.
    t->response->headers.clear();
    return len;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response->headers.emplace_back(std::string(util::trim(line.substr(0, colon))),
                                      std::string(util::trim(line.substr(colon + 1))));
  }
  return len;
}

constexpr curl_off_t kMaxReserve = 256LL << 20;
constexpr std::size_t kBodySlack = 64;

std::size_t write_cb(char* buf, std::size_t size, std::size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const std::size_t len = size * n;
  if (t->heard) t->heard->now();
  if (t->in_headers) {
    // The status decides where the body goes (2xx to the sink), so fetch it at the first byte.
    t->in_headers = false;
    long code = 0;  // NOLINT(google-runtime-int): libcurl's type
    curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &code);
    t->response->status = static_cast<int>(code);
    // A body kept in memory is sized once from its Content-Length (with slack for a parser's
    // padding): growing a multi-megabyte search page by doubling copied it twice over. A claim
    // beyond kMaxReserve is not trusted with memory up front; the body still grows as it comes.
    curl_off_t length = -1;
    if (!(t->sink && *t->sink && code >= 200 && code < 300) &&
        curl_easy_getinfo(t->handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
        length > 0 && length <= kMaxReserve)
      t->response->body.reserve(static_cast<std::size_t>(length) + kBodySlack);
  }
  const int status = t->response->status;
  if (t->sink && *t->sink && status >= 200 && status < 300) {
    Status s = (*t->sink)(std::string_view(buf, len));
    if (!s.ok()) {
      t->sink_error = std::move(s).error();
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    if (t->attempt) t->attempt->body_bytes_to_sink += len;
    return len;
  }
  t->response->body.append(buf, len);
  return len;
}

bool is_ascii_upper_token(std::string_view m) {
  if (m.empty()) return false;
  return std::all_of(m.begin(), m.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
  });
}

std::string host_of(CURL* h) {
  char* ip = nullptr;
  curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip);
  return ip && *ip ? std::string(ip) : std::string();
}

// "GET http://host/path" for messages: no query (a presigned URL's signature lives there) and
// no user:password@.
std::string describe_target(const Request& req) {
  return req.method + " " + redact_url(std::string_view(req.url).substr(0, req.url.find('?')));
}

// libcurl's own text may quote the URL: never let it carry the query or user info.
std::string scrub(std::string detail, const std::string& url) {
  if (url.empty()) return detail;
  const std::string safe = redact_url(url);
  for (auto pos = detail.find(url); pos != std::string::npos; pos = detail.find(url, pos))
    detail.replace(pos, url.size(), safe), pos += safe.size();
  return detail;
}

// Maps a libcurl failure to our categories with a message that says what to do next.
Error map_curl_error(CURLcode rc, const char* errbuf, const Request& req, CURL* h) {
  std::string detail = scrub(errbuf && *errbuf ? errbuf : curl_easy_strerror(rc), req.url);
  const std::string what = describe_target(req);
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Error(ErrorCode::kInvalidArgument,
                   "malformed URL '" + redact_url(req.url) + "': " + detail,
                   "use http(s)://host[:port][/path]");
    case CURLE_COULDNT_RESOLVE_HOST:
      return Error(ErrorCode::kNetwork, what + ": could not resolve host: " + detail,
                   "check the host name in the URL, your DNS, and the proxy variables "
                   "(https_proxy, no_proxy)");
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Error(ErrorCode::kNetwork, what + ": could not resolve proxy: " + detail,
                   "check https_proxy / http_proxy, or add the host to no_proxy");
    case CURLE_COULDNT_CONNECT:
      return Error(ErrorCode::kNetwork, what + ": could not connect: " + detail,
                   "is the cluster running and reachable from here? check --url and any "
                   "firewall, VPC or proxy in between");
    case CURLE_OPERATION_TIMEDOUT: {
      double connect_time = 0;
      curl_easy_getinfo(h, CURLINFO_CONNECT_TIME, &connect_time);
      if (connect_time <= 0)
        return Error(ErrorCode::kTimeout,
                     what + ": connect timeout after " +
                         std::to_string(req.timeouts.connect.count()) + " ms",
                     "the host did not accept a connection; check --url, security groups and "
                     "VPC access");
      return Error(
          ErrorCode::kTimeout,
          what + ": overall timeout after " + std::to_string(req.timeouts.overall.count()) + " ms",
          "the server is slow to answer; retry later or raise the timeout");
    }
    case CURLE_SSL_CONNECT_ERROR:
      // OpenSSL reading an HTTP answer as a TLS record: the server speaks plain HTTP.
      if (detail.find("wrong version number") != std::string::npos ||
          detail.find("packet length too long") != std::string::npos ||
          detail.find("record layer failure") != std::string::npos)
        return Error(ErrorCode::kNetwork, what + ": TLS failure: " + detail,
                     "the server speaks plain HTTP, not TLS: use http:// in the URL (--url "
                     "http://HOST:PORT)");
      [[fallthrough]];
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return Error(ErrorCode::kNetwork, what + ": TLS failure: " + detail,
                   "pass the cluster's CA with --cacert FILE; --insecure skips verification "
                   "(unsafe)");
    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      return Error(ErrorCode::kIo, what + ": reading the request body failed: " + detail);
    default:
      break;
  }
  std::string msg = what + ": " + detail;
  const std::string ip = host_of(h);
  if (!ip.empty()) msg += " (server " + ip + ")";
  return Error(ErrorCode::kNetwork, msg,
               "the connection broke before a complete answer; retry, and check proxies or "
               "load balancers in between");
}

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(const TransportOptions& options) : options_(options) {
    global_init_once();
    if (options_.user_agent.empty()) options_.user_agent = std::string("essnap/") + kVersion;
  }

  Result<Response> send(Request req) override {
    EasyHandle handle = checkout();
    Result<Response> r = perform(handle.get(), req);
    checkin(std::move(handle));
    return r;
  }

 private:
  EasyHandle checkout() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!pool_.empty()) {
        EasyHandle h = std::move(pool_.back());
        pool_.pop_back();
        return h;
      }
    }
    return EasyHandle(curl_easy_init());
  }

  void checkin(EasyHandle h) {
    std::lock_guard<std::mutex> lock(mu_);
    if (pool_.size() < 8) pool_.push_back(std::move(h));
  }

  Result<Response> perform(CURL* h, const Request& req) {
    if (!h) return Error(ErrorCode::kInternal, "curl_easy_init failed");
    curl_easy_reset(h);
    if (!is_ascii_upper_token(req.method))
      return Error(ErrorCode::kInvalidArgument, "invalid HTTP method '" + req.method + "'");

    Response response;
    Transfer t;
    t.response = &response;
    t.sink = &req.body_sink;
    t.attempt = req.attempt.get();
    t.heard = req.heard.get();
    t.handle = h;

    // Body: a file is streamed through read_cb and never held in memory.
    File file;
    curl_off_t body_size = 0;
    const bool has_file = !req.body.file_path.empty();
    if (has_file) {
      file.reset(std::fopen(req.body.file_path.c_str(), "rb"));
      if (!file) {
        const int e = errno;
        return Error(
            e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
            "cannot read request body file '" + req.body.file_path + "': " + std::strerror(e));
      }
      struct stat st {};
      if (fstat(fileno(file.get()), &st) != 0 || !S_ISREG(st.st_mode))
        return Error(ErrorCode::kIo,
                     "request body file '" + req.body.file_path + "' is not a regular file");
      body_size = static_cast<curl_off_t>(st.st_size);
      t.file = file.get();
    } else {
      t.mem_body = req.body.data();
      body_size = static_cast<curl_off_t>(req.body.data().size());
    }
    const bool has_body = has_file || !req.body.data().empty();
    const bool method_carries_body =
        req.method == "POST" || req.method == "PUT" || req.method == "PATCH";

    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect would void the signature
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);

    // Named timeouts: connect, stall (see xferinfo_cb), overall.
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.timeouts.connect.count()));
    if (req.timeouts.stall.count() > 0) {
      t.stall = req.timeouts.stall;
      t.last_move_time = std::chrono::steady_clock::now();
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    if (req.timeouts.overall.count() > 0)
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeouts.overall.count()));

    // TLS.
    const bool verify = options_.tls_verify == TlsVerify::kOn;
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    if (!options_.ca_cert.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_cert.c_str());
    // Proxies: libcurl reads http_proxy / https_proxy / all_proxy / no_proxy itself.

    // libcurl silently re-sends a request once when a reused connection closes without an
    // answer; for a non-idempotent call (a DELETE of snapshots, a snapshot PUT) that may repeat
    // what the server already applied. A fresh connection has no such retry.
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT,
                     req.idempotency == Idempotency::kNonIdempotent ? 1L : 0L);

    // Method and body.
    if (req.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (has_body || method_carries_body) {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, body_size);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt(h, CURLOPT_READDATA, &t);
      curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_cb);
      curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    } else if (req.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }

    // Headers exactly as given; "Expect:" stops the 100-continue round trip on uploads, and
    // "Accept:" drops curl's default so only what the caller (and signer) chose is sent.
    Slist headers;
    auto add = [&](const std::string& line) {
      curl_slist* n = curl_slist_append(headers.get(), line.c_str());
      if (n) {
        (void)headers.release();
        headers.reset(n);
      }
    };
    bool has_accept = false;
    for (const auto& [k, v] : req.headers) {
      if (k.find_first_of("\r\n:") != std::string::npos ||
          v.find_first_of("\r\n") != std::string::npos)
        return Error(ErrorCode::kInvalidArgument, "invalid header '" + k + "'",
                     "header names and values must not contain ':' in the name or line breaks");
      if (v.empty())
        add(k + ";");  // libcurl's spelling for a header with an empty value
      else
        add(k + ": " + v);
      if (k.size() == 6 && strncasecmp(k.c_str(), "accept", 6) == 0) has_accept = true;
    }
    add("Expect:");
    if (!has_accept) add("Accept: */*");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    // Receive in 256 KiB reads, not libcurl's 16 KiB: a multi-megabyte search page or blob took
    // hundreds of recv() calls and wake-ups each.
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L << 10);
    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK && t.attempt) {
      long sent = 0;  // NOLINT(google-runtime-int): bytes of request head written
      curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
      if (sent > 0) t.attempt->request_may_have_been_sent = true;
    }
    if (rc != CURLE_OK) {
      if (t.sink_error) return std::move(*t.sink_error);
      if (t.read_error)
        return Error(ErrorCode::kIo,
                     "reading request body file '" + req.body.file_path + "' failed");
      if (t.stalled)
        return Error(ErrorCode::kTimeout,
                     describe_target(req) + ": stalled: no data for " +
                         std::to_string(req.timeouts.stall.count()) + " ms",
                     "the server or network stopped moving bytes; retry later");
      return map_curl_error(rc, errbuf, req, h);
    }
    long code = 0;  // NOLINT(google-runtime-int)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
    return response;
  }

  TransportOptions options_;
  std::mutex mu_;
  std::vector<EasyHandle> pool_;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace essnap::http
