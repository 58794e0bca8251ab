// `essnap generate-man DIR`: a page for essnap and for every command and subcommand that --help
// lists (found here by reading --help itself, not the generator's tree), each rendered by
// man-db (`man --warnings -l`) without a warning, and roff_escape's rules.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "essnap/cli/man_pages.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

// The names under "Subcommands:" in `essnap WORDS... --help`.
std::vector<std::string> help_subcommands(const std::vector<std::string>& words) {
  std::vector<std::string> argv = {ESSNAP_BINARY};
  argv.insert(argv.end(), words.begin(), words.end());
  argv.push_back("--help");
  auto r = test::run(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  std::istringstream in(r.out);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "Subcommands:") {
      inside = true;
    } else if (inside && line.starts_with("  ") && line.size() > 2 && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (inside && !line.starts_with("  ")) {
      inside = false;
    }
  }
  return names;
}

void expected_pages(std::vector<std::string> words, std::set<std::string>& pages) {
  std::string page = "essnap";
  for (const auto& w : words) page += "-" + w;
  pages.insert(page + ".1");
  for (const auto& sub : help_subcommands(words)) {
    auto child = words;
    child.push_back(sub);
    expected_pages(child, pages);
  }
}

std::string man_dir() {
  const auto dir =
      std::filesystem::temp_directory_path() / ("essnap-man-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto r = test::run({ESSNAP_BINARY, "generate-man", dir.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  return dir.string();
}

TEST(CliManPages, EveryCommandInHelpHasAPage) {
  std::set<std::string> expected;
  expected_pages({}, expected);
  EXPECT_GT(expected.size(), 30u);  // commands and their subcommands
  EXPECT_TRUE(expected.count("essnap-snapshot-create.1"));
  std::set<std::string> written;
  const std::string dir = man_dir();
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    written.insert(entry.path().filename().string());
  EXPECT_EQ(written, expected);
  std::filesystem::remove_all(dir);
}

TEST(CliManPages, GenerateManIsHiddenFromHelp) {
  for (const auto& name : help_subcommands({})) EXPECT_NE(name, "generate-man");
}

TEST(CliManPages, EveryPageRendersWithoutWarnings) {
  if (test::run({"sh", "-c", "command -v man"}).exit_code != 0)
    GTEST_SKIP() << "man (man-db) is not installed";
  const std::string dir = man_dir();
  int pages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    test::Command c;
    c.argv = {"man", "--warnings", "-l", entry.path().string()};
    c.env = {{"MANWIDTH", "80"}, {"MANPAGER", "cat"}, {"PAGER", "cat"}, {"LC_ALL", "C.UTF-8"}};
    auto r = test::run(c);
    EXPECT_EQ(r.exit_code, 0) << entry.path();
    EXPECT_EQ(r.err, "") << entry.path();
    EXPECT_NE(r.out.find("NAME"), std::string::npos) << entry.path();
    ++pages;
  }
  EXPECT_GT(pages, 30);
  std::filesystem::remove_all(dir);
}

TEST(CliManPages, PagesCarryTheHelpText) {
  const std::string dir = man_dir();
  std::ifstream in(dir + "/essnap-snapshot-list.1");
  std::stringstream page;
  page << in.rdbuf();
  const std::string text = page.str();
  EXPECT_NE(text.find(".TH ESSNAP\\-SNAPSHOT\\-LIST 1"), std::string::npos) << text;
  EXPECT_NE(text.find("essnap\\-snapshot\\-list \\- List a repository's snapshots"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\\fB\\-\\-format\\fR"), std::string::npos) << text;
  EXPECT_NE(text.find("One of: table, json, yaml."), std::string::npos) << text;
  EXPECT_NE(text.find(".SH EXAMPLES"), std::string::npos) << text;
  EXPECT_NE(text.find(".SH EXIT STATUS"), std::string::npos) << text;
  std::filesystem::remove_all(dir);
}

TEST(CliManPages, RoffEscape) {
  EXPECT_EQ(cli::roff_escape("--url a\\b"), "\\-\\-url a\\eb");
  EXPECT_EQ(cli::roff_escape(".TH x\n'quoted"), "\\&.TH x\n\\&'quoted");
  EXPECT_EQ(cli::roff_escape("a \xE2\x80\x94 b \xE2\x86\x92 c"), "a \\[u2014] b \\[u2192] c");
}

}  // namespace
}  // namespace essnap
