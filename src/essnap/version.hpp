#pragma once

namespace essnap {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace essnap
