// `repo remove` and `repo cleanup` as plans for util::run_plan: each first checks the repository
// is registered and says what will happen (unregistering keeps the data in storage; cleanup
// deletes blobs no snapshot references), so both print, confirm and dry-run like `snapshot delete`.
#pragma once

#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::snapshot {

// kNotFound when the repository is not registered.
Result<util::Plan> plan_remove_repository(cluster::Client& client, const std::string& name);
Result<util::Plan> plan_cleanup_repository(cluster::Client& client, const std::string& name);

}  // namespace essnap::snapshot
