#include "essnap/context/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace essnap::context {
namespace {

std::optional<std::string> getenv_lookup(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::string sorted_errors(std::vector<std::string> errors, const std::string& path) {
  auto line = [&](const std::string& e) { return std::atoi(e.c_str() + path.size() + 1); };
  std::stable_sort(errors.begin(), errors.end(),
                   [&](const auto& a, const auto& b) { return line(a) < line(b); });
  std::string msg;
  for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
  return msg;
}

// A name written as a plain YAML scalar when that reads back as the same string, else quoted.
std::string yaml_scalar(const std::string& name) {
  static const std::regex plain("[A-Za-z_][A-Za-z0-9_.-]*");
  static const char* kWords[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"};
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool word =
      std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return lower == w; });
  if (std::regex_match(name, plain) && !word) return name;
  return nlohmann::json(name).dump();  // a JSON string is a YAML double-quoted scalar
}

Status write_atomically(const std::string& path, const std::string& text) {
  char resolved[PATH_MAX];
  const std::string target = ::realpath(path.c_str(), resolved) ? resolved : path;
  struct stat st {};
  const mode_t mode = ::stat(target.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0600;
  const std::string tmp = target + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return Error(ErrorCode::kIo, "cannot write " + tmp + ": " + std::strerror(errno),
                 "check that the directory is writable");
  size_t done = 0;
  bool ok = true;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Error(ErrorCode::kIo, "cannot write " + target + ": " + why,
                 "check that the file and its directory are writable");
  }
  return ok_status();
}

}  // namespace

const ClusterDefinition* ContextFile::find(std::string_view name) const {
  for (const auto& c : contexts)
    if (c.name == name) return &c;
  return nullptr;
}

std::string ContextFile::names() const {
  std::string out;
  for (const auto& c : contexts) out += (out.empty() ? "" : ", ") + c.name;
  return out.empty() ? "none" : out;
}

std::string config_path(const EnvLookup& lookup) {
  const EnvLookup env = lookup ? lookup : EnvLookup(getenv_lookup);
  if (auto p = env("ESSNAP_CONFIG")) return *p;
  if (auto x = env("XDG_CONFIG_HOME"); x && x->starts_with("/")) return *x + "/essnap/config.yaml";
  if (auto h = env("HOME")) return *h + "/.config/essnap/config.yaml";
  return "";
}

Result<ContextFile> parse_context_file(std::string_view text, const std::string& path) {
  ContextFile out;
  out.path = path;
  out.exists = true;
  std::vector<std::string> errors;
  const Diagnostics d{path, &errors};
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsMap()) {
      for (const auto& kv : root) {
        const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
        if (k != "contexts" && k != "current_context")
          d.error(kv.first, "unknown key '" + k + "' (known: contexts, current_context)");
      }
      if (root["contexts"])
        out.contexts =
            parse_definitions(root["contexts"], {"context", Completeness::kEnvironmentMayFill}, d);
      if (const auto cur = root["current_context"]; cur && !cur.IsNull()) {
        if (!cur.IsScalar())
          d.error(cur, "current_context must be a context's name");
        else if (out.current_context = cur.Scalar(); !out.find(out.current_context))
          d.error(cur, "current_context '" + out.current_context +
                           "' is not one of the contexts (known: " + out.names() + ")");
      }
    } else if (!root.IsNull()) {
      d.error(root, "the file must be a mapping with contexts: and current_context:");
    }
  } catch (const YAML::Exception& e) {
    errors.push_back(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (errors.empty()) return out;
  return Error(ErrorCode::kInvalidArgument, sorted_errors(std::move(errors), path),
               "the format is in docs/CONFIG.md; ESSNAP_CONFIG=/dev/null runs without the file");
}

Result<ContextFile> load_context_file(const std::string& path) {
  ContextFile none;
  none.path = path;
  if (path.empty()) return none;
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return none;
    return Error(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno),
                 "check its permissions, or set ESSNAP_CONFIG to another file");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_context_file(ss.str(), path);
}

