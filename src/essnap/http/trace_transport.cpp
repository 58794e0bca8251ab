// The -v trace: what went on the wire and what came back, with every secret redacted.
#include <chrono>
#include <ostream>

#include "essnap/http/factory.hpp"
#include "essnap/http/redact.hpp"

namespace essnap::http {

namespace {

constexpr std::size_t kMaxTracedBody = 4096;

void print_body(std::ostream& out, char dir, std::string_view body) {
  // Redact before truncating, so a cut never leaves half a secret behind.
  std::string shown = redact_body(body);
  const bool cut = shown.size() > kMaxTracedBody;
  if (cut) shown.resize(kMaxTracedBody);
  out << dir << ' ' << shown << (cut ? " [...]" : "") << "\n";
}

class TraceTransport final : public Transport {
 public:
  TraceTransport(std::unique_ptr<Transport> inner, std::ostream& out, int verbose)
      : inner_(std::move(inner)), out_(out), verbose_(verbose) {}

  Result<Response> send(Request req) override {
    out_ << "> " << req.method << " " << redact_url(req.url) << "\n";
    for (const auto& [k, v] : req.headers)
      out_ << "> " << k << ": " << redact_header_value(k, v) << "\n";
    if (!req.body.file_path.empty()) {
      out_ << "> [body streamed from " << req.body.file_path << "]\n";
    } else if (!req.body.data().empty()) {
      out_ << "> [body: " << req.body.data().size() << " bytes]\n";
      if (verbose_ >= 2) print_body(out_, '>', req.body.data());
    }
    out_.flush();

    const auto t0 = std::chrono::steady_clock::now();
    Result<Response> r = inner_->send(std::move(req));
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (!r.ok()) {
      out_ << "< [no answer after " << ms << " ms: " << r.error().message << "]\n";
      out_.flush();
      return r;
    }
    out_ << "< HTTP " << r->status << " (" << ms << " ms)\n";
    for (const auto& [k, v] : r->headers)
      out_ << "< " << k << ": " << redact_header_value(k, v) << "\n";
    if (!r->body.empty()) {
      out_ << "< [body: " << r->body.size() << " bytes]\n";
      if (verbose_ >= 2) print_body(out_, '<', r->body);
    }
    out_.flush();
    return r;
  }

 private:
  std::unique_ptr<Transport> inner_;
  std::ostream& out_;
  int verbose_;
};

}  // namespace

std::unique_ptr<Transport> make_trace_transport(std::unique_ptr<Transport> inner, std::ostream& out,
                                                int verbose) {
  return std::make_unique<TraceTransport>(std::move(inner), out, verbose);
}

}  // namespace essnap::http
