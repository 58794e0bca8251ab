// The one progress channel: what a long operation (a snapshot or restore wait, an export, import
// or copy, an inspect verify / du / orphans) tells its caller while it runs. One event type (how
// far: units and bytes done of their totals, the rate, the ETA; or a notice), one sink type, and
// the one wording of a progress line and of a JSON event, which every output style draws
// (cli/progress_output: an updating line, a line per change, JSON events). Nothing here knows an
// operation: each fills the fields it has.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace essnap::util {

enum class ProgressKind { kProgress, kNotice };

// What `rate` counts per second.
enum class RateOf { kBytes, kUnits };

struct ProgressEvent {
  ProgressKind kind = ProgressKind::kProgress;
  std::string operation;    // "snapshot", "restore", "export", "import", "copy", "inspect"
  std::string subject;      // what it works on: a snapshot, an index, "verify s3://bucket/prefix"
  std::string state;        // the engine's word or the step ("STARTED", "metadata", a chunk), or ""
  std::uint64_t done = 0;   // units done ...
  std::uint64_t total = 0;  // ... of this many
  std::string unit;         // "shards", "docs", "data files"
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;  // 0: no total known (bytes_done is drawn alone)
  double rate = 0;                // per second, of `rate_of`; 0: not known (yet)
  RateOf rate_of = RateOf::kBytes;
  double eta_seconds = -1;  // -1: not known
  std::chrono::milliseconds elapsed{0};
  std::string message;  // a notice's text
  // The operation's own JSON event, for the fields it has always printed with -o json
  // ("event":"progress" of a wait, "event":"chunk" of a transfer); null: the generic one.
  nlohmann::json detail;
};

using ProgressSink = std::function<void(const ProgressEvent&)>;

// A notice: "cluster not answering (...); still waiting for snapshot s1", "created logs".
ProgressEvent progress_notice(std::string message);

// Hands the event (or the notice) to `sink`, when there is one.
void report(const ProgressSink& sink, const ProgressEvent& e);
void notify(const ProgressSink& sink, std::string message);

// Sets rate (bytes per second) and eta_seconds from the bytes done over `elapsed`: known once
// half a second has passed, a byte is done and the total is known; the ETA while bytes remain.
void set_byte_rate(ProgressEvent& e);

std::string format_bytes(std::int64_t bytes);              // "0 B", "1.5 KiB", "3.2 GiB"
std::string format_duration(std::chrono::milliseconds d);  // "0:07", "1:02:03"

// The line every text style draws, or a notice's message:
//   "snapshot s1: 3/5 shards, 1.2 MiB/4.0 MiB, 2.3 MiB/s, ETA 0:02 [STARTED]"
//   "export logs: 500/3001 docs, 1.2 MiB, 1234 docs/s, ETA 0:02 [logs/000-000000.ndjson: 500]"
std::string progress_line(const ProgressEvent& e);

// The JSON event: {"event":"notice","message":...} for a notice; the operation's `detail` when it
// gave one; else {"event":"progress","operation","name","state","done","total","unit",
// "bytes_done","bytes_total","rate","eta_seconds" (null: unknown),"elapsed_ms"}.
nlohmann::json progress_json(const ProgressEvent& e);

}  // namespace essnap::util
