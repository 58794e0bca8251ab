// The JSON-level parsers: root index-N (real blobs from three engines plus hand-written shapes of
// the older formats the source describes), index.latest, snap-*.dat (SnapshotInfo), shard
// snap-*.dat and index-<gen>, index metadata and OpenSearch snapshot_shard_paths; hostile shapes
// answer kParse naming the field. A small walk checks the parsers together: every blob the root
// index-N implies exists in each fixture repository.
#include <gtest/gtest.h>

#include "essnap/format/framing.hpp"
#include "essnap/format/index_metadata.hpp"
#include "essnap/format/root_index.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/format/snapshot_info.hpp"
#include "format_fixtures.hpp"

namespace essnap::format {
namespace {

using namespace essnap::format::testing;
using json = nlohmann::json;
namespace fs = std::filesystem;

RepositoryData parse_ok(std::string_view text) {
  auto r = parse_repository_data(bytes_of(text));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : RepositoryData{};
}

std::string parse_err(std::string_view text) {
  auto r = parse_repository_data(bytes_of(text));
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  return r.error().message;
}

json framed(const std::string& rel, std::string_view codec) {
  auto j = read_framed_blob(fixture(rel), codec);
  EXPECT_TRUE(j.ok()) << rel << ": " << (j.ok() ? "" : j.error().message);
  return j.ok() ? *j : json();
}

TEST(RepoFormatRepositoryData, Elasticsearch8RootBlob) {
  auto r = parse_repository_data(fixture("es8-c/index-1"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->min_version, "7.12.0");
  EXPECT_EQ(r->uuid, "lvQMQB3KTVaFNgkaYduVcw");
  EXPECT_EQ(r->cluster_id, "JWj0nZlmTDmnaAu7oBhS9g");
  ASSERT_EQ(r->snapshots.size(), 2u);
  const auto& s1 = r->snapshots[0];
  EXPECT_EQ(s1.name, "s1");
  EXPECT_EQ(s1.uuid, "bfmaGqa7QGyBjFgaVBSGVg");
  EXPECT_EQ(s1.state, RepoSnapshotState::kSuccess);
  EXPECT_EQ(s1.version, "8.11.0");
  EXPECT_EQ(s1.version_id, std::nullopt);
  EXPECT_EQ(s1.index_version, 8536000);
  EXPECT_EQ(s1.start_time_millis, 1796118677746);
  EXPECT_EQ(s1.end_time_millis, 1796118677946);
  EXPECT_EQ(s1.slm_policy, "");
  ASSERT_EQ(r->indices.size(), 1u);
  const auto& idx = r->indices[0];
  EXPECT_EQ(idx.name, "repofmt-idx-repofmt-es8-c");
  EXPECT_EQ(idx.id, "hzVE3NcWTQSSz4VeFXlElQ");
  EXPECT_EQ(idx.snapshots,
            (std::vector<std::string>{"bfmaGqa7QGyBjFgaVBSGVg", "Jw6ISh6KTAWYw1VVbEqOWQ"}));
  ASSERT_EQ(idx.shard_generations.size(), 2u);
  EXPECT_EQ(idx.shard_generations[0].kind, ShardGen::Kind::kValue);
  EXPECT_EQ(idx.shard_generations[0].value, "bqlx9XfiQMycKHhCFspR2g");
  EXPECT_EQ(idx.shard_path_type, std::nullopt);
  EXPECT_EQ(r->index_metadata_blob_id(s1, idx), "hvUEMaIBh2o9occGCpFF");
  EXPECT_EQ(r->snapshot_by_name("s2")->uuid, "Jw6ISh6KTAWYw1VVbEqOWQ");
  EXPECT_EQ(r->index_by_id("hzVE3NcWTQSSz4VeFXlElQ"), &idx);
  EXPECT_EQ(r->snapshot_by_uuid("nope"), nullptr);
}

TEST(RepoFormatRepositoryData, OpenSearchRootBlobs) {
  auto r1 = parse_repository_data(fixture("os1/index-1"));
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  EXPECT_EQ(r1->snapshots[0].version, "1.3.20");
  EXPECT_EQ(r1->snapshots[0].start_time_millis, std::nullopt);  // OpenSearch does not write them
  EXPECT_EQ(r1->min_version, "7.9.0");
  EXPECT_EQ(r1->indices[0].shard_path_type, std::nullopt);
  EXPECT_EQ(r1->uuid, std::nullopt);
  auto r3 = parse_repository_data(fixture("os3-z/index-1"));
  ASSERT_TRUE(r3.ok()) << r3.error().message;
  EXPECT_EQ(r3->snapshots[1].name, "s2");
  EXPECT_EQ(r3->snapshots[1].version, "3.3.0");
  EXPECT_EQ(r3->indices[0].shard_path_type, 1);
  EXPECT_EQ(r3->index_metadata_blob_id(r3->snapshots[0], r3->indices[0]), "nUgEMaIBccRiRU4FORXF");
}

// Real blobs of the older and newer Elasticsearch majors.
TEST(RepoFormatRepositoryData, Elasticsearch6To9RootBlobs) {
  // 6.8: two root generations (index-0, index-1), states, no versions, no shard generations,
  // no index_metadata_lookup: index metadata is meta-<snapshot uuid>.dat
  auto g0 = parse_repository_data(fixture("es6/index-0"));
  ASSERT_TRUE(g0.ok());
  EXPECT_EQ(g0->snapshots.size(), 1u);
  auto six = parse_repository_data(fixture("es6/index-1"));
  ASSERT_TRUE(six.ok()) << six.error().message;
  ASSERT_EQ(six->snapshots.size(), 2u);
  EXPECT_EQ(six->snapshots[1].state, RepoSnapshotState::kSuccess);
  EXPECT_EQ(six->snapshots[1].version, "");
  EXPECT_FALSE(six->indices[0].has_shard_generations);
  EXPECT_EQ(six->min_version, std::nullopt);
  EXPECT_EQ(six->index_metadata_blob_id(six->snapshots[1], six->indices[0]),
            "fqDLhAfJRVeOHxX-_6kSEg");
  // 7.10: lookup + identifiers, min_version 7.9.0, no uuid or times yet
  auto s710 = parse_repository_data(fixture("es710/index-1"));
  ASSERT_TRUE(s710.ok()) << s710.error().message;
  EXPECT_EQ(s710->min_version, "7.9.0");
  EXPECT_EQ(s710->uuid, std::nullopt);
  EXPECT_EQ(s710->snapshots[0].name, "s2");  // order as written, not by name
  EXPECT_EQ(s710->snapshots[0].version, "7.10.2");
  EXPECT_EQ(s710->snapshots[0].start_time_millis, std::nullopt);
  EXPECT_EQ(s710->index_metadata_blob_id(s710->snapshots[0], s710->indices[0]),
            "8qwZMaIBo5vNDe8-tpzj");
  // 7.17: uuid, cluster_id, times, slm_policy
  auto s717 = parse_repository_data(fixture("es717/index-1"));
  ASSERT_TRUE(s717.ok()) << s717.error().message;
  EXPECT_EQ(s717->uuid, "fVfK8Y-ESJuzV7ro3aetcw");
  EXPECT_EQ(s717->snapshots[1].end_time_millis, 1796120099094);
  EXPECT_EQ(s717->snapshots[1].version, "7.17.29");
  // 9.2: the fixed "8.11.0" beside the IndexVersion id
  auto s9 = parse_repository_data(fixture("es9/index-1"));
  ASSERT_TRUE(s9.ok()) << s9.error().message;
  EXPECT_EQ(s9->snapshots[0].version, "8.11.0");
  EXPECT_EQ(s9->snapshots[0].index_version, 9039001);
}

// Shapes older engines write, from RepositoryData's history (no fixtures: the stack does not run
// them).
TEST(RepoFormatRepositoryData, HistoricalShapes) {
  // before 5.4.1: index entries list {name, uuid} objects; snapshots carry no state
  auto old = parse_ok(R"({"snapshots":[{"name":"a","uuid":"U1"}],
                          "indices":{"i":{"id":"I1","snapshots":[{"name":"a","uuid":"U1"}]}}})");
  EXPECT_EQ(old.indices[0].snapshots, std::vector<std::string>{"U1"});
  EXPECT_EQ(old.snapshots[0].state, std::nullopt);
  EXPECT_FALSE(old.indices[0].has_shard_generations);
  // without index_metadata_lookup (< 7.9) the metadata blob is named by the snapshot uuid
  EXPECT_EQ(old.index_metadata_blob_id(old.snapshots[0], old.indices[0]), "U1");
  // 6.x: state ints, version strings, no shard_generations
  auto six = parse_ok(R"({"snapshots":[{"name":"a","uuid":"U1","state":3,"version":"6.8.23"}],
                          "indices":{"i":{"id":"I1","snapshots":["U1"]}},
                          "incompatible-snapshots":[]})");
  EXPECT_EQ(six.snapshots[0].state, RepoSnapshotState::kPartial);
  EXPECT_EQ(six.snapshots[0].version, "6.8.23");
  // 7.6+: shard generations with _new, _deleted, null, and a numeric one (pre-7.6 bug)
  auto seven = parse_ok(R"({"min_version":"7.9.0","snapshots":[{"name":"a","uuid":"U1","state":1}],
                            "indices":{"i":{"id":"I1","snapshots":["U1"],
                                            "shard_generations":["abc",null,"_new","_deleted","17",5]}}})");
  const auto& g = seven.indices[0].shard_generations;
  ASSERT_EQ(g.size(), 6u);
  EXPECT_EQ(g[0].kind, ShardGen::Kind::kValue);
  EXPECT_EQ(g[1].kind, ShardGen::Kind::kNull);
  EXPECT_EQ(g[2].kind, ShardGen::Kind::kNew);
  EXPECT_EQ(g[3].kind, ShardGen::Kind::kDeleted);
  EXPECT_EQ(g[4].kind, ShardGen::Kind::kNumeric);
  EXPECT_EQ(g[5].kind, ShardGen::Kind::kNumeric);
  // 8.9+/8.10+: int version ids
  auto eight = parse_ok(
      R"({"min_version":8500000,"snapshots":[{"name":"a","uuid":"U1","state":1,"version":8500003}],
                            "indices":{}})");
  EXPECT_EQ(eight.snapshots[0].version_id, 8500003);
  EXPECT_EQ(eight.snapshots[0].version, "8500003");
  EXPECT_EQ(eight.min_version, "8500000");
  // empty repository
  auto empty = parse_ok(R"({"snapshots":[],"indices":{}})");
  EXPECT_TRUE(empty.snapshots.empty());
  auto bare = parse_ok("{}");
  EXPECT_TRUE(bare.indices.empty());
  // a lookup to an identifier the map lacks: readable, the blob id is unknown
  auto dangling =
      parse_ok(R"({"snapshots":[{"name":"a","uuid":"U1","index_metadata_lookup":{"I1":"X"}}],
                               "indices":{"i":{"id":"I1","snapshots":["U1"]}},"index_metadata_identifiers":{}})");
  EXPECT_EQ(dangling.index_metadata_blob_id(dangling.snapshots[0], dangling.indices[0]),
            std::nullopt);
}

