#include "essnap/transfer/state_paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "essnap/util/crypto.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::transfer {
namespace {}  // namespace

std::string default_state_dir() {
  if (!util::env_or_empty("XDG_STATE_HOME").empty())
    return util::env_or_empty("XDG_STATE_HOME") + "/essnap";
  if (!util::env_or_empty("HOME").empty())
    return util::env_or_empty("HOME") + "/.local/state/essnap";
  return ".essnap-state";
}

Result<StatePaths> state_paths(const std::string& state_dir, const std::string& kind,
                               const std::string& source, const std::string& target,
                               const std::string& errors_file) {
  const std::string dir = state_dir.empty() ? default_state_dir() : state_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error(ErrorCode::kIo, "cannot create the state directory " + dir + ": " + ec.message(),
                 "pass --state-dir DIR");
  const std::string id = util::sha256_hex(source + "\n" + target).substr(0, 12);
  StatePaths p;
  p.state = dir + "/" + kind + "-" + id + ".json";
  p.errors = errors_file.empty() ? dir + "/" + kind + "-" + id + "-errors.ndjson" : errors_file;
  return p;
}

}  // namespace essnap::transfer
