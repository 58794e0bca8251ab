// JSON values written as block-style YAML, for `--format yaml` listings. Strings are quoted
// whenever a plain scalar could be misread (numbers, booleans, ':', '#', leading symbols).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace essnap::util {

std::string to_yaml(const nlohmann::json& value);

}  // namespace essnap::util
