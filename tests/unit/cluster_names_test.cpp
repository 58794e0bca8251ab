// cluster/names: every validator rule, the segment encoder and its inverse.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "essnap/cluster/names.hpp"

namespace essnap::cluster::names {
namespace {

const std::string k255(255, 'a');
const std::string k256(256, 'a');
const std::string kBadUtf8[] = {"a\xff",
                                "\xc3",
                                "a\xc3(",
                                "\xe0\x80\xaf" /* overlong '/' */,
                                "\xed\xa0\x80" /* surrogate */,
                                "\xf4\x90\x80\x80" /* >10FFFF */,
                                "\xc0\xae" /* overlong '.' */};

void expect_refused(const Status& s, const std::string& name, const std::string& rule) {
  ASSERT_FALSE(s.ok()) << "accepted: " << name;
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << name;
  EXPECT_NE(s.error().message.find(rule), std::string::npos) << name << ": " << s.error().message;
}

TEST(Names, RepositoryRules) {
  for (const std::string& ok : std::vector<std::string>{"repo", "s3-repo", "My_Repo", "a.b", "a:b",
                                                        "cs-automated", k255, "r\xc3\xa9po"})
    EXPECT_TRUE(validate_repository_name(ok).ok()) << ok;
  const std::pair<std::string, std::string> bad[] = {
      {"", "empty"},       {".", "'.' or '..'"}, {"..", "'.' or '..'"}, {"_all", "start with"},
      {"a/b", "'/'"},      {"a\\b", "'\\'"},     {"a*", "wildcard"},    {"a,b", "not a list"},
      {"a#b", "'#'"},      {"a?b", "'?'"},       {"a\"b", "'\"'"},      {"a<b", "'<'"},
      {"a>b", "'>'"},      {"a|b", "'|'"},       {"a b", "a space"},    {"a\tb", "control"},
      {"a\nb", "control"}, {k256, "256 bytes"},
  };
  for (const auto& [name, rule] : bad) expect_refused(validate_repository_name(name), name, rule);
  for (const auto& b : kBadUtf8) expect_refused(validate_repository_name(b), b, "UTF-8");
}

TEST(Names, SnapshotRules) {
  for (const std::string& ok :
       std::vector<std::string>{"snap", "nightly-2026.01.02-0300", "a.b", "%2e%2e", k255})
    EXPECT_TRUE(validate_snapshot_name(ok).ok()) << ok;
  const std::pair<std::string, std::string> bad[] = {
      {"", "empty"},         {".", "'.' or '..'"}, {"..", "'.' or '..'"},
      {"_all", "'_'"},       {"-x", "'-'"},        {"Snap", "lower case"},
      {"a/b", "'/'"},        {"a\\b", "'\\'"},     {"a*", "wildcard"},
      {"a,b", "not a list"}, {"a#b", "'#'"},       {"a?b", "'?'"},
      {"a:b", "':'"},        {"a\"b", "'\"'"},     {"<snap-{now/d}>", "'<'"},
      {"a|b", "'|'"},        {"a b", "a space"},   {k256, "256 bytes"},
  };
  for (const auto& [name, rule] : bad) expect_refused(validate_snapshot_name(name), name, rule);
  for (const auto& b : kBadUtf8) expect_refused(validate_snapshot_name(b), b, "UTF-8");
}

TEST(Names, SnapshotPatterns) {
  for (const std::string& ok : std::vector<std::string>{"nightly-*", "*", "-keep*", "a"})
    EXPECT_TRUE(validate_snapshot_pattern(ok).ok()) << ok;
  for (const std::string& bad :
       std::vector<std::string>{"", "_all", "--x", "-", "a,b", "a/b", "..", "-..", "A*"})
    EXPECT_FALSE(validate_snapshot_pattern(bad).ok()) << bad;
}

TEST(Names, IndexRules) {
  for (const std::string& ok :
       std::vector<std::string>{"orders", ".kibana_1", "logs-2026.01.02", "a_b", k255})
    EXPECT_TRUE(validate_index_name(ok).ok()) << ok;
  const std::pair<std::string, std::string> bad[] = {
      {"", "empty"},         {".", "'.' or '..'"}, {"..", "'.' or '..'"},    {"_all", "'_'"},
      {"-x", "'-'"},         {"+x", "'+'"},        {"Orders", "lower case"}, {"a*", "wildcard"},
      {"a,b", "not a list"}, {"a/b", "'/'"},       {"a\\b", "'\\'"},         {"a#b", "'#'"},
      {"a?b", "'?'"},        {"a:b", "':'"},       {"a\"b", "'\"'"},         {"a<b", "'<'"},
      {"a>b", "'>'"},        {"a|b", "'|'"},       {"a b", "a space"},       {k256, "256 bytes"},
  };
  for (const auto& [name, rule] : bad) expect_refused(validate_index_name(name), name, rule);
  for (const auto& b : kBadUtf8) expect_refused(validate_index_name(b), b, "UTF-8");
}

TEST(Names, IndexPatterns) {
  for (const std::string& ok :
       std::vector<std::string>{"logs-*", "*", "-logs-debug*", ".ds-*", "<logs-{now/d}>",
                                "<logs-{now/d{yyyy.MM.dd|+12:00}}>"})
    EXPECT_TRUE(validate_index_pattern(ok).ok()) << ok;
  for (const std::string& bad :
       std::vector<std::string>{"", "_all", "-_all", "--x", "+x", "Logs-*", "a,b", "a/b", "..",
                                "-..", "a?b", "a#b", "a b", "<a b>", "<a,b>", "a\xff"})
    EXPECT_FALSE(validate_index_pattern(bad).ok()) << bad;
}

TEST(Names, IndexArgumentsRefuseEmptySelections) {
  EXPECT_TRUE(validate_index_arguments({}).ok());  // no -i at all: every index, by intent
  EXPECT_TRUE(validate_index_arguments({"a,b*", "-c"}).ok());
  EXPECT_TRUE(validate_index_arguments({"a, b"}).ok());
  for (const std::string& blank : std::vector<std::string>{"", ",", " ", " , ", ",,"})
    expect_refused(validate_index_arguments({"a", blank}), blank, "names no index");
  expect_refused(validate_index_arguments({"a,_all"}), "a,_all", "'_'");
  expect_refused(validate_index_arguments({"a\xff"}), "a\\xff", "UTF-8");
}

TEST(Names, MessagesNeverCarryRawInvalidBytes) {
  const auto s = validate_snapshot_name("a\xff\x01");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("a\\xff\\x01"), std::string::npos) << s.error().message;
  EXPECT_TRUE(validate_utf8(s.error().message, "message").ok());
  const auto t = validate_text("k=\xfe", "--metadata");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("--metadata"), std::string::npos);
}

