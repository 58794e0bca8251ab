#include "essnap/snapshot/naming.hpp"

#include <cctype>
#include <ctime>

#include "essnap/cluster/names.hpp"

namespace essnap::snapshot {
namespace {

using Clock = std::chrono::system_clock;

Error bad(std::string_view tmpl, const std::string& why) {
  return Error(
      ErrorCode::kInvalidArgument, "snapshot name '" + std::string(tmpl) + "': " + why,
      "use a template like nightly-{now:%Y.%m.%d-%H%M} or date math like '<snap-{now/d}>'");
}

std::tm utc(Clock::time_point t) {
  const std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

// Java DateTimeFormatter letters we support -> strftime.
Result<std::string> java_to_strftime(std::string_view f) {
  std::string out;
  for (size_t i = 0; i < f.size();) {
    const char c = f[i];
    size_t n = 1;
    while (i + n < f.size() && f[i + n] == c) ++n;
    if (std::isalpha(static_cast<unsigned char>(c))) {
      if ((c == 'y' || c == 'u' || c == 'Y') && n == 4)
        out += "%Y";
      else if ((c == 'y' || c == 'u' || c == 'Y') && n == 2)
        out += "%y";
      else if (c == 'M' && n == 2)
        out += "%m";
      else if (c == 'd' && n == 2)
        out += "%d";
      else if (c == 'H' && n == 2)
        out += "%H";
      else if (c == 'm' && n == 2)
        out += "%M";
      else if (c == 's' && n == 2)
        out += "%S";
      else
        return Error(ErrorCode::kInvalidArgument,
                     "unsupported date format letters '" + std::string(n, c) + "'");
    } else {
      out.append(n, c == '%' ? '%' : c);
      if (c == '%') out.append(n, '%');
    }
    i += n;
  }
  return out;
}

std::string format_time(const std::tm& tm, const std::string& fmt) {
  char buf[256];
  const size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
  return std::string(buf, n);
}

// {now...} inside date math, without the braces.
Result<std::string> eval_date_math(std::string_view expr, Clock::time_point now) {
  std::string format = "yyyy.MM.dd";
  if (auto b = expr.find('{'); b != std::string_view::npos) {
    if (expr.back() != '}') return Error(ErrorCode::kInvalidArgument, "unclosed format");
    format = std::string(expr.substr(b + 1, expr.size() - b - 2));
    expr = expr.substr(0, b);
    if (format.find('|') != std::string::npos)
      return Error(ErrorCode::kInvalidArgument,
                   "time zones in date math are not supported (UTC is used)");
  }
  if (!expr.starts_with("now"))
    return Error(ErrorCode::kInvalidArgument, "date math must start with 'now'");
  std::tm tm = utc(now);
  size_t i = 3;
  while (i < expr.size()) {
    const char op = expr[i++];
    if (op == '+' || op == '-') {
      size_t j = i;
      while (j < expr.size() && std::isdigit(static_cast<unsigned char>(expr[j]))) ++j;
      if (j == i || j >= expr.size())
        return Error(ErrorCode::kInvalidArgument, "bad offset in date math");
      const int n = std::stoi(std::string(expr.substr(i, j - i))) * (op == '-' ? -1 : 1);
      switch (expr[j]) {
        case 'y':
          tm.tm_year += n;
          break;
        case 'M':
          tm.tm_mon += n;
          break;
        case 'w':
          tm.tm_mday += 7 * n;
          break;
        case 'd':
          tm.tm_mday += n;
          break;
        case 'h':
        case 'H':
          tm.tm_hour += n;
          break;
        case 'm':
          tm.tm_min += n;
          break;
        case 's':
          tm.tm_sec += n;
          break;
        default:
          return Error(ErrorCode::kInvalidArgument, "unknown unit in date math");
      }
      i = j + 1;
      const std::time_t t = timegm(&tm);
      gmtime_r(&t, &tm);
    } else if (op == '/') {
      if (i >= expr.size()) return Error(ErrorCode::kInvalidArgument, "missing rounding unit");
      switch (expr[i++]) {
        case 'y':
          tm.tm_mon = 0;
          [[fallthrough]];
        case 'M':
          tm.tm_mday = 1;
          [[fallthrough]];
        case 'd':
          tm.tm_hour = 0;
          [[fallthrough]];
        case 'h':
        case 'H':
          tm.tm_min = 0;
          [[fallthrough]];
        case 'm':
          tm.tm_sec = 0;
          [[fallthrough]];
        case 's':
          break;
        case 'w': {
          const int back = (tm.tm_wday + 6) % 7;  // weeks start on Monday
          tm.tm_mday -= back;
          tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
          const std::time_t t = timegm(&tm);
          gmtime_r(&t, &tm);
          break;
        }
        default:
          return Error(ErrorCode::kInvalidArgument, "unknown rounding unit in date math");
      }
    } else {
      return Error(ErrorCode::kInvalidArgument,
                   "unexpected '" + std::string(1, op) + "' in date math");
    }
  }
  ESSNAP_TRY(std::string f, java_to_strftime(format));
  return format_time(tm, f);
}

}  // namespace

Result<std::string> resolve_snapshot_reference(std::string_view name,
                                               std::chrono::system_clock::time_point now) {
  if (name.starts_with("<") || name.find("{now:") != std::string_view::npos)
    return expand_snapshot_name(name, now);
  return std::string(name);
}

Result<std::string> expand_snapshot_name(std::string_view tmpl,
                                         std::chrono::system_clock::time_point now) {
  std::string out;
  if (tmpl.starts_with("<")) {
    if (!tmpl.ends_with(">") || tmpl.size() < 3) return bad(tmpl, "date math must end with '>'");
    const std::string_view body = tmpl.substr(1, tmpl.size() - 2);
    for (size_t i = 0; i < body.size();) {
      if (body[i] == '\\' && i + 1 < body.size()) {
        out += body[i + 1];
        i += 2;
      } else if (body[i] == '{') {
        // The expression ends at the brace matching this one (a format adds one nested pair).
        int depth = 0;
        size_t j = i;
        for (; j < body.size(); ++j) {
          if (body[j] == '{') ++depth;
          if (body[j] == '}' && --depth == 0) break;
        }
        if (j >= body.size()) return bad(tmpl, "unclosed '{'");
        auto v = eval_date_math(body.substr(i + 1, j - i - 1), now);
        if (!v.ok()) return bad(tmpl, v.error().message);
        out += *v;
        i = j + 1;
      } else if (body[i] == '}') {
        return bad(tmpl, "unmatched '}'");
      } else {
        out += body[i++];
      }
    }
  } else {
    const std::tm tm = utc(now);
    for (size_t i = 0; i < tmpl.size();) {
      if (tmpl.substr(i).starts_with("{now:")) {
        const size_t j = tmpl.find('}', i);
        if (j == std::string_view::npos) return bad(tmpl, "unclosed '{now:'");
        const std::string fmt(tmpl.substr(i + 5, j - i - 5));
        if (fmt.empty()) return bad(tmpl, "empty time format in '{now:}'");
        out += format_time(tm, fmt);
        i = j + 1;
      } else if (tmpl[i] == '{' || tmpl[i] == '}') {
        return bad(tmpl, "only {now:FORMAT} may appear in braces");
      } else {
        out += tmpl[i++];
      }
    }
  }
  ESSNAP_TRY_STATUS(validate_snapshot_name(out));
  return out;
}

Status validate_snapshot_name(std::string_view name) {
  return cluster::names::validate_snapshot_name(name, "snapshot name");
}

}  // namespace essnap::snapshot
