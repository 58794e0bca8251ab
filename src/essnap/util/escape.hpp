// The one escaping of text that came from outside (a repository's blob names, a cluster's
// answers, a --plan-from file) before it reaches a terminal: control characters become visible
// escapes, so a crafted name cannot forge an output line ("\nPROBLEM ...") or send terminal
// escape sequences. Used by the CLI's output layer (cli/output.cpp), never per command.
//
//   C0 (0x00-0x1F), DEL (0x7F)      -> \n \r \t \e, else \xHH
//   C1 (U+0080-U+009F, UTF-8 C2 80..C2 9F) and bytes that are not UTF-8 -> \xHH per byte
//   backslash                       -> \\ (so an escape in the output is never ambiguous)
//   everything else                 -> itself
#pragma once

#include <string>
#include <string_view>

namespace essnap::util {

enum class KeepNewlines { kNo, kYes };

// `s` with control characters escaped; with kYes, '\n' and '\t' pass (for whole blocks of text
// whose line breaks are ours) and backslashes are left alone.
std::string escape_control(std::string_view s, KeepNewlines keep = KeepNewlines::kNo);

// True when escape_control(s) would change s.
bool needs_escape(std::string_view s);

}  // namespace essnap::util
