// The repository-format writers against the readers: SMILE encode -> decode over many shapes and
// byte for byte against every SMILE document the engines wrote in tests/data; frame_blob against
// check_framed_blob / unframe_blob and against the engines' framed blobs; the root index-N and the
// shard index-<gen> / snap-*.dat of every fixture repository parsed, written and parsed again.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "essnap/format/framing.hpp"
#include "essnap/format/lucene_footer.hpp"
#include "essnap/format/root_index.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/format/smile.hpp"
#include "format_fixtures.hpp"

namespace essnap::format {
namespace {

namespace fs = std::filesystem;
using namespace essnap::format::testing;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// Real engine repositories held by the tests: every tests/data/repo/<engine> plus the inspect
// fixtures written by Elasticsearch 8 and OpenSearch 2.
std::vector<fs::path> engine_repos() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fixture_root()))
    if (e.is_directory()) out.push_back(e.path());
  const fs::path inspect = fs::path(ESSNAP_TEST_DATA_DIR) / "inspect";
  out.push_back(inspect / "es8");
  out.push_back(inspect / "os2");
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool is_framed(const Bytes& b) {
  return b.size() > 4 && b[0] == 0x3F && b[1] == 0xD7 && b[2] == 0x6C && b[3] == 0x17;
}

bool in_shard_folder(const fs::path& p) {  // indices/<id>/<shard>/<blob>
  return p.parent_path().parent_path().parent_path().filename() == "indices";
}

std::vector<fs::path> root_blobs(const fs::path& repo) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(repo))
    if (e.is_regular_file() && root_generation_from_name(e.path().filename().string()))
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string text_of(const Bytes& b) {
  std::string s(b.begin(), b.end());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

json round_trip(const json& x, const SmileWriteOptions& o = {}) {
  auto r = decode_smile(encode_smile(x, o));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message) << " for " << x.dump();
  return r.ok() ? *r : json("<decode failed>");
}

// ---------------------------------------------------------------- SMILE

TEST(FormatSmileWrite, HeaderFlags) {
  auto b = encode_smile(json::object());
  ASSERT_EQ(b.size(), 6u);
  EXPECT_EQ(b[3], 0x05);  // shared names + raw binary: what Elasticsearch writes
  EXPECT_EQ(b[4], 0xFA);
  EXPECT_EQ(b[5], 0xFB);
  EXPECT_EQ(encode_smile(json(nullptr), {false, true, false})[3], 0x02);
}

TEST(FormatSmileWrite, ScalarsRoundTrip) {
  const std::vector<json> values = {nullptr,
                                    true,
                                    false,
                                    0,
                                    1,
                                    -1,
                                    15,
                                    -16,
                                    16,
                                    -17,
                                    31,
                                    32,
                                    63,
                                    64,
                                    8191,
                                    8192,
                                    INT32_MAX,
                                    INT32_MIN,
                                    std::int64_t{INT32_MAX} + 1,
                                    std::int64_t{INT32_MIN} - 1,
                                    INT64_MAX,
                                    INT64_MIN,
                                    std::uint64_t{1} << 40,
                                    0.0,
                                    -0.0,
                                    1.5,
                                    -1e300,
                                    3.141592653589793,
                                    5e-324,
                                    "",
                                    "a",
                                    std::string(64, 'x'),
                                    std::string(65, 'x'),
                                    std::string(66, 'y'),
                                    std::string(100000, 'z'),
                                    "\xC3\xA9",
                                    "\xE2\x82\xAC\xF0\x9F\x98\x80",
                                    json::binary({}),
                                    json::binary({0}),
                                    json::binary({1, 2, 3, 4, 5, 6, 7}),
                                    json::binary({0xFF, 0xFE, 0xFD})};
  for (const auto& v : values) {
    EXPECT_EQ(round_trip(v), v) << v.dump(-1, ' ', false, json::error_handler_t::replace);
    EXPECT_EQ(round_trip(v, {true, true, false}), v);  // 7-bit binary, shared values
  }
}