TEST(RepoFormatRepositoryData, HostileShapesNameTheField) {
  EXPECT_NE(parse_err("").find("not valid JSON"), std::string::npos);
  EXPECT_NE(parse_err("[1]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(parse_err(R"({"snapshots":{}})").find("\"snapshots\" is not an array"),
            std::string::npos);
  EXPECT_NE(
      parse_err(R"({"snapshots":[{"uuid":"U"}]})").find("snapshots[0]: field \"name\" is missing"),
      std::string::npos);
  EXPECT_NE(parse_err(R"({"snapshots":[{"name":1,"uuid":"U"}]})").find("\"name\" is not a string"),
            std::string::npos);
  EXPECT_NE(parse_err(R"({"snapshots":[{"name":"a","uuid":"U","state":9}]})").find("state"),
            std::string::npos);
  EXPECT_NE(parse_err(R"({"snapshots":[{"name":"a","uuid":"U","version":[1]}]})").find("version"),
            std::string::npos);
  EXPECT_NE(parse_err(R"({"indices":{"i":{"id":"I","snapshots":["nope"]}}})")
                .find("unknown snapshot uuid [nope]"),
            std::string::npos);
  EXPECT_NE(
      parse_err(R"({"indices":{"i":{"snapshots":[]}}})").find("indices.i: field \"id\" is missing"),
      std::string::npos);
  EXPECT_NE(parse_err(R"({"indices":{"i":{"id":"I","shard_generations":[{}]}}})")
                .find("shard_generations[0]"),
            std::string::npos);
  EXPECT_NE(
      parse_err(R"({"indices":{"i":{"id":"I","shard_generations":[""]}}})").find("empty string"),
      std::string::npos);
  EXPECT_NE(parse_err(R"({"index_metadata_identifiers":[]})").find("index_metadata_identifiers"),
            std::string::npos);
  EXPECT_NE(parse_err(R"({"snapshots":[{"name":"a","uuid":"U","start_time_millis":"x"}]})")
                .find("start_time_millis"),
            std::string::npos);
  EXPECT_FALSE(
      parse_repository_data(bytes_of(std::string(100000, '[') + std::string(100000, ']'))).ok());
}

