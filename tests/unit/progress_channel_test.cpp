// The one progress channel: the event (util/progress.hpp) as each operation fills it — snapshot
// and restore waits, transfer chunks, inspect — its line and JSON, and the one renderer
// (cli/progress_output) in each style: the updating terminal line, a line per change, JSON events,
// quiet; its pace; the wait loop and transfer hooks drawing through it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "essnap/cli/progress_output.hpp"
#include "essnap/inspect/scan.hpp"
#include "essnap/snapshot/progress.hpp"
#include "essnap/snapshot/wait.hpp"
#include "essnap/transfer/events.hpp"
#include "essnap/util/progress.hpp"

namespace essnap {
namespace {

using std::chrono::milliseconds;
using util::ProgressEvent;

const snapshot::Progress kSnapshot{"snapshot", "s1",        "STARTED",       3,
                                   5,          1024 * 1024, 4 * 1024 * 1024, milliseconds(1000)};

transfer::ChunkProgress chunk(long long documents, long long done, double seconds) {
  return {"export",    "logs", "logs/000-00000" + std::to_string(done / 500) + ".ndjson.zst",
          documents,   done,   3000,
          done * 1024, seconds};
}

// --- the event and its two wordings -----------------------------------------------------------

TEST(ProgressEvent, SnapshotWaitKeepsItsLineAndItsJsonByteForByte) {
  const ProgressEvent e = snapshot::to_event(kSnapshot);
  EXPECT_EQ(e.operation, "snapshot");
  EXPECT_EQ(e.subject, "s1");
  EXPECT_EQ(e.unit, "shards");
  EXPECT_EQ(e.done, 3u);
  EXPECT_EQ(e.total, 5u);
  EXPECT_DOUBLE_EQ(e.rate, 1024.0 * 1024.0);
  EXPECT_DOUBLE_EQ(e.eta_seconds, 3.0);
  EXPECT_EQ(util::progress_line(e),
            "snapshot s1: 3/5 shards, 1.0 MiB/4.0 MiB, 1.0 MiB/s, ETA 0:03 [STARTED]");
  EXPECT_EQ(util::progress_json(e).dump(),
            R"({"bytes_done":1048576,"bytes_total":4194304,"elapsed_ms":1000,"event":"progress",)"
            R"("name":"s1","operation":"snapshot","shards_done":3,"shards_total":5,)"
            R"("state":"STARTED"})");
  // A restore without recovery bytes: shards alone, and no bytes without their total.
  snapshot::Progress restore{"restore", "s1", "", 1, 2, 10, 0, milliseconds(5000)};
  EXPECT_EQ(util::progress_line(snapshot::to_event(restore)), "restore s1: 1/2 shards");
  EXPECT_EQ(snapshot::format_progress(restore), "restore s1: 1/2 shards");
}

TEST(ProgressEvent, TransferChunkKeepsItsJsonEventAndCarriesTheRunsRate) {
  const ProgressEvent e = transfer::chunk_event(chunk(500, 1500, 1.5), 1500);
  EXPECT_EQ(e.operation, "export");
  EXPECT_EQ(e.subject, "logs");
  EXPECT_EQ(e.unit, "docs");
  EXPECT_EQ(e.rate_of, util::RateOf::kUnits);
  EXPECT_DOUBLE_EQ(e.rate, 1000.0);      // 1500 documents this run in 1.5 s
  EXPECT_DOUBLE_EQ(e.eta_seconds, 1.5);  // 1500 left at 1000/s
  EXPECT_EQ(e.bytes_total, 0u) << "bytes written have no total";
  EXPECT_EQ(util::progress_line(e),
            "export logs: 1500/3000 docs, 1.5 MiB, 1000 docs/s, ETA 0:01 "
            "[logs/000-000003.ndjson.zst: 500]");
  EXPECT_EQ(util::progress_json(e).dump(),
            R"({"bytes":1536000,"chunk":"logs/000-000003.ndjson.zst","documents":500,)"
            R"("documents_done":1500,"documents_total":3000,"event":"chunk","index":"logs",)"
            R"("phase":"export","seconds":1.5})");
  // Nothing read yet this run (a resume's first chunk at 0 s): no rate, no ETA.
  const ProgressEvent first = transfer::chunk_event(chunk(500, 500, 0), 500);
  EXPECT_EQ(util::progress_line(first),
            "export logs: 500/3000 docs, 500.0 KiB [logs/000-000001.ndjson.zst: 500]");
}

TEST(ProgressEvent, InspectHasTheGenericJsonEvent) {
  auto e = inspect::inspect_progress("verify /repo", "data", 2, 40, "data files",
                                     std::chrono::steady_clock::now());
  e.bytes_done = 1024;
  e.bytes_total = 4096;
  e.elapsed = milliseconds(2000);
  util::set_byte_rate(e);
  EXPECT_EQ(util::progress_line(e),
            "inspect verify /repo: 2/40 data files, 1.0 KiB/4.0 KiB, 512 B/s, ETA 0:06 [data]");
  const auto j = util::progress_json(e);
  EXPECT_EQ(j["event"], "progress");
  EXPECT_EQ(j["operation"], "inspect");
  EXPECT_EQ(j["name"], "verify /repo");
  EXPECT_EQ(j["state"], "data");
  EXPECT_EQ(j["done"], 2);
  EXPECT_EQ(j["total"], 40);
  EXPECT_EQ(j["unit"], "data files");
  EXPECT_EQ(j["bytes_done"], 1024);
  EXPECT_EQ(j["bytes_total"], 4096);
  EXPECT_EQ(j["rate"], 512.0);
  EXPECT_EQ(j["eta_seconds"], 6.0);
  EXPECT_EQ(j["elapsed_ms"], 2000);
  auto shards = inspect::inspect_progress("du /repo", "", 3, 10, "shards", {});
  EXPECT_EQ(util::progress_line(shards), "inspect du /repo: 3/10 shards");
  EXPECT_TRUE(util::progress_json(shards)["eta_seconds"].is_null());
}

TEST(ProgressEvent, ANoticeIsItsMessage) {
  const ProgressEvent n = util::progress_notice("cluster answering again");
  EXPECT_EQ(n.kind, util::ProgressKind::kNotice);
  EXPECT_EQ(util::progress_line(n), "cluster answering again");
  EXPECT_EQ(util::progress_json(n).dump(),
            R"({"event":"notice","message":"cluster answering again"})");
}

// --- the one renderer ---------------------------------------------------------------------------

// The same events for every style: two progress events, a notice, a last progress event.
std::vector<ProgressEvent> script() {
  snapshot::Progress p = kSnapshot;
  std::vector<ProgressEvent> out{snapshot::to_event(p)};
  p.shards_done = 4;
  p.bytes_done = 2 * 1024 * 1024;
  p.elapsed = milliseconds(2000);
  out.push_back(snapshot::to_event(p));
  out.push_back(util::progress_notice("cluster not answering (reset); still waiting"));
  p.shards_done = 5;
  p.bytes_done = p.bytes_total;
  p.state = "SUCCESS";
  out.push_back(snapshot::to_event(p));
  return out;
}

std::string render_progress(cli::ProgressStyle style) {
  std::ostringstream out;
  {
    cli::ProgressOutput progress(style, {}, &out);
    auto sink = progress.sink();
    for (const auto& e : script()) sink(e);
  }  // the destructor ends an open line
  return out.str();
}

const std::string kLine1 =
    "snapshot s1: 3/5 shards, 1.0 MiB/4.0 MiB, 1.0 MiB/s, ETA 0:03 [STARTED]";
const std::string kLine2 =
    "snapshot s1: 4/5 shards, 2.0 MiB/4.0 MiB, 1.0 MiB/s, ETA 0:02 [STARTED]";
const std::string kNotice = "cluster not answering (reset); still waiting";
const std::string kLine3 = "snapshot s1: 5/5 shards, 4.0 MiB/4.0 MiB, 2.0 MiB/s [SUCCESS]";

TEST(ProgressOutput, TerminalRedrawsOneLineAndPutsNoticesOnTheirOwn) {
  EXPECT_EQ(render_progress(cli::ProgressStyle::kTerminal),
            "\r" + kLine1 + "\x1b[K" + "\r" + kLine2 + "\x1b[K" + "\r\x1b[K" + kNotice + "\n" +
                "\r" + kLine3 + "\x1b[K" + "\n");
}

TEST(ProgressOutput, LinesWritesALinePerEvent) {
  EXPECT_EQ(render_progress(cli::ProgressStyle::kLines),
            kLine1 + "\n" + kLine2 + "\n" + kNotice + "\n" + kLine3 + "\n");
}

TEST(ProgressOutput, JsonWritesOneEventPerLine) {
  std::istringstream in(render_progress(cli::ProgressStyle::kJson));
  std::vector<nlohmann::json> events;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    events.push_back(j);
  }
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0], snapshot::progress_event(kSnapshot));
  EXPECT_EQ(events[1]["shards_done"], 4);
  EXPECT_EQ(events[2], (nlohmann::json{{"event", "notice"}, {"message", kNotice}}));
  EXPECT_EQ(events[3]["state"], "SUCCESS");
}