TEST(FormatSmileWrite, IntegerTokens) {
  // small int, int32, int64 as Jackson picks them
  EXPECT_EQ(encode_smile(json(-16))[4], 0xDF);
  EXPECT_EQ(encode_smile(json(16))[4], 0x24);
  EXPECT_EQ(encode_smile(json(INT32_MAX))[4], 0x24);
  EXPECT_EQ(encode_smile(json(std::int64_t{INT32_MAX} + 1))[4], 0x25);
  EXPECT_EQ(encode_smile(json(std::uint64_t{1} << 40))[4], 0x25);
  // Unsigned past INT64_MAX: a BigInteger, which the decoder gives back as its decimal text.
  const json huge = std::numeric_limits<std::uint64_t>::max();
  auto b = encode_smile(huge);
  EXPECT_EQ(b[4], 0x26);
  EXPECT_EQ(round_trip(huge), json("18446744073709551615"));
  EXPECT_EQ(round_trip(json(std::uint64_t{1} << 63)), json("9223372036854775808"));
}

TEST(FormatSmileWrite, StringTokens) {
  EXPECT_EQ(encode_smile(json(std::string(64, 'a')))[4], 0x7F);  // short ASCII, 64
  EXPECT_EQ(encode_smile(json(std::string(65, 'a')))[4], 0xE0);  // long ASCII
  EXPECT_EQ(encode_smile(json("\xC3\xA9"))[4], 0x80);            // short Unicode, 2 bytes
  std::string u64;
  for (int i = 0; i < 32; ++i) u64 += "\xC3\xA9";  // 32 units, 64 bytes
  EXPECT_EQ(encode_smile(json(u64))[4], 0xBE);
  EXPECT_EQ(encode_smile(json(u64 + "\xC3\xA9"))[4], 0xE4);  // 66 bytes: long Unicode
}

TEST(FormatSmileWrite, NestedAndOrderedRoundTrip) {
  json x = json::parse(R"({"a":[1,[2,[3,{"b":null}]],{}],"c":{"d":{"e":{"f":[true,false,"g"]}}},
                          "":"empty key","\u00e9t\u00e9":"unicode key","z":[]})");
  x["bin"] = json::binary({9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_EQ(round_trip(x), x);
  json deep = 1;
  for (int i = 0; i < 200; ++i) deep = json::array({deep, json{{"k", i}}});
  EXPECT_EQ(round_trip(deep), deep);

  ojson o = ojson::parse(R"({"z":1,"a":2,"m":{"y":1,"b":2}})");
  auto r = decode_smile_ordered(encode_smile(o));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, o);
  EXPECT_EQ(r->dump(), o.dump());  // keys in the order written
}

TEST(FormatSmileWrite, SharedNamesPastTheTable) {
  // 1500 distinct names (the 1024-entry table restarts inside the object), then an object of the
  // last 400 names written (in the table since the restart: back references, some past index
  // 255), then the 1500 again (evicted ones written anew); long and Unicode names too.
  json big = json::object();
  for (int i = 0; i < 1500; ++i) big["name" + std::to_string(i)] = i;
  big[std::string(70, 'L')] = "long name";
  big["\xC3\xA9l\xC3\xA8ve"] = "unicode name";
  json recent = json::object();
  int pos = 0;
  for (const auto& [k, v] : big.items())
    if (pos++ >= 1102) recent[k] = v;
  const json a = json::array({big, recent, big});
  EXPECT_EQ(round_trip(a), a);
  EXPECT_EQ(round_trip(a, {false, false, true}), a);
  auto shared = encode_smile(a);
  auto unshared = encode_smile(a, {false, false, true});
  EXPECT_LT(shared.size(), unshared.size());
}

TEST(FormatSmileWrite, SharedValuesPastTheTable) {
  json a = json::array();
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 1500; ++i) a.push_back("v" + std::to_string(i));
  a.push_back(std::string(65, 'n'));  // too long to share
  a.push_back(std::string(65, 'n'));
  EXPECT_EQ(round_trip(a, {true, true, true}), a);
  // 0xFE / 0xFF never appear as a reference's second byte (Jackson's _validBackRef)
  EXPECT_EQ(round_trip(a, {false, true, false}), a);
}

