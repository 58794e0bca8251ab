// The binary only hands over to the CLI layer.
#include "essnap/cli/app.hpp"

int main(int argc, char** argv) {
  return essnap::cli::run(argc, argv);
}