TEST(ProgressOutput, QuietDrawsNothing) {
  EXPECT_EQ(render_progress(cli::ProgressStyle::kQuiet), "");
}

TEST(ProgressOutput, TheSameEventsWithOrWithoutATerminal) {
  std::string terminal = render_progress(cli::ProgressStyle::kTerminal);
  for (const std::string erase : {"\r\x1b[K", "\x1b[K", "\r"})
    for (auto at = terminal.find(erase); at != std::string::npos; at = terminal.find(erase))
      terminal.replace(at, erase.size(), erase == "\x1b[K" ? "\n" : "");
  // On a terminal each line is ended by the next redraw; the notice kept its own newline.
  std::string lines = render_progress(cli::ProgressStyle::kLines);
  std::string squeezed;
  for (std::size_t i = 0; i < terminal.size(); ++i)
    if (!(terminal[i] == '\n' && i > 0 && terminal[i - 1] == '\n')) squeezed += terminal[i];
  EXPECT_EQ(squeezed, lines);
}

TEST(ProgressOutput, FinishEndsAnOpenLineOnce) {
  std::ostringstream out;
  cli::ProgressOutput progress(cli::ProgressStyle::kTerminal, {}, &out);
  progress.finish();
  EXPECT_EQ(out.str(), "") << "nothing drawn, nothing to end";
  progress.draw(snapshot::to_event(kSnapshot));
  progress.finish();
  progress.finish();
  EXPECT_EQ(out.str(), "\r" + kLine1 + "\x1b[K\n");
}

