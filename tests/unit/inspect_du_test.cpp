// `inspect du` against an independent count over the same real repository: every shard
// snap-<uuid>.dat of the live snapshots decoded directly with the parsers, sizes summed here.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "essnap/format/framing.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/inspect/du.hpp"
#include "inspect_test_util.hpp"

namespace essnap::inspect {
using namespace essnap::format;
using namespace essnap::blob;
namespace {

using namespace essnap::format::testing;

struct Count {
  std::map<std::string, std::uint64_t> total;            // snapshot uuid -> bytes
  std::map<std::string, std::set<std::string>> holders;  // data blob path -> uuids
  std::map<std::string, std::uint64_t> length;           // data blob path -> length
};

Count independent_count(MemoryStore& c, const std::set<std::string>& uuids) {
  Count out;
  (void)c.walk("indices", [&](const BlobInfo& b) {
    auto slash = b.name.rfind('/');
    const std::string dir = b.name.substr(0, slash), name = b.name.substr(slash + 1);
    if (name.rfind("snap-", 0) != 0 || std::count(b.name.begin(), b.name.end(), '/') != 3)
      return ok_status();
    const std::string uuid = name.substr(5, name.size() - 9);
    if (!uuids.count(uuid)) return ok_status();
    const std::string bytes = c.get(b.name);
    auto doc = read_framed_blob({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                                kCodecSnapshot);
    EXPECT_TRUE(doc.ok()) << b.name;
    auto snap = parse_shard_snapshot(*doc);
    EXPECT_TRUE(snap.ok()) << b.name;
    for (const auto& f : snap->files) {
      out.total[uuid] += f.length;
      if (f.is_virtual()) continue;
      out.holders[dir + "/" + f.name].insert(uuid);
      out.length[dir + "/" + f.name] = f.length;
    }
    return ok_status();
  });
  return out;
}

TEST(RepoDu, AgreesWithAnIndependentCount) {
  auto c = load_fixture("es8");
  DuOptions o;
  o.concurrency = 3;
  auto r = disk_usage(*c, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->damaged.empty());
  ASSERT_EQ(r->snapshots.size(), 2u);
  std::set<std::string> uuids;
  for (const auto& s : r->snapshots) uuids.insert(s.uuid);
  const Count want = independent_count(*c, uuids);
  std::uint64_t all = 0;
  for (const auto& [p, l] : want.length) all += l;
  EXPECT_EQ(r->data_bytes, all);
  EXPECT_EQ(r->data_files, want.length.size());
  for (const auto& s : r->snapshots) {
    std::uint64_t unique = 0, shared = 0;
    for (const auto& [path, h] : want.holders)
      if (h.count(s.uuid)) (h.size() == 1 ? unique : shared) += want.length.at(path);
    EXPECT_EQ(s.total_bytes, want.total.at(s.uuid)) << s.name;
    EXPECT_EQ(s.unique_bytes, unique) << s.name;
    EXPECT_EQ(s.shared_bytes, shared) << s.name;
    EXPECT_GT(s.total_bytes, 0u);
  }
  // s3 added documents and an index after s1: it has blobs of its own, and shares some with s1.
  EXPECT_GT(r->snapshots[1].unique_bytes, 0u);
  EXPECT_GT(r->snapshots[1].shared_bytes, 0u);
  EXPECT_EQ(r->snapshots[0].shared_bytes, r->snapshots[1].shared_bytes);
  ASSERT_EQ(r->indices.size(), 2u);
  EXPECT_EQ(r->indices[0].name, "insp-fx-logs");
  EXPECT_EQ(r->indices[0].shards, 2u);
  EXPECT_EQ(r->indices[0].data_bytes + r->indices[1].data_bytes, r->data_bytes);
}

TEST(RepoDu, DamagedShardSnapshotsAreListedNotGuessed) {
  auto c = load_fixture("es8");
  c->erase("indices/Gvaztz16TN2Mq13xSMDOdQ/0/snap-q8keFeh2QZGskIBxqqmzEw.dat");
  DuOptions o;
  auto r = disk_usage(*c, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->damaged.size(), 1u);
  EXPECT_TRUE(
      contains(r->damaged[0], "indices/Gvaztz16TN2Mq13xSMDOdQ/0/snap-q8keFeh2QZGskIBxqqmzEw.dat"));
}

}  // namespace
}  // namespace essnap::inspect
