// Well-formed UTF-8, read one sequence at a time (RFC 3629: no overlong forms, no surrogates, no
// code point past U+10FFFF) — the rule the SMILE decoder (Jackson refuses the rest) and the
// output escaping (util/escape) share.
#pragma once

#include <cstddef>
#include <string_view>

namespace essnap::util {

// Length (1 to 4) of the well-formed UTF-8 sequence at s[i]; 0 when there is none, with
// *bad_at (when given) set to the offending byte: s[i] itself, or the continuation byte that
// is not one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i, std::size_t* bad_at = nullptr);

}  // namespace essnap::util