TEST(RepoFormatRepositoryData, IndexLatestAndGenerationNames) {
  EXPECT_EQ(*parse_index_latest(fixture("es8-c/index.latest")), 1u);
  EXPECT_EQ(*parse_index_latest(Bytes{0, 0, 0, 0, 0, 0, 0x01, 0x02}), 258u);
  EXPECT_FALSE(parse_index_latest(Bytes{0, 0, 1}).ok());
  EXPECT_FALSE(parse_index_latest(Bytes(9, 0)).ok());
  EXPECT_FALSE(parse_index_latest(Bytes{0x80, 0, 0, 0, 0, 0, 0, 0}).ok());
  EXPECT_EQ(root_generation_from_name("index-0"), 0u);
  EXPECT_EQ(root_generation_from_name("index-17"), 17u);
  EXPECT_EQ(root_generation_from_name("index-007"), 7u);
  // Long.parseLong: 19 digits up to Long.MAX_VALUE are generations; past it, never.
  EXPECT_EQ(root_generation_from_name("index-1234567890123456789"), 1234567890123456789u);
  EXPECT_EQ(root_generation_from_name("index-9223372036854775807"), 9223372036854775807u);
  for (const char* bad :
       {"index-", "index", "index.latest", "index--1", "index-1a", "index-bqlx9XfiQMycKHhCFspR2g",
        "index-9223372036854775808", "index-9999999999999999999", "index-12345678901234567890",
        "xindex-1", "index- 1"})
    EXPECT_EQ(root_generation_from_name(bad), std::nullopt) << bad;
  EXPECT_TRUE(is_out_of_range_generation("index-9223372036854775808"));
  EXPECT_TRUE(is_out_of_range_generation("index-12345678901234567890"));
  EXPECT_FALSE(is_out_of_range_generation("index-9223372036854775807"));
  EXPECT_FALSE(is_out_of_range_generation("index-bqlx9XfiQMycKHhCFspR2g"));
  EXPECT_FALSE(is_out_of_range_generation("index-"));
  EXPECT_EQ(shard_generation_from_name("index-3"), 3u);
  EXPECT_EQ(shard_generation_from_name("index-5wMZ7Of_SZSss80slYDV1w"), std::nullopt);
}

