// The bytes of an export: chunk compression (round trips, limits, damaged input), search pages
// and chunk lines parsed without re-serialising (`_source` kept byte for byte), bulk answers, and
// hostile input of every kind never throwing.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "essnap/transfer/codec.hpp"
#include "essnap/transfer/ndjson.hpp"
#include "support/malformed_corpus.hpp"

namespace essnap::transfer {
namespace {

std::string sample_ndjson(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "{\"_id\":\"d" + std::to_string(i) + "\",\"_source\":{\"n\":" + std::to_string(i) +
         ",\"t\":\"text " + std::to_string(i * 7) + "\"}}\n";
  return s;
}

TEST(TransferCodec, EveryCompressionRoundTrips) {
  const std::string data = sample_ndjson(5000);
  for (auto c : {Compression::kZstd, Compression::kGzip, Compression::kNone}) {
    auto packed = compress(c, data);
    ASSERT_TRUE(packed.ok()) << to_string(c);
    if (c != Compression::kNone) EXPECT_LT(packed->size(), data.size() / 3) << to_string(c);
    auto back = decompress(c, *packed, data.size());
    ASSERT_TRUE(back.ok()) << to_string(c) << ": " << back.error().message;
    EXPECT_EQ(*back, data) << to_string(c);
  }
}

TEST(TransferCodec, DecompressionStopsAtTheLimit) {
  const std::string data(1 << 20, 'a');  // compresses to almost nothing: a "bomb" in small
  for (auto c : {Compression::kZstd, Compression::kGzip, Compression::kNone}) {
    auto packed = compress(c, data);
    ASSERT_TRUE(packed.ok());
    auto back = decompress(c, *packed, (1 << 20) - 1);
    ASSERT_FALSE(back.ok()) << to_string(c);
    EXPECT_EQ(back.error().code, ErrorCode::kParse);
  }
}

TEST(TransferCodec, DamagedAndTruncatedChunksAreParseErrors) {
  const std::string data = sample_ndjson(200);
  for (auto c : {Compression::kZstd, Compression::kGzip}) {
    auto packed = compress(c, data);
    ASSERT_TRUE(packed.ok());
    auto truncated = decompress(c, packed->substr(0, packed->size() / 2), 1 << 20);
    ASSERT_FALSE(truncated.ok()) << to_string(c);
    EXPECT_EQ(truncated.error().code, ErrorCode::kParse);
    EXPECT_FALSE(decompress(c, "", 1 << 20).ok()) << to_string(c);
    for (const auto& m : essnap::testing::malformed_corpus()) {
      auto r = decompress(c, m.bytes, 1 << 20);
      EXPECT_FALSE(r.ok()) << to_string(c) << " " << m.name;
    }
  }
}

// The windows a ChunkReader yields for `packed`, each checked to hold whole lines.
std::vector<std::string> windows_of(Compression c, const std::string& packed, std::size_t window,
                                    std::size_t limit) {
  ChunkReader reader(c, packed, limit);
  std::vector<std::string> out;
  std::string w;
  for (;;) {
    auto more = reader.next_lines(w, window);
    EXPECT_TRUE(more.ok()) << to_string(c) << ": " << (more.ok() ? "" : more.error().message);
    if (!more.ok() || !*more) break;
    out.push_back(w);
  }
  EXPECT_TRUE(reader.done());
  return out;
}

TEST(TransferCodec, WindowsAreWholeLinesThatAddUpToTheChunk) {
  const std::string data = sample_ndjson(20000);  // ~1 MiB
  for (auto c : {Compression::kZstd, Compression::kGzip, Compression::kNone}) {
    auto packed = compress(c, data);
    ASSERT_TRUE(packed.ok());
    const auto windows = windows_of(c, *packed, 64 << 10, data.size());
    ASSERT_GT(windows.size(), 10u) << to_string(c);
    std::string joined;
    for (const auto& w : windows) {
      ASSERT_FALSE(w.empty());
      EXPECT_EQ(w.back(), '\n') << to_string(c) << ": a window ends inside a line";
      EXPECT_LT(w.size(), (64u << 10) + 200) << to_string(c);
      joined += w;
    }
    EXPECT_EQ(joined, data) << to_string(c);
  }
}

TEST(TransferCodec, ALineLongerThanTheWindowIsOneWindowAndTheLastLineMayLackItsNewline) {
  const std::string big =
      "{\"_id\":\"big\",\"_source\":{\"t\":\"" + std::string(300000, 'x') + "\"}}\n";
  const std::string data =
      "{\"_id\":\"a\",\"_source\":{}}\n" + big + "{\"_id\":\"z\",\"_source\":{}}";
  for (auto c : {Compression::kZstd, Compression::kGzip, Compression::kNone}) {
    auto packed = compress(c, data);
    ASSERT_TRUE(packed.ok());
    const auto windows = windows_of(c, *packed, 4096, data.size());
    ASSERT_EQ(windows.size(), 3u) << to_string(c);
    EXPECT_EQ(windows[0], "{\"_id\":\"a\",\"_source\":{}}\n") << to_string(c);
    EXPECT_EQ(windows[1], big) << to_string(c) << ": the long line, whole";
    EXPECT_EQ(windows[2], "{\"_id\":\"z\",\"_source\":{}}")
        << to_string(c) << ": the last line, unterminated";
  }
}

TEST(TransferCodec, WindowedReadingKeepsTheLimitAndRefusesDamage) {
  const std::string data = sample_ndjson(20000);
  for (auto c : {Compression::kZstd, Compression::kGzip, Compression::kNone}) {
    auto packed = compress(c, data);
    ASSERT_TRUE(packed.ok());
    // One byte short of the chunk: refused, whichever window crosses the limit.
    ChunkReader reader(c, *packed, data.size() - 1);
    std::string w;
    Status seen = ok_status();
    for (int i = 0; i < 1000 && seen.ok(); ++i) {
      auto more = reader.next_lines(w, 64 << 10);
      if (!more.ok())
        seen = std::move(more).error();
      else if (!*more)
        break;
    }
    ASSERT_FALSE(seen.ok()) << to_string(c);
    EXPECT_EQ(seen.error().code, ErrorCode::kParse);
    if (c == Compression::kNone) continue;
    ChunkReader cut(c, packed->substr(0, packed->size() / 2), 1 << 24);
    Status cut_seen = ok_status();
    for (int i = 0; i < 1000 && cut_seen.ok(); ++i) {
      auto more = cut.next_lines(w, 64 << 10);
      if (!more.ok())
        cut_seen = std::move(more).error();
      else if (!*more)
        break;
    }
    ASSERT_FALSE(cut_seen.ok()) << to_string(c) << ": a truncated chunk read to its end";
    EXPECT_EQ(cut_seen.error().code, ErrorCode::kParse);
  }
}

TEST(TransferCodec, NamesAndExtensions) {
  EXPECT_EQ(parse_compression("zstd").value(), Compression::kZstd);
  EXPECT_EQ(parse_compression("gzip").value(), Compression::kGzip);
  EXPECT_EQ(parse_compression("none").value(), Compression::kNone);
  EXPECT_EQ(parse_compression("lz4").error().code, ErrorCode::kInvalidArgument);
  EXPECT_STREQ(file_extension(Compression::kZstd), ".zst");
  EXPECT_STREQ(file_extension(Compression::kGzip), ".gz");
  EXPECT_STREQ(file_extension(Compression::kNone), "");
}

TEST(TransferPage, HitsKeepTheirBytes) {
  // Key order, spacing, escapes, a number beyond double precision and 1.10: all kept verbatim.
  std::string body =
      R"({"pit_id":"P2","took":3,"timed_out":false,"_shards":{"total":2,"successful":2,"skipped":0,"failed":0},)"
      R"("hits":{"total":{"value":2,"relation":"eq"},"max_score":null,"hits":[)"
      R"({"_index":"i","_id":"a\"b","_score":null,"_routing":"r1","_source":{"z": 1.10, "a":123456789012345678901234567890,"s":"\u00e9\n"},"sort":[0,17]},)"
      R"({"_index":"i","_id":"plain","_score":null,"_source":{},"sort":[1,3]}]}})";
  PageParser p;
  auto page = p.parse(body);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->pit_id, "P2");
  ASSERT_EQ(page->hits.size(), 2u);
  EXPECT_EQ(page->hits[0].id, R"("a\"b")");
  EXPECT_EQ(page->hits[0].routing, R"("r1")");
  EXPECT_EQ(page->hits[0].source,
            R"({"z": 1.10, "a":123456789012345678901234567890,"s":"\u00e9\n"})");
  EXPECT_EQ(page->hits[0].sort, "[0,17]");
  EXPECT_TRUE(page->hits[1].routing.empty());
  std::string line;
  append_doc_line(line, page->hits[0]);
  append_doc_line(line, page->hits[1]);
  EXPECT_EQ(line,
            "{\"_id\":\"a\\\"b\",\"_routing\":\"r1\",\"_source\":{\"z\": 1.10, "
            "\"a\":123456789012345678901234567890,"
            "\"s\":\"\\u00e9\\n\"}}\n{\"_id\":\"plain\",\"_source\":{}}\n");
}

