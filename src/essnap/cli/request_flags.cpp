#include "essnap/cli/request_flags.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

namespace essnap::cli {

Result<http::Headers> parse_header_flags(const std::vector<std::string>& lines) {
  http::Headers out;
  for (const auto& line : lines) {
    const auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    const bool bad_name = name.empty() || name.find_first_of(" \t\r\n") != std::string::npos;
    if (colon == std::string::npos || bad_name)
      return Error(ErrorCode::kInvalidArgument, "malformed -H '" + line.substr(0, 60) + "'",
                   "write headers as -H 'Name: value'");
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    value = first == std::string::npos ? "" : value.substr(first);
    if (value.find_first_of("\r\n") != std::string::npos)
      return Error(ErrorCode::kInvalidArgument, "header '" + name + "' contains a line break");
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

Result<http::Body> body_from_flags(const std::string& data, bool data_given,
                                   const std::string& data_file) {
  if (data_given) return http::Body::from_string(data);
  if (data_file.empty()) return http::Body{};
  if (data_file == "-") {
    std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return http::Body::from_string(std::move(all));
  }
  struct stat st {};
  if (::stat(data_file.c_str(), &st) != 0) {
    const int e = errno;
    return Error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                 "cannot read --data-file '" + data_file + "': " + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode))
    return Error(ErrorCode::kIo, "--data-file '" + data_file + "' is not a regular file");
  std::ifstream probe(data_file, std::ios::binary);
  if (!probe)
    return Error(ErrorCode::kIo,
                 "cannot read --data-file '" + data_file + "': " + std::strerror(errno));
  return http::Body::from_file(data_file);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace essnap::cli