TEST(RepoFormatSnapshotInfo, RealBlobs) {
  auto s1 = parse_snapshot_info(framed("es8-c/snap-bfmaGqa7QGyBjFgaVBSGVg.dat", kCodecSnapshot));
  ASSERT_TRUE(s1.ok()) << s1.error().message;
  EXPECT_EQ(s1->name, "s1");
  EXPECT_EQ(s1->uuid, "bfmaGqa7QGyBjFgaVBSGVg");
  EXPECT_EQ(s1->version_id, 8536000);
  EXPECT_EQ(s1->state, "SUCCESS");
  EXPECT_EQ(s1->indices, std::vector<std::string>{"repofmt-idx-repofmt-es8-c"});
  EXPECT_EQ(s1->include_global_state, false);
  EXPECT_EQ(s1->metadata, json::parse(R"({"who":"repofmt","n":42})"));
  EXPECT_EQ(s1->start_time, 1796118677746);
  EXPECT_EQ(s1->end_time, 1796118677946);
  EXPECT_EQ(s1->total_shards, 2);
  EXPECT_EQ(s1->successful_shards, 2);
  EXPECT_TRUE(s1->failures.empty());
  EXPECT_FALSE(s1->remote_store_index_shallow_copy);
  auto o = parse_snapshot_info(framed("os1/snap-OWpOFTGyR924p0wM4qx1EA.dat", kCodecSnapshot));
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->name, "s2");
  EXPECT_EQ(o->version_id, 135249827);
  EXPECT_EQ(version_id_to_string(*o->version_id), "1.3.20");
  EXPECT_EQ(o->include_global_state, false);
  EXPECT_TRUE(o->metadata.is_null());  // written as null
  auto six = parse_snapshot_info(framed("es6/snap-1wBEIvVPQHaQgR_szsZOKg.dat", kCodecSnapshot));
  ASSERT_TRUE(six.ok()) << six.error().message;
  EXPECT_EQ(version_id_to_string(*six->version_id), "6.8.23");
  EXPECT_TRUE(six->data_streams.empty());  // 6.x writes no data_streams
  EXPECT_EQ(six->start_time, 1796120098125);
  auto nine = parse_snapshot_info(framed("es9/snap-328vG-iTSqCyZQvzwfxeqA.dat", kCodecSnapshot));
  ASSERT_TRUE(nine.ok()) << nine.error().message;
  EXPECT_EQ(nine->version_id, 9039001);
}

