// A small IAM identity-policy evaluator, used when the server does not offer
// SimulatePrincipalPolicy (moto, some partitions) or the caller may not call it: Effect Allow /
// Deny, Action / NotAction and Resource / NotResource with `*` and `?` wildcards (actions
// case-insensitive), and the StringEquals / StringLike / ArnEquals / ArnLike condition operators
// over the context given. A condition on a key the context lacks does not match (as IAM's
// simulator treats it). Anything else in a condition makes the statement not match: the
// evaluation errs towards "denied", and the check says the answer was computed locally.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace essnap::doctor {

// "allowed", "explicitDeny" or "implicitDeny", as SimulatePrincipalPolicy names them.
std::string evaluate_policy(const nlohmann::json& policy, std::string_view action,
                            std::string_view resource,
                            const std::map<std::string, std::string>& context = {});

// IAM's wildcard match: `*` any run, `?` one character.
bool iam_wildcard(std::string_view pattern, std::string_view text);

}  // namespace essnap::doctor
