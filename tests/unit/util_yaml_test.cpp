// JSON -> block YAML for listings.
#include <gtest/gtest.h>

#include "essnap/util/yaml.hpp"

namespace essnap::util {
namespace {

TEST(UtilYaml, NestedBlocksAndQuoting) {
  auto j = nlohmann::json::parse(
      R"({"a":1,"b":"text","c":["x",{"d":true,"e":[]}],"f":{},"g":"2.19.6","h":"yes","i":"a: b","j":null})");
  EXPECT_EQ(to_yaml(j),
            "a: 1\n"
            "b: text\n"
            "c:\n"
            "  - x\n"
            "  - d: true\n"
            "    e: []\n"
            "f: {}\n"
            "g: \"2.19.6\"\n"
            "h: \"yes\"\n"
            "i: \"a: b\"\n"
            "j: null\n");
  EXPECT_EQ(to_yaml(nlohmann::json::array()), "[]\n");
  EXPECT_EQ(to_yaml(nlohmann::json::array({nlohmann::json::array({1, 2})})), "- - 1\n  - 2\n");
}

}  // namespace
}  // namespace essnap::util
