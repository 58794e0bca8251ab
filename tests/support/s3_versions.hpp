// Test clean-up in a versioned (Object Lock) bucket: every version under a prefix deleted by id,
// GOVERNANCE locks bypassed (the test's own objects). A plain delete there only adds markers.
#pragma once

#include <string>

#include "essnap/s3/client.hpp"

namespace essnap::test {

// "" when every version went; else what the first refusal said.
inline std::string delete_every_version(s3::Client& client, const std::string& bucket,
                                        const std::string& prefix) {
  s3::ListObjectVersionsRequest lr{bucket, prefix};
  for (int pages = 0; pages < 100; ++pages) {
    auto page = client.list_object_versions(lr);
    if (!page.ok()) return page.error().message;
    s3::DeleteObjectsRequest d;
    d.bucket = bucket;
    d.bypass_governance_retention = true;
    for (const auto& v : page->versions) {
      d.keys.push_back(v.key);
      d.version_ids.push_back(v.version_id);
    }
    if (!d.keys.empty()) {
      auto del = client.delete_objects(d);
      if (!del.ok()) return del.error().message;
      if (!del->failures.empty()) return del->failures.front().code;
    }
    if (!page->truncated) break;
    lr.key_marker = page->next_key_marker;
    lr.version_id_marker = page->next_version_id_marker;
  }
  return "";
}

}  // namespace essnap::test
