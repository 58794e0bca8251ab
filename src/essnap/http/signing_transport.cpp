// SigV4 decorator. It sits inside the retry layer, so every attempt gets a fresh X-Amz-Date
// and credentials that the provider has refreshed if they were about to expire.
#include <algorithm>
#include <cctype>

#include "essnap/aws/sigv4.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/http/payload.hpp"

namespace essnap::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

class SigningTransport final : public Transport {
 public:
  SigningTransport(std::unique_ptr<Transport> inner, SigningOptions options)
      : inner_(std::move(inner)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
  }

  Result<Response> send(Request req) override {
    if (!options_.credentials)
      return Error(ErrorCode::kInternal, "signing transport built without a credentials provider");
    ESSNAP_TRY(aws::Credentials creds, options_.credentials->credentials());

    // A request handed back to us must not carry a previous attempt's signature.
    std::erase_if(req.headers, [](const auto& h) {
      return iequals(h.first, "authorization") || iequals(h.first, "x-amz-date") ||
             iequals(h.first, "x-amz-security-token");
    });

    aws::SigningRequest sreq;
    sreq.method = req.method;
    sreq.url = req.url;
    sreq.headers = req.headers;
    if (!req.body.file_path.empty() && !options_.unsigned_payload) {
      ESSNAP_TRY(sreq.payload_sha256, payload_sha256_hex(req.body));
    } else {
      sreq.body = req.body.data;
    }
    aws::SigningParams params;
    params.region = options_.region;
    params.service = options_.service;
    params.time = options_.clock();
    params.payload =
        options_.unsigned_payload ? aws::PayloadSigning::kUnsigned : aws::PayloadSigning::kSigned;

    ESSNAP_TRY(aws::SignedRequest signed_req, aws::sign(sreq, creds, params));
    for (auto& h : signed_req.headers_to_add) req.headers.push_back(std::move(h));
    return inner_->send(std::move(req));
  }

 private:
  std::unique_ptr<Transport> inner_;
  SigningOptions options_;
};

}  // namespace

std::unique_ptr<Transport> make_signing_transport(std::unique_ptr<Transport> inner,
                                                  SigningOptions options) {
  return std::make_unique<SigningTransport>(std::move(inner), std::move(options));
}

}  // namespace essnap::http