TEST(RepoFormatSnapshotInfo, VersionIdsAndFailuresAndHostile) {
  EXPECT_EQ(version_id_to_string(7172999), "7.17.29");
  EXPECT_EQ(version_id_to_string(5062399), "5.6.23");
  EXPECT_EQ(version_id_to_string(137247827), "3.3.0");
  EXPECT_EQ(version_id_to_string(135249827), "1.3.20");
  EXPECT_EQ(version_id_to_string(8536000), "");  // an IndexVersion, not a release
  EXPECT_EQ(version_id_to_string(9039001), "");  // Elasticsearch 9.2.0's
  EXPECT_EQ(version_id_to_string(9020099), "9.2.0");
  EXPECT_EQ(version_id_to_string(6082399), "6.8.23");
  EXPECT_EQ(version_id_to_string(0), "");
  auto p = parse_snapshot_info(json::parse(R"({"snapshot":{"name":"p","uuid":"U","state":"PARTIAL",
      "failures":[{"index":"i","index_uuid":"I","shard_id":1,"reason":"boom","node_id":"n","status":"INTERNAL_SERVER_ERROR"}],
      "remote_store_index_shallow_copy":true,"pinned_timestamp":5}})"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->failures.size(), 1u);
  EXPECT_EQ(p->failures[0].shard_id, 1);
  EXPECT_EQ(p->failures[0].reason, "boom");
  EXPECT_TRUE(p->remote_store_index_shallow_copy);
  EXPECT_EQ(p->pinned_timestamp, 5);
  for (const char* bad :
       {R"([])", R"({"snapshot":[]})", R"({"snapshot":{}})",
        R"({"snapshot":{"name":"a","indices":"x"}})", R"({"snapshot":{"name":"a","failures":[1]}})",
        R"({"snapshot":{"name":"a","start_time":"z"}})",
        R"({"snapshot":{"name":"a","include_global_state":"yes"}})"}) {
    auto r = parse_snapshot_info(json::parse(bad));
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_EQ(r.error().code, ErrorCode::kParse);
  }
}

TEST(RepoFormatShardSnapshot, RealShardSnapshotAndIndex) {
  const auto dir = std::string("es8-c/indices/hzVE3NcWTQSSz4VeFXlElQ/0/");
  auto s = parse_shard_snapshot(framed(dir + "snap-bfmaGqa7QGyBjFgaVBSGVg.dat", kCodecSnapshot));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->name, "s1");
  EXPECT_EQ(s->start_time, 1796118677746);
  EXPECT_EQ(s->time, 200);
  EXPECT_EQ(s->number_of_files, 4);
  EXPECT_EQ(s->total_size, 4777);
  ASSERT_EQ(s->files.size(), 4u);
  const auto& cfs = s->files[2];
  EXPECT_EQ(cfs.name, "__MqlrGnchTAGp3V7-Yb2EEQ");
  EXPECT_EQ(cfs.physical_name, "_0.cfs");
  EXPECT_EQ(cfs.length, 3413u);
  EXPECT_EQ(cfs.checksum, "1bve28b");
  EXPECT_EQ(cfs.part_size, 2048u);
  EXPECT_EQ(cfs.written_by, "9.12.2");
  EXPECT_EQ(cfs.number_of_parts(), 2u);
  EXPECT_EQ(cfs.part_name(1), "__MqlrGnchTAGp3V7-Yb2EEQ.part1");
  EXPECT_EQ(cfs.part_length(0), 2048u);
  EXPECT_EQ(cfs.part_length(1), 3413u - 2048u);
  EXPECT_FALSE(cfs.is_virtual());
  EXPECT_TRUE(s->files[1].is_virtual());
  EXPECT_EQ(s->files[1].meta_hash.size(), s->files[1].length);
  // total_size is incremental: the sum of the files this snapshot added
  std::uint64_t sum = 0;
  for (const auto& f : s->files) sum += f.length;
  EXPECT_EQ(static_cast<std::int64_t>(sum), s->total_size);

  auto idx =
      parse_shard_snapshots(framed(dir + "index-bqlx9XfiQMycKHhCFspR2g", kCodecShardSnapshots));
  ASSERT_TRUE(idx.ok()) << idx.error().message;
  ASSERT_EQ(idx->snapshots.size(), 2u);
  EXPECT_EQ(idx->snapshots[0].snapshot, "s1");
  EXPECT_EQ(idx->snapshots[0].files.size(), 4u);
  EXPECT_TRUE(idx->snapshots[0].shard_state_id.has_value());
  // every name a snapshot lists is a file of the index
  for (const auto& e : idx->snapshots)
    for (const auto& n : e.files) {
      bool found = false;
      for (const auto& f : idx->files) found = found || f.name == n;
      EXPECT_TRUE(found) << n;
    }
}

