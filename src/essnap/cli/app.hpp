// The command-line layer: parses flags, calls the library, prints, and maps errors to exit codes.
#pragma once

namespace essnap::cli {

int run(int argc, char** argv);

}  // namespace essnap::cli