TEST(Names, SegmentsAreOneSegmentEach) {
  EXPECT_EQ(segment("repo"), "repo");
  EXPECT_EQ(segment("."), "%2E");
  EXPECT_EQ(segment(".."), "%2E%2E");
  EXPECT_EQ(segment("a/b"), "a%2Fb");
  EXPECT_EQ(segment("a,b"), "a%2Cb");
  EXPECT_EQ(segment("a?b#c"), "a%3Fb%23c");
  EXPECT_EQ(segment("%2e%2e"), "%252e%252e");
  EXPECT_EQ(segment("<snap-{now/d}>"), "%3Csnap-%7Bnow%2Fd%7D%3E");
  EXPECT_EQ(list_segment({"a", "b*", "-c", "d,e"}), "a,b%2A,-c,d%2Ce");
  EXPECT_EQ(path({"_snapshot", "r", "s", "_clone", "t"}), "/_snapshot/r/s/_clone/t");
  EXPECT_EQ(path({"_snapshot", "..", Segment::list({"a", "b"})}), "/_snapshot/%2E%2E/a,b");
  EXPECT_EQ(path({}), "/");
}

TEST(Names, DecodeInvertsPath) {
  for (const std::string& hostile :
       std::vector<std::string>{"..", ".", "a/b", "a?b", "a#b", "%2e%2e", "a,b", "a\xff", ""}) {
    const auto got = decode_path(path({"_snapshot", hostile, "_status"}) + "?x=1");
    EXPECT_EQ(got, (std::vector<std::string>{"_snapshot", hostile, "_status"})) << hostile;
  }
  EXPECT_TRUE(decode_path("/a%zz").empty());
}

}  // namespace
}  // namespace essnap::cluster::names