// Every SMILE document the engines wrote in the fixtures re-encodes to the same bytes.
TEST(FormatSmileWrite, EngineDocumentsReencodeByteForByte) {
  int n = 0;
  for (const auto& repo : engine_repos())
    for (const auto& p : files_under(repo)) {
      const Bytes blob = read_bytes(p);
      if (!is_framed(blob)) continue;
      auto content = unframe_blob(blob, "");
      if (!content.ok() || !is_smile(*content)) continue;
      auto doc = decode_smile_ordered(*content);
      ASSERT_TRUE(doc.ok()) << p << ": " << doc.error().message;
      SmileWriteOptions o;
      o.shared_names = ((*content)[3] & 0x01) != 0;
      o.shared_values = ((*content)[3] & 0x02) != 0;
      o.raw_binary = ((*content)[3] & 0x04) != 0;
      EXPECT_EQ(encode_smile(*doc, o), *content) << p;
      ++n;
    }
  EXPECT_GT(n, 100);
}

// ---------------------------------------------------------------- framing

TEST(FormatFramingWrite, FrameThenUnframeAllCompressions) {
  json doc = {{"name", "s1"}, {"files", json::array({1, 2, 3})}, {"big", std::string(50000, 'q')}};
  const auto content = encode_smile(doc);
  for (Compression c : {Compression::kNone, Compression::kDeflate, Compression::kZstd}) {
    for (std::string_view codec :
         {kCodecSnapshot, kCodecMetadata, kCodecIndexMetadata, kCodecShardSnapshots}) {
      const auto blob = frame_blob(content, codec, c);
      auto info = check_framed_blob(blob, codec);
      ASSERT_TRUE(info.ok()) << to_string(c) << ": " << info.error().message;
      EXPECT_EQ(info->codec, codec);
      EXPECT_EQ(info->version, 1);
      EXPECT_EQ(info->compression, c);
      auto back = unframe_blob(blob, codec);
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(*back, content);
      auto parsed = read_framed_blob(write_framed_blob(doc, codec, c), codec);
      ASSERT_TRUE(parsed.ok());
      EXPECT_EQ(*parsed, doc);
    }
  }
}

TEST(FormatFramingWrite, EmptyAndOddCodecNames) {
  const Bytes none;
  auto blob = frame_blob(none, "snapshot", Compression::kDeflate);
  auto back = unframe_blob(blob, "snapshot");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->empty());
  // a codec name of 127 bytes (the longest CodecUtil accepts) still frames and parses
  const std::string c127(127, 'c');
  auto h = parse_header(frame_blob(encode_smile(json(1)), c127, Compression::kNone));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->codec, c127);
}

// The engines' framed blobs, unframed and framed again with the same codec and compression:
// byte-identical (see docs/REPOSITORY_FORMAT.md "Writing" for what zstd may change).
TEST(FormatFramingWrite, EngineBlobsReframeByteForByte) {
  int same = 0, total = 0;
  std::vector<std::string> differ;
  for (const auto& repo : engine_repos())
    for (const auto& p : files_under(repo)) {
      const Bytes blob = read_bytes(p);
      if (!is_framed(blob)) continue;
      auto info = check_framed_blob(blob, "");
      if (!info.ok()) continue;
      auto content = unframe_blob(blob, info->codec);
      ASSERT_TRUE(content.ok()) << p;
      ++total;
      if (frame_blob(*content, info->codec, info->compression) == blob)
        ++same;
      else
        differ.push_back(p.string() + " (" + to_string(info->compression) + ")");
    }
  EXPECT_GT(total, 100);
  EXPECT_EQ(same, total) << "not byte-identical: " << ::testing::PrintToString(differ);
}

// ---------------------------------------------------------------- root index-N