TEST(TransferPage, PrettyPrintedSourcesStayOneLine) {
  std::string body =
      "{\"_scroll_id\":\"S1\",\"hits\":{\"hits\":[{\"_id\":\"x\",\"_source\":{\n  \"a\" : [1,\n "
      "2],\r\n \"b\":\"c d\"\n}}]}}";
  PageParser p;
  auto page = p.parse(body);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->scroll_id, "S1");
  std::string line;
  append_doc_line(line, page->hits[0]);
  EXPECT_EQ(line, "{\"_id\":\"x\",\"_source\":{\"a\":[1,2],\"b\":\"c d\"}}\n");
}

TEST(TransferPage, FailedShardsTimeoutsAndMissingSourceAreRefused) {
  PageParser p;
  std::string failed = R"({"_shards":{"total":2,"successful":1,"failed":1},"hits":{"hits":[]}})";
  EXPECT_EQ(p.parse(failed).error().code, ErrorCode::kIncomplete);
  std::string timed_out = R"({"timed_out":true,"hits":{"hits":[]}})";
  EXPECT_EQ(p.parse(timed_out).error().code, ErrorCode::kIncomplete);
  std::string no_source = R"({"hits":{"hits":[{"_id":"a"}]}})";
  EXPECT_EQ(p.parse(no_source).error().code, ErrorCode::kConflict);
  std::string number_id = R"({"hits":{"hits":[{"_id":5,"_source":{}}]}})";
  EXPECT_EQ(p.parse(number_id).error().code, ErrorCode::kParse);
  std::string trailing = R"({"hits":{"hits":[]}} xx)";
  EXPECT_EQ(p.parse(trailing).error().code, ErrorCode::kParse);
}