TEST(RepoFormatShardSnapshot, PartsArithmeticAndHostile) {
  EXPECT_EQ(number_of_parts(0, 10), 1u);
  EXPECT_EQ(number_of_parts(1, 10), 1u);
  EXPECT_EQ(number_of_parts(10, 10), 1u);
  EXPECT_EQ(number_of_parts(11, 10), 2u);
  EXPECT_EQ(number_of_parts(5, std::nullopt), 1u);
  EXPECT_EQ(part_name("__a", 0, 1), "__a");
  EXPECT_EQ(part_name("__a", 3, 4), "__a.part3");
  // JSON-encoded file info: meta_hash in base64, part_size Long.MAX_VALUE = unsplit
  auto f = parse_file_info(
      json::parse(R"({"name":"v__x","physical_name":"_0.si","length":3,"checksum":"1",
                                           "meta_hash":"AQID","part_size":9223372036854775807})"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->meta_hash, (Bytes{1, 2, 3}));
  EXPECT_EQ(f->part_size, std::nullopt);
  for (const char* bad :
       {R"({"physical_name":"a","length":1,"checksum":"1"})",
        R"({"name":"__a","physical_name":"a","length":-1,"checksum":"1"})",
        R"({"name":"__a","physical_name":"a","length":1,"checksum":"1","part_size":0})",
        R"({"name":"../../etc","physical_name":"a","length":1,"checksum":"1"})",
        R"({"name":"__a/../b","physical_name":"a","length":1,"checksum":"1"})",
        R"({"name":"__a","physical_name":"a","length":1,"checksum":"1","meta_hash":"%%"})",
        R"({"name":"__a","physical_name":"a","length":"big","checksum":"1"})"}) {
    auto r = parse_file_info(json::parse(bad));
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_FALSE(parse_shard_snapshot(json::parse(R"({"files":[]})")).ok());
  EXPECT_FALSE(parse_shard_snapshots(json::parse(R"({"snapshots":[]})")).ok());
  EXPECT_FALSE(parse_shard_snapshots(json::parse(R"({"snapshots":{"s":{"files":[1]}}})")).ok());
  auto e = parse_shard_snapshots(json::parse(R"({})"));
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->files.empty());
}

TEST(RepoFormatIndexMetadata, RealAndNested) {
  auto m = parse_index_metadata(framed(
      "os1/indices/idOMqUL1Q4-trHq_40IkBA/meta-hKkZMaIBvRW13mxdvKFd.dat", kCodecIndexMetadata));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->name, "repofmt-idx-repofmt-os1");
  EXPECT_EQ(m->uuid, "zf28XyEbQNaLwzWpv6-sIA");
  EXPECT_EQ(m->number_of_shards, 2);
  EXPECT_EQ(m->number_of_replicas, 0);
  EXPECT_EQ(m->created_version, 135249827);
  EXPECT_EQ(m->created_version_text, "1.3.20");
  EXPECT_EQ(m->state, "open");
  auto e = parse_index_metadata(framed(
      "es8-c/indices/hzVE3NcWTQSSz4VeFXlElQ/meta-hvUEMaIBh2o9occGCpFF.dat", kCodecIndexMetadata));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->created_version, 8536000);
  EXPECT_EQ(e->created_version_text, "");
  auto n = parse_index_metadata(json::parse(
      R"({"i":{"settings":{"index":{"number_of_shards":"3","uuid":"U","version":{"created":"7172999"}}}}})"));
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(n->number_of_shards, 3);
  EXPECT_EQ(n->created_version_text, "7.17.29");
  for (const char* bad : {R"({})", R"({"a":{},"b":{}})", R"({"i":[]})", R"({"i":{"settings":{}}})",
                          R"({"i":{"settings":{"index.number_of_shards":"0"}}})",
                          R"({"i":{"settings":{"index.number_of_shards":"x"}}})"})
    EXPECT_FALSE(parse_index_metadata(json::parse(bad)).ok()) << bad;
}