TEST(FormatRootWrite, EngineRootsRoundTrip) {
  int n = 0;
  for (const auto& repo : engine_repos())
    for (const auto& p : root_blobs(repo)) {
      const Bytes original = read_bytes(p);
      auto d = parse_repository_data(original);
      ASSERT_TRUE(d.ok()) << p << ": " << d.error().message;
      const std::string written = write_repository_data(*d);
      // same JSON value, keys in the same order, and here the same text
      EXPECT_EQ(ojson::parse(written), ojson::parse(original)) << p;
      EXPECT_EQ(written, text_of(original)) << p;
      auto again = parse_repository_data(bytes_of(written));
      ASSERT_TRUE(again.ok()) << again.error().message;
      EXPECT_EQ(*again, *d) << p;
      ++n;
    }
  EXPECT_GE(n, 10);
}

TEST(FormatRootWrite, UnknownFieldsKeptInPlace) {
  const std::string root =
      R"({"future_top":{"x":[1,2]},"min_version":"7.12.0","uuid":"U",)"
      R"("cluster_id":"C","snapshots":[{"name":"s","uuid":"A","extra_s":1,)"
      R"("state":1,"index_metadata_lookup":{"i2":"m2","i1":"m1"},)"
      R"("version":8536000,"later":"yes"}],"indices":{"zz":{"id":"i1",)"
      R"("hint":true,"snapshots":["A"],"shard_generations":["g",null,"_new"]},)"
      R"("aa":{"id":"i2","snapshots":[],"shard_path_type":2}},)"
      R"("index_metadata_identifiers":{"m2":"b2","m1":"b1"},"tail":null})";
  auto d = parse_repository_data(bytes_of(root));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->extra.dump(), R"({"future_top":{"x":[1,2]},"tail":null})");
  EXPECT_EQ(d->snapshots[0].extra.dump(), R"({"extra_s":1,"later":"yes"})");
  EXPECT_EQ(d->indices[0].name, "zz");  // order as read
  EXPECT_EQ(d->indices[0].extra.dump(), R"({"hint":true})");
  EXPECT_EQ(d->min_version_id, std::nullopt);
  EXPECT_EQ(write_repository_data(*d), root);
  auto again = parse_repository_data(bytes_of(write_repository_data(*d)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *d);
}

TEST(FormatRootWrite, NullsAndIntVersionsAsRead) {
  const std::string root =
      R"({"min_version":8100000,"uuid":"U","cluster_id":"C",)"
      R"("snapshots":[{"name":"s","uuid":"A","state":3,"version":null,)"
      R"("slm_policy":null,"index_metadata_lookup":{}}],)"
      R"("indices":{"i":{"id":"I","snapshots":null,"shard_generations":null}},)"
      R"("index_metadata_identifiers":{}})";
  auto d = parse_repository_data(bytes_of(root));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->min_version_id, 8100000);
  const std::string w = write_repository_data(*d);
  EXPECT_EQ(w, R"({"min_version":8100000,"uuid":"U","cluster_id":"C",)"
               R"("snapshots":[{"name":"s","uuid":"A","state":3,"version":null,)"
               R"("slm_policy":null,"index_metadata_lookup":{}}],)"
               R"("indices":{"i":{"id":"I","snapshots":[],"shard_generations":null}},)"
               R"("index_metadata_identifiers":{}})");
  auto again = parse_repository_data(bytes_of(w));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *d);
}

// Found by the root_index fuzz target: a parsed root never gains keys it did not have.
TEST(FormatRootWrite, NoKeyAddedToWhatWasRead) {
  for (const std::string root :
       {R"({"snapsion":"7.9.0","other":{"a":"b"}})", R"({"indices":{"i":{"id":"I"}}})",
        R"({"snapshots":[{"name":"s","uuid":"A"}]})", R"({})"}) {
    auto d = parse_repository_data(bytes_of(root));
    ASSERT_TRUE(d.ok()) << root << ": " << d.error().message;
    EXPECT_EQ(write_repository_data(*d), root);
  }
  // built in code, the same data gets the engine's full layout
  EXPECT_EQ(write_repository_data(RepositoryData{}), R"({"snapshots":[],"indices":{}})");
}