TEST(ProgressOutput, PaceHoldsBackFrequentEventsButNeverTheLastOrANotice) {
  auto t = std::chrono::steady_clock::time_point{};
  std::ostringstream out;
  cli::ProgressPace pace{milliseconds(1000), milliseconds(250), milliseconds(5000)};
  cli::ProgressOutput progress(cli::ProgressStyle::kLines, pace, &out, [&] { return t; });
  auto shards = [](std::uint64_t done) {
    ProgressEvent e;
    e.operation = "inspect";
    e.subject = "du /r";
    e.done = done;
    e.total = 10;
    e.unit = "shards";
    return e;
  };
  progress.draw(shards(1));  // within the first second: quick work draws nothing
  t += milliseconds(1200);
  progress.draw(shards(2));  // drawn
  t += milliseconds(1000);
  progress.draw(shards(3));  // within the 5 s gap
  progress.draw(util::progress_notice("note"));
  t += milliseconds(100);
  progress.draw(shards(10));  // every shard done: drawn whatever the gap
  EXPECT_EQ(out.str(), "inspect du /r: 2/10 shards\nnote\ninspect du /r: 10/10 shards\n");
}

// --- the library's hooks drawing through it -----------------------------------------------------

TEST(ProgressOutput, TheWaitLoopsNoticesReachTheRenderer) {
  std::ostringstream out;
  cli::ProgressOutput progress(cli::ProgressStyle::kLines, {}, &out);
  auto hooks = cli::wait_hooks(progress);
  hooks.sleep = [](milliseconds) {};
  int polls = 0;
  auto poll = [&]() -> Result<snapshot::PollState> {
    if (++polls == 1) return Error(ErrorCode::kNetwork, "connection reset");
    hooks.report(kSnapshot);
    return snapshot::PollState::kDone;
  };
  ASSERT_TRUE(snapshot::wait_until_done(poll, {"snapshot s1", ""}, {}, hooks).ok());
  // The poll reports what it saw before the loop says the cluster answers again.
  EXPECT_EQ(out.str(), "cluster not answering (connection reset); still waiting for snapshot s1\n" +
                           kLine1 + "\ncluster answering again\n");
}

TEST(ProgressOutput, TransferHooksCountTheRunsDocumentsAcrossIndices) {
  std::vector<ProgressEvent> seen;
  transfer::Hooks hooks;
  hooks.progress = [&](const ProgressEvent& e) { seen.push_back(e); };
  const transfer::Hooks locked = transfer::synchronized(hooks);
  locked.chunk(chunk(500, 500, 1.0));
  locked.chunk({"export", "other", "other/000-000000.ndjson.zst", 300, 300, 300, 0, 2.0});
  locked.notify("other: exported 300 documents");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_DOUBLE_EQ(seen[0].rate, 500.0);
  EXPECT_DOUBLE_EQ(seen[1].rate, 400.0) << "800 documents this run in 2 s";
  EXPECT_DOUBLE_EQ(seen[1].eta_seconds, 0.0);
  EXPECT_EQ(seen[2].kind, util::ProgressKind::kNotice);
  EXPECT_EQ(seen[2].message, "other: exported 300 documents");
}

}  // namespace
}  // namespace essnap
