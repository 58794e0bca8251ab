// A CredentialsProvider that caches what a fetch function returns and renews temporary
// credentials ahead of their expiry (see RefreshWindows), safely from many threads.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "essnap/aws/credentials.hpp"

namespace essnap::aws {

using CredentialsFetch = std::function<Result<Credentials>()>;

// `initial`, when given, is served first (the chain already fetched it while resolving).
std::shared_ptr<CredentialsProvider> make_refreshing_provider(
    CredentialsFetch fetch, RefreshWindows windows, std::optional<Credentials> initial = {});

}  // namespace essnap::aws