TEST(TransferPage, HostileBodiesNeverThrow) {
  PageParser p;
  for (const auto& m : essnap::testing::malformed_corpus()) {
    std::string b = m.bytes;
    EXPECT_NO_THROW({
      auto r = p.parse(b);
      if (!r.ok()) EXPECT_LT(r.error().message.size(), 400u) << m.name;
    }) << m.name;
    std::string b2 = m.bytes;
    EXPECT_NO_THROW((void)p.parse_bulk(b2)) << m.name;
    std::string b3 = m.bytes;
    ensure_padding(b3);
    EXPECT_NO_THROW((void)p.parse_line(b3)) << m.name;
  }
}

TEST(TransferLine, ParsesItsOwnGrammarStrictly) {
  PageParser p;
  std::deque<std::string> lines;  // the parsed views point into these
  auto check = [&](std::string line) {
    lines.push_back(std::move(line));
    ensure_padding(lines.back());
    return p.parse_line(lines.back());
  };
  auto ok = check(R"({"_id":"a","_routing":"r","_source":{"x":[1,{"y":null}]}})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->id, "\"a\"");
  EXPECT_EQ(ok->routing, "\"r\"");
  EXPECT_EQ(ok->source, R"({"x":[1,{"y":null}]})");
  EXPECT_TRUE(check(R"({"_source":{},"_id":"b"})").ok());                           // any order
  EXPECT_EQ(check(R"({"_id":"a"})").error().code, ErrorCode::kParse);               // no source
  EXPECT_EQ(check(R"({"_source":{}})").error().code, ErrorCode::kParse);            // no id
  EXPECT_EQ(check(R"({"_id":"a","_source":[]})").error().code, ErrorCode::kParse);  // not an object
  EXPECT_EQ(check(R"({"_id":"a","_source":{},"_index":"x"})").error().code,
            ErrorCode::kParse);  // extra member
  EXPECT_EQ(check(R"({"_id":"a","_id":"b","_source":{}})").error().code,
            ErrorCode::kParse);                                                       // twice
  EXPECT_EQ(check(R"({"_id":"a","_source":{}}{)").error().code, ErrorCode::kParse);   // trailing
  EXPECT_EQ(check(R"({"_id":"a\x","_source":{}})").error().code, ErrorCode::kParse);  // bad escape
  std::string bulk;
  append_bulk_index(bulk, *ok);
  EXPECT_EQ(bulk, "{\"index\":{\"_id\":\"a\",\"routing\":\"r\"}}\n{\"x\":[1,{\"y\":null}]}\n");
}

TEST(TransferBulkAnswer, ItemsInOrderWithTheirErrors) {
  PageParser p;
  std::string clean = R"({"took":3,"errors":false,"items":[{"index":{"status":201}}]})";
  auto c = p.parse_bulk(clean);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->errors);
  std::string mixed =
      R"({"took":3,"errors":true,"items":[{"index":{"status":201}},)"
      R"({"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"bad"}}},)"
      R"({"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue"}}}]})";
  auto m = p.parse_bulk(mixed);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->items.size(), 3u);
  EXPECT_EQ(m->items[0].status, 201);
  EXPECT_TRUE(m->items[0].error_type.empty());
  EXPECT_EQ(m->items[1].status, 400);
  EXPECT_EQ(m->items[1].error_type, "mapper_parsing_exception");
  EXPECT_EQ(m->items[1].error_json, R"({"type":"mapper_parsing_exception","reason":"bad"})");
  EXPECT_EQ(m->items[2].error_type, "es_rejected_execution_exception");
}

}  // namespace
}  // namespace essnap::transfer
