#include "essnap/aws/config_file.hpp"

#include <gtest/gtest.h>

#include "essnap/aws/timestamp.hpp"
#include "support/aws_test_util.hpp"

namespace essnap::aws {
namespace {

using Vars = std::map<std::string, std::string>;

TEST(ConfigFile, SectionsKeysCommentsAndNesting) {
  auto f = IniFile::parse(
      "# comment\n; another\n[default]\nregion = eu-west-1\r\n  \n"
      "[profile dev]\nAWS_Access_Key_ID=AKIA1\naws_secret_access_key =  with # hash  \n"
      "s3 =\n  addressing_style = path\n  max_concurrent_requests = 4\n"
      "[ sso-session corp ]\nsso_region = us-east-1\n",
      "cfg");
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_NE(f->section("default"), nullptr);
  EXPECT_EQ(get_value(*f->section("default"), "region"), "eu-west-1");
  const auto* dev = f->section("profile dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(get_value(*dev, "aws_access_key_id"), "AKIA1") << "keys are case-insensitive";
  EXPECT_EQ(get_value(*dev, "aws_secret_access_key"), "with # hash") << "'#' in a value is data";
  EXPECT_EQ(get_value(*dev, "s3"), "addressing_style=path\nmax_concurrent_requests=4");
  EXPECT_NE(f->section("sso-session corp"), nullptr);
}

TEST(ConfigFile, ErrorsNameFileAndLine) {
  auto a = IniFile::parse("[default]\nthis is not ini\n", "/x/config");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("/x/config line 2"), std::string::npos);
  EXPECT_FALSE(IniFile::parse("key = before section\n", "c").ok());
  EXPECT_FALSE(IniFile::parse("[unclosed\n", "c").ok());
  EXPECT_FALSE(IniFile::parse("[default]\n= value\n", "c").ok());
}

TEST(ConfigFile, ProfileLookupAndMerge) {
  essnap::testing::TempHome home;
  home.write(".aws/config",
             "[default]\nregion = us-west-2\n[profile a]\nregion = eu-west-1\nrole_arn = x\n"
             "[a]\nregion = wrong-style\n");
  home.write(".aws/credentials", "[a]\naws_access_key_id = AKIA\nrole_arn = y\n");
  MapEnvironment env({{"HOME", home.path()}});
  auto s = load_shared_config(env);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(get_value(*s->config_profile("default"), "region"), "us-west-2");
  EXPECT_EQ(get_value(*s->config_profile("a"), "region"), "eu-west-1")
      << "[a] in the config file is not profile a";
  auto merged = s->merged_profile("a");
  EXPECT_EQ(get_value(merged, "role_arn"), "y") << "credentials file wins";
  EXPECT_EQ(get_value(merged, "region"), "eu-west-1");
  EXPECT_FALSE(s->has_profile("nope"));
}

TEST(ConfigFile, PathsFromEnvironment) {
  MapEnvironment env({{"HOME", "/home/u"},
                      {"AWS_CONFIG_FILE", "~/cfg"},
                      {"AWS_SHARED_CREDENTIALS_FILE", "/etc/creds"}});
  EXPECT_EQ(config_file_path(env), "/home/u/cfg");
  EXPECT_EQ(credentials_file_path(env), "/etc/creds");
  MapEnvironment plain(Vars{{"HOME", "/home/u"}});
  EXPECT_EQ(config_file_path(plain), "/home/u/.aws/config");
  EXPECT_EQ(credentials_file_path(plain), "/home/u/.aws/credentials");
  EXPECT_EQ(choose_profile("", MapEnvironment(Vars{{"AWS_DEFAULT_PROFILE", "d"}})).name, "d");
  EXPECT_EQ(
      choose_profile("", MapEnvironment(Vars{{"AWS_PROFILE", "p"}, {"AWS_DEFAULT_PROFILE", "d"}}))
          .name,
      "p");
  EXPECT_EQ(choose_profile("f", MapEnvironment(Vars{{"AWS_PROFILE", "p"}})).source, "--profile");
}

TEST(Timestamp, Iso8601Forms) {
  auto a = parse_iso8601("2024-05-01T12:00:00Z");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(format_iso8601(*a), "2024-05-01T12:00:00Z");
  auto b = parse_iso8601("2024-05-01T14:30:00.123+02:30");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(format_iso8601(*b), "2024-05-01T12:00:00Z");
  EXPECT_TRUE(parse_iso8601("2024-05-01 12:00:00").ok());
  EXPECT_FALSE(parse_iso8601("2024-02-30T00:00:00Z").ok());
  EXPECT_FALSE(parse_iso8601("yesterday").ok());
  EXPECT_FALSE(parse_iso8601("2024-05-01T12:00:00Zjunk").ok());
  auto far = parse_iso8601("9999-12-31T23:59:59Z");
  ASSERT_TRUE(far.ok());
  EXPECT_EQ(*far, std::chrono::system_clock::time_point::max());
}

}  // namespace
}  // namespace essnap::aws
