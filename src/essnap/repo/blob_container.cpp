#include "essnap/repo/blob_container.hpp"

namespace essnap::repo {

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (name.empty()) return std::string(dir);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

Status check_relative_path(std::string_view path) {
  if (path.empty()) return ok_status();
  if (path.front() == '/')
    return make_error(ErrorCode::kInvalidArgument,
                      "blob path '" + std::string(path) + "' is absolute");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..")
      return make_error(ErrorCode::kInvalidArgument,
                        "blob path '" + std::string(path) + "' has an empty, '.' or '..' segment");
    if (seg.find('\0') != std::string_view::npos)
      return make_error(ErrorCode::kInvalidArgument, "blob path has a NUL byte");
    start = end + 1;
  }
  return ok_status();
}

Result<std::string> BlobContainer::read(std::string_view path, std::uint64_t max_bytes) {
  std::string out;
  Status s = stream(path, [&](std::string_view chunk) -> Status {
    if (out.size() + chunk.size() > max_bytes)
      return make_error(ErrorCode::kParse, "blob " + std::string(path) + " is larger than " +
                                               std::to_string(max_bytes) + " bytes");
    out.append(chunk);
    return ok_status();
  });
  if (!s.ok()) return std::move(s).error();
  return out;
}

ChunkSink counting_sink(ChunkSink inner, std::uint64_t* total) {
  return [inner = std::move(inner), total](std::string_view chunk) -> Status {
    *total += chunk.size();
    return inner ? inner(chunk) : ok_status();
  };
}

}  // namespace essnap::repo
