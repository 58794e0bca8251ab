// Sources still being written: they skip, saying so.
#include "essnap/aws/credential_sources.hpp"

namespace essnap::aws::detail {
namespace {
class Pending final : public CredentialSource {
 public:
  explicit Pending(std::string n) : n_(std::move(n)) {}
  std::string name() const override { return n_; }
  SourceOutcome load(ChainContext&) override { return SourceOutcome::skipped("not yet supported"); }

 private:
  std::string n_;
};
}  // namespace
std::unique_ptr<CredentialSource> make_assume_role_source() {
  return std::make_unique<Pending>("assume-role");
}
std::unique_ptr<CredentialSource> make_web_identity_source() {
  return std::make_unique<Pending>("web-identity");
}
std::unique_ptr<CredentialSource> make_sso_source() {
  return std::make_unique<Pending>("sso");
}
std::unique_ptr<CredentialSource> make_container_source() {
  return std::make_unique<Pending>("container");
}
std::unique_ptr<CredentialSource> make_imds_source() {
  return std::make_unique<Pending>("ec2-instance-metadata");
}
}  // namespace essnap::aws::detail