TEST(RepoFormatShardPaths, RealBlobAndNames) {
  auto blobs = find_blobs("os3-z", "snapshot_path_");
  ASSERT_EQ(blobs.size(), 1u);
  auto name = parse_shard_paths_name(blobs[0].filename().string());
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->index_id, "aItlkA8fS0-MNYGrId24vw");
  EXPECT_EQ(name->index_name, "repofmt-idx-repofmt-os3-z");
  EXPECT_EQ(name->shard_count, 2);
  EXPECT_EQ(name->path_type, 1);
  EXPECT_EQ(name->hash_algorithm, 1);
  auto p = parse_shard_paths(read_bytes(blobs[0]));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->number_of_shards, 2);
  ASSERT_EQ(p->paths.size(), 2u);
  EXPECT_EQ(p->paths[0], "b01010000110011/indices/aItlkA8fS0-MNYGrId24vw/0/");
  EXPECT_EQ(p->paths[1], "N10011000110000/indices/aItlkA8fS0-MNYGrId24vw/1/");
  // dotted index names split from the right
  auto dotted = parse_shard_paths_name("snapshot_path_ID.my.dotted.index.5.2.0");
  ASSERT_TRUE(dotted.has_value());
  EXPECT_EQ(dotted->index_name, "my.dotted.index");
  EXPECT_EQ(dotted->shard_count, 5);
  for (const char* bad :
       {"snapshot_path_", "snapshot_path_ID.name.1.2", "snapshot_path_ID.name.x.1.1",
        "snapshot_path_.name.1.1.1", "other_ID.name.1.1.1"})
    EXPECT_EQ(parse_shard_paths_name(bad), std::nullopt) << bad;
  for (
      const char* bad :
      {R"({"indexId":"I","indexName":"n","number_of_shards":1,"shard_path_type":1,"paths":["../indices/I/0/"]})",
       R"({"indexId":"I","indexName":"n","number_of_shards":1,"shard_path_type":1,"paths":["/abs/indices/I/0/"]})",
       R"({"indexId":"I","indexName":"n","number_of_shards":2,"shard_path_type":1,"paths":["x/indices/I/0/"]})",
       R"({"indexId":"I","indexName":"n","number_of_shards":1,"shard_path_type":1,"paths":["x/indices/J/0/"]})",
       R"({"indexId":"I","indexName":"n","number_of_shards":1,"shard_path_type":1})", "nope"})
    EXPECT_FALSE(parse_shard_paths(bytes_of(bad)).ok()) << bad;
}

// The parsers together: from each fixture's root index-N, every implied blob exists.
class RepoFormatWalk : public ::testing::TestWithParam<const char*> {};

TEST_P(RepoFormatWalk, EveryImpliedBlobExists) {
  const fs::path root = fixture_root() / GetParam();
  std::uint64_t gen = 0;
  for (const auto& e : fs::directory_iterator(root))
    if (auto g = root_generation_from_name(e.path().filename().string())) gen = std::max(gen, *g);
  EXPECT_EQ(gen, *parse_index_latest(read_bytes(root / "index.latest")));
  auto repo = parse_repository_data(read_bytes(root / ("index-" + std::to_string(gen))));
  ASSERT_TRUE(repo.ok()) << repo.error().message;
  for (const auto& s : repo->snapshots) {
    auto info = read_framed_blob(read_bytes(root / ("snap-" + s.uuid + ".dat")), kCodecSnapshot);
    ASSERT_TRUE(info.ok()) << s.uuid;
    auto si = parse_snapshot_info(*info);
    ASSERT_TRUE(si.ok());
    EXPECT_EQ(si->name, s.name);
    EXPECT_EQ(si->state, to_string(*s.state));
  }
  for (const auto& idx : repo->indices) {
    std::vector<std::string> shard_dirs;
    if (idx.shard_path_type.value_or(0) != 0) {
      auto blobs = find_blobs(GetParam(), "snapshot_path_" + idx.id + ".");
      ASSERT_EQ(blobs.size(), 1u);
      auto p = parse_shard_paths(read_bytes(blobs[0]));
      ASSERT_TRUE(p.ok());
      shard_dirs = p->paths;
    } else {
      for (std::size_t i = 0; i < idx.shard_generations.size(); ++i)
        shard_dirs.push_back("indices/" + idx.id + "/" + std::to_string(i) + "/");
    }
    if (!idx.has_shard_generations) {  // before 7.6: one folder per shard, the metadata says how
                                       // many
      auto any = repo->snapshot_by_uuid(idx.snapshots.at(0));
      auto meta = read_framed_blob(
          read_bytes(root / "indices" / idx.id /
                     ("meta-" + *repo->index_metadata_blob_id(*any, idx) + ".dat")),
          kCodecIndexMetadata);
      ASSERT_TRUE(meta.ok());
      for (std::int64_t i = 0; i < parse_index_metadata(*meta)->number_of_shards; ++i)
        shard_dirs.push_back("indices/" + idx.id + "/" + std::to_string(i) + "/");
    }
    if (idx.has_shard_generations) ASSERT_EQ(shard_dirs.size(), idx.shard_generations.size());
    for (const auto& uuid : idx.snapshots) {
      const auto* s = repo->snapshot_by_uuid(uuid);
      ASSERT_NE(s, nullptr);
      auto blob_id = repo->index_metadata_blob_id(*s, idx);
      ASSERT_TRUE(blob_id.has_value());
      auto meta =
          read_framed_blob(read_bytes(root / "indices" / idx.id / ("meta-" + *blob_id + ".dat")),
                           kCodecIndexMetadata);
      ASSERT_TRUE(meta.ok());
      auto im = parse_index_metadata(*meta);
      ASSERT_TRUE(im.ok());
      EXPECT_EQ(im->name, idx.name);
      EXPECT_EQ(static_cast<std::size_t>(im->number_of_shards), shard_dirs.size());
      for (const auto& dir : shard_dirs) {
        auto ss =
            read_framed_blob(read_bytes(root / dir / ("snap-" + uuid + ".dat")), kCodecSnapshot);
        ASSERT_TRUE(ss.ok()) << dir << uuid;
        auto shard = parse_shard_snapshot(*ss);
        ASSERT_TRUE(shard.ok());
        EXPECT_EQ(shard->name, s->name);
      }
    }
    for (std::size_t i = 0; i < shard_dirs.size(); ++i) {
      std::string gen;
      if (idx.has_shard_generations) {
        ASSERT_EQ(idx.shard_generations[i].kind, ShardGen::Kind::kValue);
        gen = idx.shard_generations[i].value;
      } else {  // the highest numeric index-<n> in the shard folder
        std::optional<std::uint64_t> best;
        for (const auto& e : fs::directory_iterator(root / shard_dirs[i]))
          if (auto n = shard_generation_from_name(e.path().filename().string()))
            best = std::max(best.value_or(0), *n);
        ASSERT_TRUE(best.has_value()) << shard_dirs[i];
        gen = std::to_string(*best);
      }
      auto ix = read_framed_blob(read_bytes(root / shard_dirs[i] / ("index-" + gen)),
                                 kCodecShardSnapshots);
      ASSERT_TRUE(ix.ok()) << shard_dirs[i] << gen;
      auto shards = parse_shard_snapshots(*ix);
      ASSERT_TRUE(shards.ok());
      EXPECT_EQ(shards->snapshots.size(), idx.snapshots.size());
      for (const auto& f : shards->files)
        if (!f.is_virtual())
          for (std::uint64_t p = 0; p < f.number_of_parts(); ++p)
            EXPECT_TRUE(fs::exists(root / shard_dirs[i] / f.part_name(p))) << f.part_name(p);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, RepoFormatWalk,
                         ::testing::Values("es6", "es710", "es717", "es8-c", "es8-u", "es9", "os1",
                                           "os3-z"),
                         [](const auto& info) {
                           std::string n = info.param;
                           n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                           return n;
                         });

}  // namespace
}  // namespace essnap::format

