// The one escaping of outside text on output (util/escape.hpp) and the stream filter the CLI
// puts on a terminal's stdout (cli::EscapedOutput).
#include <gtest/gtest.h>

#include <sstream>

#include "essnap/cli/escaped_output.hpp"
#include "essnap/util/escape.hpp"

namespace essnap {
namespace {

using util::escape_control;
using util::KeepNewlines;

TEST(UtilEscape, ControlCharactersBecomeVisible) {
  EXPECT_EQ(escape_control("plain-name_1.dat"), "plain-name_1.dat");
  EXPECT_EQ(escape_control("a\nPROBLEM x"), "a\\nPROBLEM x");
  EXPECT_EQ(escape_control("a\rb\tc"), "a\\rb\\tc");
  EXPECT_EQ(escape_control("\x1b[2Kx"), "\\e[2Kx");
  EXPECT_EQ(escape_control(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_control("del\x7f"), "del\\x7f");
  EXPECT_EQ(escape_control("back\\slash"), "back\\\\slash");
  // UTF-8 passes; C1 controls (U+009B is a CSI) and bytes that are not UTF-8 do not.
  EXPECT_EQ(escape_control("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_EQ(escape_control("\xc2\x9b"
                           "2J"),
            "\\xc2\\x9b2J");
  EXPECT_EQ(escape_control("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escape_control("\xe2\x82"), "\\xe2\\x82");
  // Blocks of our own text keep their line breaks and tabs.
  EXPECT_EQ(escape_control("a\n\tb\x1b", KeepNewlines::kYes), "a\n\tb\\e");
  EXPECT_TRUE(util::needs_escape("x\n"));
  EXPECT_FALSE(util::needs_escape("x"));
}

TEST(UtilEscape, TheOutputFilterEscapesWhatPassesThroughIt) {
  std::ostringstream out;
  {
    cli::EscapedOutput filter(out);
    out << "PROBLEM a\x1b]0;title\x07: bad\r\n"
        << "caf\xc3"
        << "\xa9\n";
    out << "tail without newline\x1b";
  }
  EXPECT_EQ(out.str(), "PROBLEM a\\e]0;title\\x07: bad\\r\ncaf\xc3\xa9\ntail without newline\\e");
  out << "\x1b";  // the filter is gone: the stream is as it was
  EXPECT_EQ(out.str().back(), '\x1b');
}

}  // namespace
}  // namespace essnap
