// The output layer's guard against control characters from outside (util/escape.hpp): while an
// EscapedOutput lives, everything written to its stream is escaped, line breaks and tabs kept.
// run_command (cli/output.cpp) puts one on stdout when stdout is a terminal; names printed on a
// line of their own still go through util::escape_control, which escapes line breaks too.
#pragma once

#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>

namespace essnap::cli {

class EscapedOutput : public std::streambuf {
 public:
  explicit EscapedOutput(std::ostream& out);
  ~EscapedOutput() override;
  EscapedOutput(const EscapedOutput&) = delete;
  EscapedOutput& operator=(const EscapedOutput&) = delete;

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void flush_pending();  // mu_ held
  std::mutex mu_;        // commands may print from worker threads
  std::ostream& out_;
  std::streambuf* dest_;
  std::string pending_;
};

}  // namespace essnap::cli