const char* to_string(SelectedBy by) {
  switch (by) {
    case SelectedBy::kFlag:
      return "--context";
    case SelectedBy::kEnvironment:
      return "ESSNAP_CONTEXT";
    case SelectedBy::kFile:
      return "current_context";
    case SelectedBy::kNone:
      break;
  }
  return "none";
}

Result<Selection> select_context(const ContextFile& file, const std::string& flag,
                                 const std::string& env) {
  Selection s;
  std::string name;
  if (!flag.empty()) {
    name = flag;
    s.by = SelectedBy::kFlag;
  } else if (!env.empty()) {
    name = env;
    s.by = SelectedBy::kEnvironment;
  } else if (!file.current_context.empty()) {
    name = file.current_context;
    s.by = SelectedBy::kFile;
  } else {
    return s;
  }
  s.context = file.find(name);
  if (s.context) return s;
  const std::string how = s.by == SelectedBy::kFlag ? "--context" : "ESSNAP_CONTEXT";
  if (!file.exists)
    return Error(ErrorCode::kInvalidArgument,
                 "unknown context '" + name + "' (" + how + "): there is no config file at " +
                     (file.path.empty() ? "~/.config/essnap/config.yaml" : file.path),
                 "write one (docs/CONFIG.md) or set ESSNAP_CONFIG to yours");
  return Error(
      ErrorCode::kInvalidArgument,
      "unknown context '" + name + "' (" + how + "); " + file.path + " has: " + file.names(),
      "'essnap context list' shows them");
}

Result<std::string> with_current_context(std::string_view text, const std::string& name,
                                         const std::string& path) {
  if (auto now = parse_context_file(text, path); now.ok() && now->current_context == name)
    return std::string(text);  // nothing to change
  const std::string line = "current_context: " + yaml_scalar(name);
  std::string out;
  bool replaced = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    const size_t next = end == std::string_view::npos ? text.size() : end + 1;
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    const bool crlf = !l.empty() && l.back() == '\r';
    if (crlf) l.remove_suffix(1);
    const size_t colon =
        l.starts_with("current_context") ? l.find_first_not_of(" \t", 15) : std::string_view::npos;
    if (!replaced && colon != std::string_view::npos && l[colon] == ':') {
      std::string keep;  // a trailing comment after a plain value
      auto hash = l.find(" #");
      if (hash != std::string_view::npos && l.find_first_of("\"'") == std::string_view::npos) {
        while (hash > 0 && (l[hash - 1] == ' ' || l[hash - 1] == '\t')) --hash;
        keep = std::string(l.substr(hash));
      }
      out += line + keep + (crlf ? "\r" : "") + (end < text.size() ? "\n" : "");
      replaced = true;
    } else {
      out.append(text.substr(pos, next - pos));
    }
    pos = next;
  }
  if (!replaced) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += line + "\n";
  }
  // The edit must read back as the same file with the new current context.
  auto check = parse_context_file(out, path);
  if (!check.ok() || check->current_context != name)
    return Error(ErrorCode::kInvalidArgument,
                 "cannot set current_context in " + path +
                     " without rewriting it: write 'current_context:' at the start of a line "
                     "of its own",
                 "edit the file by hand, or run the command with --context " + name);
  return out;
}

Status use_context(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in)
    return Error(ErrorCode::kNotFound, "there is no config file at " + path,
                 "write one with a 'contexts:' list (docs/CONFIG.md)");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  ESSNAP_TRY(ContextFile file, parse_context_file(text, path));
  if (!file.find(name))
    return Error(ErrorCode::kInvalidArgument,
                 "unknown context '" + name + "'; " + path + " has: " + file.names(),
                 "'essnap context list' shows them");
  ESSNAP_TRY(std::string edited, with_current_context(text, name, path));
  if (edited == text) return ok_status();
  return write_atomically(path, edited);
}

}  // namespace essnap::context
