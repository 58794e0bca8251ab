#include "essnap/schedule/log.hpp"

#include <cstdio>
#include <ctime>
#include <iostream>

namespace essnap::schedule {

std::string iso8601(Clock::time_point t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

Logger::Logger(LogFormat format, Sink sink, std::function<Clock::time_point()> now)
    : format_(format), sink_(std::move(sink)), now_(std::move(now)) {
  if (!sink_) sink_ = [](const std::string& line) { std::cerr << line << "\n" << std::flush; };
  if (!now_) now_ = [] { return Clock::now(); };
}

std::string Logger::format(const char* level, const std::string& msg,
                           const nlohmann::json& fields) const {
  const std::string ts = iso8601(now_());
  if (format_ == LogFormat::kJson) {
    nlohmann::json j{{"time", ts}, {"level", level}, {"msg", msg}};
    for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = ts + " " + level + " " + msg;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    std::string v = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    const bool quote = v.empty() || v.find_first_of(" \"=") != std::string::npos;
    line += " " + it.key() + "=" + (quote ? nlohmann::json(v).dump() : v);
  }
  return line;
}

void Logger::write(const char* level, const std::string& msg, const nlohmann::json& fields) {
  const std::string line = format(level, msg, fields);
  std::lock_guard lock(mu_);
  sink_(line);
}

void Logger::info(const std::string& m, const nlohmann::json& f) {
  write("info", m, f);
}
void Logger::warn(const std::string& m, const nlohmann::json& f) {
  write("warn", m, f);
}
void Logger::error(const std::string& m, const nlohmann::json& f) {
  write("error", m, f);
}

}  // namespace essnap::schedule