#include "essnap/format/shallow_snapshot.hpp"
#include "inspect_test_util.hpp"

namespace essnap::format {
namespace {

// No fixture: the stack's OpenSearch has no remote store. The shape is the one
// RemoteStoreShardShallowCopySnapshot.toXContent writes, framed as the engine frames it.
TEST(RepoFormatShallowSnapshot, ParsesTheWrittenShapeAndRequiresItsFields) {
  const std::string body = R"({"version":"1","name":"s1","index_version":3,"start_time":10,"time":5,
      "number_of_files":4,"total_size":4096,"index_uuid":"IU","remote_store_repository":"rs",
      "commit_generation":7,"primary_term":1,"remote_store_repository_base_path":"base/",
      "file_names":["_0.cfs","segments_7"]})";
  auto framed = read_framed_blob(
      lucene_frame("snapshot", 1, bytes_of(testing::to_smile(json::parse(body)))), kCodecSnapshot);
  ASSERT_TRUE(framed.ok());
  auto s = parse_shallow_shard_snapshot(*framed);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->name, "s1");
  EXPECT_EQ(s->index_version, 3);
  EXPECT_EQ(s->number_of_files, 4);
  EXPECT_EQ(s->total_size, 4096);
  EXPECT_EQ(s->remote_store_repository, "rs");
  EXPECT_EQ(s->repository_base_path, "base/");
  EXPECT_EQ(s->commit_generation, 7);
  EXPECT_EQ(s->file_names, (std::vector<std::string>{"_0.cfs", "segments_7"}));
  auto legacy = json::parse(body);
  legacy.erase("index_version");
  legacy["index-version"] = 2;
  EXPECT_EQ(parse_shallow_shard_snapshot(legacy)->index_version, 2);
  for (const char* field : {"version", "name", "primary_term", "commit_generation", "index_uuid",
                            "remote_store_repository", "remote_store_repository_base_path"}) {
    auto j = json::parse(body);
    j.erase(field);
    auto r = parse_shallow_shard_snapshot(j);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_NE(r.error().message.find(field), std::string::npos) << r.error().message;
  }
  auto neg = json::parse(body);
  neg["primary_term"] = -1;
  EXPECT_FALSE(parse_shallow_shard_snapshot(neg).ok());
  auto files = json::parse(body);
  files["file_names"] = "x";
  EXPECT_FALSE(parse_shallow_shard_snapshot(files).ok());
}

}  // namespace
}  // namespace essnap::format
