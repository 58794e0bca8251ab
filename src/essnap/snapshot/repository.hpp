// `repo remove` and `repo cleanup` as plans for util::run_plan: each first checks the repository
// is registered and says what will happen (unregistering keeps the data in storage; cleanup
// deletes blobs no snapshot references), so both print, confirm and dry-run like `snapshot delete`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::snapshot {

// kNotFound when the repository is not registered.
Result<util::Plan> plan_remove_repository(cluster::Client& client, const std::string& name);
Result<util::Plan> plan_cleanup_repository(cluster::Client& client, const std::string& name);

// `repo register`: registering `body` ({"type", "settings"}) as `name`. A new registration needs
// no confirmation (nothing existing changes); the same settings again is a plan with nothing to
// do; other settings under that name are a blocker unless `replace` (then it is confirmed: the
// name's snapshots are then read from the new place). A type that needs a plugin the nodes lack
// (repository-s3, ...) is a blocker too, decided before anything is sent.
enum class Replace { kNo, kYes };
Result<util::Plan> plan_register_repository(cluster::Client& client, const std::string& name,
                                            const nlohmann::json& body, Replace replace);

}  // namespace essnap::snapshot
