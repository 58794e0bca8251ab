// The string helpers every layer uses, written once: joining, splitting, trimming and ASCII case
// folding (protocol names, header names and config keys are ASCII; nothing here is locale-aware).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace essnap::util {

// {"a", "b"} -> "a, b" with sep ", ".
std::string join(const std::vector<std::string>& parts, std::string_view sep = ",");

enum class EmptyParts { kKeep, kDrop };
// "a, b,,c" by ',' -> {"a", " b", "", "c"} (kKeep) or {"a", " b", "c"} (kDrop); views into `s`.
std::vector<std::string_view> split(std::string_view s, char sep,
                                    EmptyParts empty = EmptyParts::kKeep);
// Each argument split at ',' and trimmed, empty parts dropped: {"a, b", "c"} -> {"a", "b", "c"}.
std::vector<std::string> split_list(const std::vector<std::string>& args);

// Without leading and trailing ASCII whitespace (space, \t, \r, \n, \v, \f).
std::string_view trim(std::string_view s);
std::string_view trim_right(std::string_view s);

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// A word as a POSIX shell reads it back: as it is when it is plain (letters, digits and
// _-.,:/@%+=), else in single quotes. For commands essnap prints for the user to run.
std::string shell_word(std::string_view word);

// The environment variable's value; "" when it is unset.
std::string env_or_empty(const char* name);

}  // namespace essnap::util