TEST(FormatRootWrite, BuiltInCodeGetsTheEngineLayout) {
  RepositoryData d;
  d.min_version = "7.12.0";
  d.uuid = "U";
  d.cluster_id = "C";
  RepoSnapshot s;
  s.name = "s1";
  s.uuid = "A";
  s.state = RepoSnapshotState::kSuccess;
  s.version = "8.11.0";
  s.index_version = 8536000;
  s.start_time_millis = 1;
  s.end_time_millis = 2;
  s.slm_policy = "";
  s.index_metadata_lookup = {{"I", "M"}};
  d.snapshots.push_back(s);
  RepoIndex i;
  i.name = "idx";
  i.id = "I";
  i.snapshots = {"A"};
  i.has_shard_generations = true;
  i.shard_generations = {ShardGen{ShardGen::Kind::kValue, "g0"}, ShardGen{}};
  d.indices.push_back(i);
  d.index_metadata_identifiers = {{"M", "B"}};
  EXPECT_EQ(write_repository_data(d),
            R"({"min_version":"7.12.0","uuid":"U","cluster_id":"C","snapshots":[{"name":"s1",)"
            R"("uuid":"A","state":1,"index_metadata_lookup":{"I":"M"},"version":"8.11.0",)"
            R"("index_version":8536000,"start_time_millis":1,"end_time_millis":2,)"
            R"("slm_policy":""}],"indices":{"idx":{"id":"I","snapshots":["A"],)"
            R"("shard_generations":["g0",null]}},"index_metadata_identifiers":{"M":"B"}})");
  // without a repository uuid: the OpenSearch / Elasticsearch < 7.12 order
  d.uuid.reset();
  d.cluster_id.reset();
  d.min_version = "7.9.0";
  d.indices[0].shard_path_type = 1;
  const std::string w = write_repository_data(d);
  EXPECT_EQ(w.substr(0, 14), R"({"snapshots":[)");
  EXPECT_NE(w.find(R"("indices":{"idx":{"id":"I","shard_path_type":1,"snapshots")"),
            std::string::npos);
  EXPECT_NE(w.find(R"(}},"min_version":"7.9.0","index_metadata_identifiers")"), std::string::npos);
}

TEST(FormatRootWrite, IndexLatest) {
  for (std::uint64_t g : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0x0102030405060708},
                          static_cast<std::uint64_t>(INT64_MAX)}) {
    const std::string b = write_index_latest(g);
    ASSERT_EQ(b.size(), 8u);
    auto back = parse_index_latest(bytes_of(b));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, g);
  }
  for (const auto& repo : engine_repos()) {
    const Bytes latest = read_bytes(repo / "index.latest");
    auto g = parse_index_latest(latest);
    ASSERT_TRUE(g.ok()) << repo;
    EXPECT_EQ(bytes_of(write_index_latest(*g)), latest) << repo;
  }
}

// ---------------------------------------------------------------- shard level

TEST(FormatShardWrite, EngineShardIndexRoundTripsAndReframesByteForByte) {
  int n = 0;
  for (const auto& repo : engine_repos())
    for (const auto& p : files_under(repo)) {
      if (!in_shard_folder(p) || p.filename().string().rfind("index-", 0) != 0) continue;
      const Bytes blob = read_bytes(p);
      auto info = check_framed_blob(blob, kCodecShardSnapshots);
      ASSERT_TRUE(info.ok()) << p << ": " << info.error().message;
      auto doc = read_framed_blob(blob, kCodecShardSnapshots);
      ASSERT_TRUE(doc.ok()) << p;
      auto sorted = parse_shard_snapshots(*doc);
      ASSERT_TRUE(sorted.ok()) << p << ": " << sorted.error().message;
      EXPECT_EQ(to_json(*sorted), *doc) << p;
      // read in key order (snapshots in the blob's order), written, read again: equal, and the
      // same bytes as the engine's
      auto s = read_shard_snapshots(blob);
      ASSERT_TRUE(s.ok()) << p << ": " << s.error().message;
      const auto written = write_shard_snapshots(*s, info->compression);
      auto s2 = read_shard_snapshots(written);
      ASSERT_TRUE(s2.ok()) << s2.error().message;
      EXPECT_EQ(*s2, *s) << p;
      EXPECT_EQ(written, blob) << p << " (" << to_string(info->compression) << ")";
      // through nlohmann::json too (snapshots by name): equal models
      auto s3 = parse_shard_snapshots(*read_framed_blob(
          write_shard_snapshots(*sorted, info->compression), kCodecShardSnapshots));
      ASSERT_TRUE(s3.ok());
      EXPECT_EQ(*s3, *sorted);
      ++n;
    }
  EXPECT_GE(n, 16);
}

