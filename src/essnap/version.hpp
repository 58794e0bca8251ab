#pragma once

namespace essnap {
// The version, written here only: CMakeLists.txt reads it for project(VERSION), the .deb and the
// install rules; the Makefile for `make image`.
inline constexpr const char* kVersion = "0.1.0";

// The git commit the binary was built from (12 hex digits), "unknown" when built without git
// (a tarball) and not given -DESSNAP_GIT_COMMIT. Defined in build_info.cpp, which
// cmake/build_info.cmake writes at build time.
const char* build_commit();
// The day of the build, YYYY-MM-DD in UTC (SOURCE_DATE_EPOCH when set).
const char* build_date();
}  // namespace essnap
