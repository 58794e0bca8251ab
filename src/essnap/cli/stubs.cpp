// Placeholder registrations for commands still being written. Each is deleted from here when
// its real file (cli/cmd_<name>.cpp) lands.
#include "essnap/cli/command.hpp"

namespace essnap::cli {


}  // namespace essnap::cli