TEST(FormatShardWrite, EngineFileInfosRoundTrip) {
  int n = 0;
  for (const auto& repo : engine_repos())
    for (const auto& p : files_under(repo)) {
      if (!in_shard_folder(p) || p.extension() != ".dat") continue;
      auto doc = read_framed_blob(read_bytes(p), kCodecSnapshot);
      ASSERT_TRUE(doc.ok()) << p;
      for (const auto& f : (*doc)["files"]) {
        auto fi = parse_file_info(f);
        ASSERT_TRUE(fi.ok()) << p << ": " << fi.error().message;
        EXPECT_EQ(to_json(*fi), f) << p;
        auto again = parse_file_info(to_json(*fi));
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(*again, *fi);
        ++n;
      }
    }
  EXPECT_GT(n, 50);
}

TEST(FormatShardWrite, UnknownFieldsAndEdgeValues) {
  json doc = json::parse(R"({"files":[{"name":"__a","physical_name":"_0.cfs","length":10,
      "checksum":"1x","part_size":9223372036854775807,"written_by":"8.0.0","writer_uuid":"w"},
      {"name":"v__b","physical_name":"segments_2","length":3,"checksum":"zz","meta_hash":"AQID"}],
      "snapshots":{"s2":{"files":["__a","v__b"],"shard_state_id":"X","future":[1]},
                   "s1":{"files":[]}},"top_extra":{"k":"v"}})");
  auto s = parse_shard_snapshots(doc);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->files[0].part_size_is_max);
  EXPECT_EQ(s->files[0].extra.dump(), R"({"writer_uuid":"w"})");
  EXPECT_EQ(s->files[1].meta_hash, (std::vector<std::uint8_t>{1, 2, 3}));
  for (Compression c : {Compression::kNone, Compression::kDeflate, Compression::kZstd}) {
    auto back = read_framed_blob(write_shard_snapshots(*s, c), kCodecShardSnapshots);
    ASSERT_TRUE(back.ok());
    auto s2 = parse_shard_snapshots(*back);
    ASSERT_TRUE(s2.ok()) << s2.error().message;
    EXPECT_EQ(*s2, *s);
    EXPECT_EQ((*back)["top_extra"], doc["top_extra"]);
    EXPECT_EQ((*back)["files"][0]["part_size"], doc["files"][0]["part_size"]);
    EXPECT_TRUE((*back)["files"][1]["meta_hash"].is_binary());  // SMILE carries it as binary
  }
  // the engines' key order in what is written
  EXPECT_EQ(to_ordered_json(s->files[0]).begin().key(), "name");
  EXPECT_EQ(to_ordered_json(*s).begin().key(), "files");
}

TEST(FormatShardWrite, SnapshotOrderKeptWhenReadInOrder) {
  ShardSnapshots s;
  for (const char* name : {"zeta", "alpha", "mid"}) {
    ShardSnapshotsEntry e;
    e.snapshot = name;
    s.snapshots.push_back(e);
  }
  auto back = read_shard_snapshots(write_shard_snapshots(s, Compression::kDeflate));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->snapshots.size(), 3u);
  EXPECT_EQ(back->snapshots[0].snapshot, "zeta");
  EXPECT_EQ(back->snapshots[2].snapshot, "mid");
  EXPECT_EQ(*back, s);
  // the wrong codec or JSON content is refused as the reader refuses it
  EXPECT_FALSE(
      read_shard_snapshots(write_framed_blob(json::object(), kCodecSnapshot, Compression::kNone))
          .ok());
}

}  // namespace
}  // namespace essnap::format
