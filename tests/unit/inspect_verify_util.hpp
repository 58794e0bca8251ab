// What the inspect verify / orphans tests share: the fixture repositories' index of "insp-fx-logs"
// (tests/data/inspect), a verify run that expects no error, and its problems as text for a
// failure message. One copy, so the units can share a unity batch (CMakeLists.txt, ESSNAP_UNITY).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "essnap/blob/blob_store.hpp"
#include "essnap/inspect/verify.hpp"

namespace essnap::inspect {

inline const std::string kLogs = "indices/9drT39a1QP-A671pXbbYNQ";  // insp-fx-logs in s1 and s3

inline VerifyReport run(blob::BlobStore& c, ReadData read = ReadData::kNo, VerifyOptions o = {}) {
  o.read_data = read;
  o.concurrency = 3;
  auto r = verify(c, o);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : VerifyReport{};
}

inline std::string dump(const VerifyReport& r) {
  std::string s;
  for (const auto& p : r.problems) s += p.path + ": " + p.problem + "\n";
  return s;
}

}  // namespace essnap::inspect
