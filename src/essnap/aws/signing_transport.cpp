// SigV4 decorator. It sits inside the retry layer, so every attempt gets a fresh X-Amz-Date
// and credentials that the provider has refreshed if they were about to expire.
#include "essnap/aws/signing_transport.hpp"

namespace essnap::aws {
namespace {

class SigningTransport final : public http::Transport {
 public:
  SigningTransport(std::unique_ptr<http::Transport> inner, SigningOptions options)
      : inner_(std::move(inner)), options_(std::move(options)) {}

  Result<http::Response> send(http::Request req) override {
    if (!options_.credentials)
      return Error(ErrorCode::kInternal, "signing transport built without a credentials provider");
    SigningScope scope{
        options_.region, options_.service,
        options_.unsigned_payload ? PayloadSigning::kUnsigned : PayloadSigning::kSigned};
    ESSNAP_TRY_STATUS(sign_request(req, *options_.credentials, scope, options_.clock));
    return inner_->send(std::move(req));
  }

 private:
  std::unique_ptr<http::Transport> inner_;
  SigningOptions options_;
};

}  // namespace

std::unique_ptr<http::Transport> make_signing_transport(std::unique_ptr<http::Transport> inner,
                                                        SigningOptions options) {
  return std::make_unique<SigningTransport>(std::move(inner), std::move(options));
}

std::unique_ptr<http::Transport> make_signed_transport(const http::TransportOptions& options,
                                                       SigningOptions signing) {
  return http::make_transport(options, [signing = std::move(signing)](auto inner) mutable {
    return make_signing_transport(std::move(inner), signing);
  });
}

}  // namespace essnap::aws
