// The shared hostile-bytes corpus (tests/support/malformed_corpus.hpp) through every parser of
// the repository format: as raw bytes, inside a valid Lucene frame (so the bytes reach the
// decompressor/decoder), after a SMILE header, and as JSON handed to the JSON-level parsers.
// Nothing throws; every failure is kParse with a bounded message.
#include <gtest/gtest.h>

#include "essnap/format/framing.hpp"
#include "essnap/format/index_metadata.hpp"
#include "essnap/format/lucene_footer.hpp"
#include "essnap/format/root_index.hpp"
#include "essnap/format/shallow_snapshot.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/format/smile.hpp"
#include "essnap/format/snapshot_info.hpp"
#include "format_fixtures.hpp"
#include "support/malformed_corpus.hpp"

namespace essnap::format {
namespace {

using namespace essnap::format::testing;

template <typename R>
void expect_sane(const R& r, const std::string& what) {
  if (!r.ok()) {
    EXPECT_EQ(r.error().code, ErrorCode::kParse) << what << ": " << r.error().message;
    EXPECT_LT(r.error().message.size(), 400u) << what;
  }
}

TEST(RepoFormatMalformed, CorpusThroughEveryParser) {
  for (const auto& in : essnap::testing::malformed_corpus()) {
    const Bytes raw(in.bytes.begin(), in.bytes.end());
    Bytes smile = smile_header(0x07);
    smile.insert(smile.end(), raw.begin(), raw.end());
    Bytes dfl = bytes_of(std::string("DFL") + '\0');
    dfl.insert(dfl.end(), raw.begin(), raw.end());
    Bytes zstd = bytes_of(std::string("ZSTD") + '\0');
    zstd.insert(zstd.end(), raw.begin(), raw.end());
    EXPECT_NO_THROW({
      expect_sane(decode_smile(raw), in.name + " smile");
      expect_sane(decode_smile(smile), in.name + " smile with header");
      expect_sane(check_framed_blob(raw, ""), in.name + " frame");
      for (const Bytes* body : std::initializer_list<const Bytes*>{&raw, &smile, &dfl, &zstd})
        for (auto codec : {kCodecSnapshot, kCodecShardSnapshots}) {
          const Bytes framed = lucene_frame(codec, 1, *body);
          auto j = read_framed_blob(framed, codec, 1 << 20);
          expect_sane(j, in.name + " framed");
          if (j.ok()) {
            expect_sane(parse_snapshot_info(*j), in.name + " snapshot info");
            expect_sane(parse_shard_snapshot(*j), in.name + " shard snapshot");
            expect_sane(parse_shard_snapshots(*j), in.name + " shard snapshots");
            expect_sane(parse_index_metadata(*j), in.name + " index metadata");
            expect_sane(parse_shallow_shard_snapshot(*j), in.name + " shallow snapshot");
          }
        }
      expect_sane(parse_repository_data(raw), in.name + " repository data");
      expect_sane(parse_index_latest(raw), in.name + " index.latest");
      expect_sane(parse_shard_paths(raw), in.name + " shard paths");
      if (raw.size() >= kFooterLength) {
        expect_sane(parse_footer(std::span(raw).last(kFooterLength)), in.name + " footer");
        expect_sane(verify_footer(raw), in.name + " verify footer");
      }
      expect_sane(parse_header(raw), in.name + " header");
      auto j = nlohmann::json::parse(in.bytes, nullptr, false);
      if (!j.is_discarded()) {
        expect_sane(parse_snapshot_info(j), in.name + " snapshot info json");
        expect_sane(parse_shard_snapshot(j), in.name + " shard json");
        expect_sane(parse_shard_snapshots(j), in.name + " shards json");
        expect_sane(parse_index_metadata(j), in.name + " index metadata json");
        expect_sane(parse_file_info(j), in.name + " file info json");
        expect_sane(parse_shallow_shard_snapshot(j), in.name + " shallow json");
      }
      (void)parse_shard_paths_name(in.bytes);
      (void)root_generation_from_name(in.bytes);
      (void)checksum_from_base36(in.bytes);
    }) << in.name;
  }
}

}  // namespace
}  // namespace essnap::format
