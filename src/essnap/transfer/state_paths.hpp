// Where `import` and `copy` keep their local state: the state file that records each loaded chunk
// (so --resume skips them) and the errors file of rejected documents, one pair per (source,
// target), named "<kind>-<12 hex of sha256(source, target)>.json" and "...-errors.ndjson" in the
// state directory.
#pragma once

#include <string>

#include "essnap/util/result.hpp"

namespace essnap::transfer {

struct StatePaths {
  std::string state;
  std::string errors;
};

// The default state directory: $XDG_STATE_HOME/essnap, else ~/.local/state/essnap, else
// ./.essnap-state.
std::string default_state_dir();

// The state and errors files of one run: in `state_dir` (default_state_dir() when empty; created,
// kIo when it cannot be), `kind` ("import", "copy") and the pair's hash naming them. A non-empty
// `errors_file` is the errors file instead.
Result<StatePaths> state_paths(const std::string& state_dir, const std::string& kind,
                               const std::string& source, const std::string& target,
                               const std::string& errors_file);

}  // namespace essnap::transfer
