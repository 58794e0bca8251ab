// inspect/docs: the line each document becomes (the export format's document shape).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "essnap/format/smile.hpp"
#include "essnap/inspect/docs.hpp"

namespace essnap::inspect {
namespace {

lucene::EsDocument doc(const std::string& id, const std::string& source,
                       std::optional<std::string> routing = std::nullopt) {
  lucene::EsDocument d;
  d.id = id;
  d.routing = std::move(routing);
  d.has_source = true;
  d.source = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(source.data()),
                                           source.size());
  return d;
}

TEST(InspectDocs, OneLineJsonSourceIsKeptByteForByte) {
  const std::string src = R"({"b":1,  "a":"x\u00e9"})";
  auto line = document_line(doc("7", src, "r1"));
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(*line, "{\"_id\":\"7\",\"_routing\":\"r1\",\"_source\":" + src + "}\n");
}

TEST(InspectDocs, IdsAreJsonEscaped) {
  auto line = document_line(doc("a\"b\\c\n", "{}"));
  ASSERT_TRUE(line);
  EXPECT_EQ(nlohmann::json::parse(*line)["_id"], "a\"b\\c\n");
}

TEST(InspectDocs, LineBreaksAndSmileAreReserialisedInOrder) {
  auto pretty = document_line(doc("1", "{\n  \"z\": 1,\n  \"a\": [1, 2]\n}"));
  ASSERT_TRUE(pretty);
  EXPECT_EQ(*pretty, "{\"_id\":\"1\",\"_source\":{\"z\":1,\"a\":[1,2]}}\n");

  nlohmann::ordered_json o;
  o["z"] = 1;
  o["a"] = "b";
  const auto smile = format::encode_smile(o);
  const std::string bytes(smile.begin(), smile.end());
  auto line = document_line(doc("2", bytes));
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(*line, "{\"_id\":\"2\",\"_source\":{\"z\":1,\"a\":\"b\"}}\n");
}

TEST(InspectDocs, OtherSourceFormatsAreRefusedNamingTheDocument) {
  const std::string cbor = "\xA1\x61\x61\x01";  // {"a":1} in CBOR
  auto line = document_line(doc("doc-9", cbor));
  ASSERT_FALSE(line);
  EXPECT_EQ(line.error().code, ErrorCode::kParse);
  EXPECT_NE(line.error().message.find("doc-9"), std::string::npos);
  EXPECT_FALSE(document_line(doc("x", "{\"a\":\n")));  // broken JSON with a line break
}

}  // namespace
}  // namespace essnap::inspect
