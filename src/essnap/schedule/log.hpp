// Structured log lines of `essnap run`, to stderr: `--log-format text` (time, level, message,
// key=value fields) or `json` (one object per line). Callers pass no secrets: config values
// that name secrets are never logged, only their variable or file names.
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/schedule/cron.hpp"

namespace essnap::schedule {

enum class LogFormat { kText, kJson };

class Logger {
 public:
  using Sink = std::function<void(const std::string& line)>;  // gets the line without '\n'
  explicit Logger(LogFormat format, Sink sink = {}, std::function<Clock::time_point()> now = {});

  void info(const std::string& msg, const nlohmann::json& fields = nlohmann::json::object());
  void warn(const std::string& msg, const nlohmann::json& fields = nlohmann::json::object());
  void error(const std::string& msg, const nlohmann::json& fields = nlohmann::json::object());

  // The line as it would be written (for tests).
  std::string format(const char* level, const std::string& msg, const nlohmann::json& fields) const;

 private:
  void write(const char* level, const std::string& msg, const nlohmann::json& fields);

  LogFormat format_;
  Sink sink_;
  std::function<Clock::time_point()> now_;
  std::mutex mu_;
};

std::string iso8601(Clock::time_point t);  // 2026-12-01T07:00:00.123Z

}  // namespace essnap::schedule
