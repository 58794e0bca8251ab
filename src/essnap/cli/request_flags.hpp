// Flag handling shared by `essnap sign` and `essnap request`: -H lines, --data/--data-file.
#pragma once

#include <string>
#include <vector>

#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cli {

// "Name: value" lines from -H; a malformed line is a usage error naming it.
Result<http::Headers> parse_header_flags(const std::vector<std::string>& lines);

// The body named by --data STRING or --data-file PATH ("-" reads standard input). A file is
// checked for readability now (so the error comes before any credentials or network work) but
// left on disk to be streamed.
Result<http::Body> body_from_flags(const std::string& data, bool data_given,
                                   const std::string& data_file);

// Single-quoted for a POSIX shell.
std::string shell_quote(const std::string& s);

}  // namespace essnap::cli
