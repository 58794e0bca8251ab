#pragma once

// The version is CMakeLists.txt's project(VERSION), the one place it is written, passed to the
// compiler as ESSNAP_VERSION. The commit and date come from the build (cmake/build_info.cmake).
#ifndef ESSNAP_VERSION
#error "ESSNAP_VERSION is defined by CMakeLists.txt (project VERSION)"
#endif

namespace essnap {
inline constexpr const char* kVersion = ESSNAP_VERSION;

// The git commit the binary was built from (12 hex digits), "unknown" when built without git
// (a tarball) and not given -DESSNAP_GIT_COMMIT.
const char* build_commit();
// The day of the build, YYYY-MM-DD in UTC (SOURCE_DATE_EPOCH when set).
const char* build_date();
}  // namespace essnap
