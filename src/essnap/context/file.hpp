// The user's config file of named contexts, kubectl-style: where it is, what it holds, which
// context a command uses, and the one edit essnap makes to it (`essnap context use`).
//
//   file            := { [contexts: definitions], [current_context: NAME] }   ; definition.hpp
//   where           := $ESSNAP_CONFIG | $XDG_CONFIG_HOME/essnap/config.yaml
//                      | $HOME/.config/essnap/config.yaml
//   selected        := --context NAME | $ESSNAP_CONTEXT | current_context | none
//
// A missing file holds no contexts; an empty one neither. Every problem is "FILE:LINE: ...".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/context/definition.hpp"
#include "essnap/util/result.hpp"

namespace essnap::context {

struct ContextFile {
  std::string path;
  bool exists = false;
  std::vector<ClusterDefinition> contexts;  // in file order
  std::string current_context;              // "" when the file sets none

  const ClusterDefinition* find(std::string_view name) const;
  std::string names() const;  // "a, b, c" or "none"
};

// The file's path from an environment lookup (getenv by default): ESSNAP_CONFIG, else
// XDG_CONFIG_HOME/essnap/config.yaml, else HOME/.config/essnap/config.yaml; "" without HOME.
using EnvLookup = std::function<std::optional<std::string>(const char*)>;
std::string config_path(const EnvLookup& env = {});

// kInvalidArgument with every problem, one "FILE:LINE: message" per line.
Result<ContextFile> parse_context_file(std::string_view yaml_text, const std::string& path);
// A file that does not exist: exists = false, no contexts. kIo when it cannot be read.
Result<ContextFile> load_context_file(const std::string& path);

enum class SelectedBy { kNone, kFlag, kEnvironment, kFile };
const char* to_string(SelectedBy by);  // "none", "--context", "ESSNAP_CONTEXT", "current_context"

struct Selection {
  const ClusterDefinition* context = nullptr;  // into the ContextFile; null when none is selected
  SelectedBy by = SelectedBy::kNone;
};

// --context (`flag`), else ESSNAP_CONTEXT (`env`), else the file's current_context. A name that
// is not in the file is kInvalidArgument naming the known ones.
Result<Selection> select_context(const ContextFile& file, const std::string& flag,
                                 const std::string& env);

// `text` with `current_context: name` (its top-level line replaced, or one appended), everything
// else kept byte for byte. kInvalidArgument when the key is not on a line of its own.
Result<std::string> with_current_context(std::string_view text, const std::string& name,
                                         const std::string& path);
// Rewrites the file at `path` so (atomically: a temporary file renamed over it, mode kept; a
// symbolic link is followed). The name must be one of its contexts.
Status use_context(const std::string& path, const std::string& name);

}  // namespace essnap::context
