#include "support/shell_words.hpp"

#include <cstdint>

namespace essnap::test {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
bool is_operator(char c) {
  return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_valid_name(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!is_name_char(c)) return false;
  return true;
}
// After '$': what makes bash expand (a parameter, $(...), ${...}, $((...)), special parameters).
bool starts_expansion(char c) {
  return is_name_char(c) || c == '{' || c == '(' || c == '@' || c == '*' || c == '#' || c == '?' ||
         c == '-' || c == '$' || c == '!';
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

void ShellLexer::fail(const std::string& what) const {
  std::size_t line = 1;
  for (std::size_t i = 0; i < pos_ && i < src_.size(); ++i) line += src_[i] == '\n';
  throw ShellSyntaxError("line " + std::to_string(line) + ": " + what);
}

std::optional<std::vector<ShellWord>> ShellLexer::next_command() {
  std::vector<ShellWord> words;
  while (true) {
    while (pos_ < src_.size()) {
      if (is_blank(src_[pos_])) {
        ++pos_;
      } else if (src_.substr(pos_, 2) == "\\\n") {
        pos_ += 2;
      } else {
        break;
      }
    }
    if (pos_ >= src_.size()) {
      if (words.empty()) return std::nullopt;
      return words;
    }
    const char c = src_[pos_];
    if (c == '\n') {
      ++pos_;
      if (!words.empty()) return words;
      continue;
    }
    if (c == '#') {
      while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      continue;
    }
    if (is_operator(c)) fail(std::string("unsupported shell operator '") + c + "'");
    words.push_back(read_word());
  }
}

ShellWord ShellLexer::read_word() {
  ShellWord w;
  bool quoted = false;       // anything quoted so far (a quoted NAME is no assignment)
  bool after_colon = false;  // the last character was an unquoted ':' (tilde rule)
  while (pos_ < src_.size()) {
    const char c = src_[pos_];
    if (is_blank(c) || c == '\n' || is_operator(c)) break;
    const bool value_start = w.is_assignment() && w.text.size() == w.assign_eq + 1;
    const bool word_start = w.text.empty() && !quoted;
    bool colon = false;
    switch (c) {
      case '\\':
        if (pos_ + 1 >= src_.size()) {
          w.text += '\\';
          ++pos_;
        } else if (src_[pos_ + 1] == '\n') {
          pos_ += 2;
        } else {
          w.text += src_[pos_ + 1];
          pos_ += 2;
          quoted = true;
        }
        break;
      case '\'':
        ++pos_;
        read_single_quoted(w.text);
        quoted = true;
        break;
      case '"':
        ++pos_;
        read_double_quoted(w.text);
        quoted = true;
        break;
      case '$':
        if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '\'') {
          pos_ += 2;
          read_ansi_c(w.text);
          quoted = true;
        } else if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '"') {
          pos_ += 2;  // $"..." is "..." when there is no translation
          read_double_quoted(w.text);
          quoted = true;
        } else if (pos_ + 1 < src_.size() && starts_expansion(src_[pos_ + 1])) {
          fail("unsupported expansion '$" + std::string(1, src_[pos_ + 1]) + "' (quote it)");
        } else {
          w.text += '$';
          ++pos_;
        }
        break;
      case '`':
        fail("unsupported command substitution '`'");
      case '~':
        if (word_start || value_start || after_colon && w.is_assignment())
          fail("unsupported tilde expansion (quote the '~')");
        w.text += c;
        ++pos_;
        break;
      case '*':
      case '?':
      case '[':
      case '{':
        fail(std::string("unquoted '") + c + "' would be expanded by the shell (quote it)");
      case '=':
        if (!quoted && !w.is_assignment() && is_valid_name(w.text)) w.assign_eq = w.text.size();
        w.text += c;
        ++pos_;
        break;
      default:
        colon = c == ':';
        w.text += c;
        ++pos_;
    }
    after_colon = colon;
  }
  return w;
}

void ShellLexer::read_single_quoted(std::string& out) {
  const std::size_t end = src_.find('\'', pos_);
  if (end == std::string_view::npos) fail("unterminated single quote");
  out.append(src_.substr(pos_, end - pos_));
  pos_ = end + 1;
}

void ShellLexer::read_double_quoted(std::string& out) {
  while (pos_ < src_.size() && src_[pos_] != '"') {
    const char c = src_[pos_];
    if (c == '\\' && pos_ + 1 < src_.size()) {
      const char n = src_[pos_ + 1];
      if (n == '\n') {
        pos_ += 2;
      } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
        out += n;
        pos_ += 2;
      } else {
        out += '\\';
        ++pos_;
      }
    } else if (c == '$' && pos_ + 1 < src_.size() && starts_expansion(src_[pos_ + 1])) {
      fail("unsupported expansion '$" + std::string(1, src_[pos_ + 1]) + "' in double quotes");
    } else if (c == '`') {
      fail("unsupported command substitution '`' in double quotes");
    } else {
      out += c;
      ++pos_;
    }
  }
  if (pos_ >= src_.size()) fail("unterminated double quote");
  ++pos_;
}

void ShellLexer::read_ansi_c(std::string& out) {
  while (pos_ < src_.size() && src_[pos_] != '\'') {
    if (src_[pos_] != '\\' || pos_ + 1 >= src_.size()) {
      out += src_[pos_++];
      continue;
    }
    const char e = src_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'e':
      case 'E':
        out += '\x1b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case '?':
        out += '?';
        break;
      case 'c':
        if (pos_ < src_.size())
          out += static_cast<char>(src_[pos_++] & 0x1f);
        else
          out += "\\c";
        break;
      case 'x':
      case 'u':
      case 'U': {
        const std::size_t max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        std::uint32_t v = 0;
        std::size_t n = 0;
        while (n < max && pos_ < src_.size() && hex_value(src_[pos_]) >= 0) {
          v = v * 16 + static_cast<std::uint32_t>(hex_value(src_[pos_++]));
          ++n;
        }
        if (n == 0) {
          out += '\\';
          out += e;
        } else if (e == 'x') {
          out += static_cast<char>(v);
        } else {
          append_utf8(out, v);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          std::uint32_t v = static_cast<std::uint32_t>(e - '0');
          for (int n = 1; n < 3 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7';
               ++n)
            v = v * 8 + static_cast<std::uint32_t>(src_[pos_++] - '0');
          out += static_cast<char>(v & 0xFF);
        } else {
          out += '\\';
          out += e;
        }
    }
  }
  if (pos_ >= src_.size()) fail("unterminated $'...'");
  ++pos_;
}

std::vector<std::string> shell_words(std::string_view s) {
  std::vector<std::string> out;
  ShellLexer lexer(s);
  while (auto words = lexer.next_command())
    for (auto& w : *words) out.push_back(std::move(w.text));
  return out;
}

}  // namespace essnap::test
