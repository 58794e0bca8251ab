#include <gtest/gtest.h>

#include "essnap/util/strings.hpp"

namespace essnap::util {
namespace {

TEST(UtilStrings, JoinAndSplit) {
  EXPECT_EQ(join({}), "");
  EXPECT_EQ(join({"a"}), "a");
  EXPECT_EQ(join({"a", "b", "c"}), "a,b,c");
  EXPECT_EQ(join({"a", "b"}, ", "), "a, b");
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(split("a,,b,", ',', EmptyParts::kDrop), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(split_list({" logs-*, metrics ", "", "a,,b"}),
            (std::vector<std::string>{"logs-*", "metrics", "a", "b"}));
}

TEST(UtilStrings, TrimAndCase) {
  EXPECT_EQ(trim(" \t a b \r\n"), "a b");
  EXPECT_EQ(trim_right(" a \n"), " a");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(to_lower("X-Amz-Date ÄB"), "x-amz-date Äb");  // ASCII only: bytes above 127 kept
  EXPECT_EQ(to_upper("success"), "SUCCESS");
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_FALSE(iequals("Content-Type", "content-typ"));
  EXPECT_FALSE(iequals("a", "b"));
}

}  // namespace
}  // namespace essnap::util
