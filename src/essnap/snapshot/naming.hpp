// Snapshot names: templates expanded on our side so the exact name is known before it is sent.
//   nightly-{now:%Y.%m.%d-%H%M}   strftime fields, UTC
//   <snap-{now/d}>                Elasticsearch date math: {now[+-N<unit>][/<unit>][{format}]},
//                                 units y M w d h H m s, format in Java letters (yyyy MM dd HH
//                                 mm ss, default yyyy.MM.dd); UTC only
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::snapshot {

// The final name, or kInvalidArgument saying what is wrong with the template.
Result<std::string> expand_snapshot_name(std::string_view name_template,
                                         std::chrono::system_clock::time_point now);

// A name that refers to an existing snapshot (show, restore, delete, clone SOURCE): date math
// ('<snap-{now/d}>', never a literal name: '<' is not allowed in one) and {now:...} templates
// resolve as expand_snapshot_name does, at `now`; any other name is returned unchanged, so the
// request names exactly the snapshot the user meant and the messages can say which.
Result<std::string> resolve_snapshot_reference(std::string_view name,
                                               std::chrono::system_clock::time_point now);

// The server's rules for snapshot (and repository) names, checked before sending.
Status validate_snapshot_name(std::string_view name);

}  // namespace essnap::snapshot
