#include "essnap/inspect/verify.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>

#include "essnap/format/crc32.hpp"
#include "essnap/format/file_checker.hpp"
#include "essnap/format/lucene_footer.hpp"
#include "essnap/inspect/scan.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/util/rate_limiter.hpp"
#include "essnap/util/strings.hpp"
#include "essnap/util/work_pool.hpp"

namespace essnap::inspect {
namespace {

const blob::BlobInfo* find_blob(const blob::Listing& l, const std::string& name) {
  auto it =
      std::lower_bound(l.blobs.begin(), l.blobs.end(), name,
                       [](const blob::BlobInfo& b, const std::string& n) { return b.name < n; });
  return it != l.blobs.end() && it->name == name ? &*it : nullptr;
}

// Two records of one blob that agree on what its bytes are.
bool same_record(const format::FileInfo& a, const format::FileInfo& b) {
  return a.length == b.length && a.checksum == b.checksum && a.physical_name == b.physical_name &&
         a.part_size == b.part_size && a.has_meta_hash == b.has_meta_hash &&
         a.meta_hash == b.meta_hash;
}

std::string describe_record(const format::FileInfo& f) {
  std::string s =
      f.physical_name + ", " + std::to_string(f.length) + " bytes, checksum " + f.checksum;
  if (f.part_size) s += ", parts of " + std::to_string(*f.part_size);
  return s;
}

// Problems kept in the report; past this they are only counted (a hostile repository can
// describe millions of missing blobs in a few bytes).
constexpr std::size_t kMaxProblems = 10000;

struct DataTask {
  std::string dir;
  format::FileInfo file;
  std::vector<std::string> snapshots;
  std::string index;
};

class Collector {
 public:
  void problem(Problem p) {
    std::sort(p.snapshots.begin(), p.snapshots.end());
    p.snapshots.erase(std::unique(p.snapshots.begin(), p.snapshots.end()), p.snapshots.end());
    std::lock_guard<std::mutex> l(mu_);
    if (problems_.size() >= kMaxProblems) {
      ++omitted_;
      return;
    }
    problems_.push_back(std::move(p));
  }
  std::uint64_t omitted() const { return omitted_; }
  void note(std::string n) {
    std::lock_guard<std::mutex> l(mu_);
    notes_.push_back(std::move(n));
  }
  std::vector<Problem> take_problems() {
    std::sort(problems_.begin(), problems_.end(),
              [](const Problem& a, const Problem& b) { return a.path < b.path; });
    return std::move(problems_);
  }
  std::vector<std::string> take_notes() { return std::move(notes_); }

 private:
  std::mutex mu_;
  std::vector<Problem> problems_;
  std::uint64_t omitted_ = 0;
  std::vector<std::string> notes_;
};

}  // namespace

Result<VerifyReport> verify(blob::BlobStore& container, const VerifyOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  const std::string subject = "verify " + container.describe();
  VerifyReport report;
  Collector out;
  auto opened = Repository::open(container);
  if (!opened.ok()) {
    const Error& e = opened.error();
    if (e.code != ErrorCode::kParse) return std::move(opened).error();
    // A root index-N that does not parse: the repository is damaged, and nothing below it can
    // be walked. Name the blob.
    auto listing = container.list("");
    if (!listing.ok()) return std::move(listing).error();
    std::uint64_t gen = 0;
    for (const auto& b : listing->blobs)
      if (auto g = format::root_generation_from_name(b.name)) gen = std::max(gen, *g);
    report.generation = gen;
    report.problems.push_back({"index-" + std::to_string(gen), "", e.message, {}, {}});
    return report;
  }
  Repository& repo = **opened;
  if (o.state) {
    const auto& uuid = repo.data().uuid;
    ESSNAP_TRY_STATUS(o.state->bind_repository_uuid(uuid && *uuid != "_na_" ? *uuid : ""));
  }
  report.generation = repo.generation();
  for (const auto& n : repo.notes()) out.note(n);
  for (const auto& [path, what] : repo.root_problems()) out.problem({path, "", what, {}, {}});
  if (repo.index_latest() && *repo.index_latest() > repo.generation())
    out.problem({"index-" + std::to_string(*repo.index_latest()),
                 "",
                 "missing blob: index.latest names generation " +
                     std::to_string(*repo.index_latest()) + " but the newest root blob is " +
                     repo.root_index_path(),
                 {},
                 {}});
  ESSNAP_TRY(auto selection, repo.select(o.snapshots));
  for (const auto* s : selection) report.snapshots.push_back(s->name);

  const bool read_data = o.read_data == ReadData::kYes;
  const auto now = o.now ? o.now() : std::chrono::system_clock::now();
  std::mutex mu;
  std::vector<DataTask> data;
  std::atomic<std::uint64_t> metadata{0}, data_files{0}, virtual_files{0}, fresh{0}, subset_skip{0};

  ScanHooks hooks;
  hooks.global_metadata = GlobalMetadata::kCheck;
  hooks.damage = [&](std::string path, std::string what, std::vector<std::string> snaps,
                     std::vector<std::string> idx) {
    out.problem({std::move(path), "", std::move(what), std::move(snaps), std::move(idx)});
  };
  hooks.note = [&](const std::string& n) { out.note(n); };
  hooks.interrupted = o.interrupted;
  hooks.metadata_read = [&](const std::string&) { ++metadata; };
  hooks.progress = shard_progress(o.progress, subject, "metadata", started);

  auto visit = [&](ShardScan& sc) -> Status {
    std::vector<std::string> holders;
    for (const auto& e : sc.entries) holders.push_back(e.snapshot->snapshot->name);
    // The shard's current index-<gen>: present and intact.
    std::optional<format::ShardSnapshots> shard_index;
    if (sc.index_blob) {
      const std::string path = sc.dir + "/" + *sc.index_blob;
      if (!find_blob(sc.listing, *sc.index_blob)) {
        out.problem({path,
                     "",
                     "missing blob " + path + " (the shard's current generation)",
                     holders,
                     {sc.index->name}});
      } else {
        auto s = repo.shard_snapshots(sc.dir, *sc.index_blob);
        ++metadata;
        if (!s.ok()) {
          if (!is_damage(s.error())) return std::move(s).error();
          out.problem({path, "", s.error().message, holders, {sc.index->name}});
        } else {
          shard_index = std::move(s).value();
        }
      }
    }
    // Each referenced file once per distinct record of it, with the snapshots holding that
    // record: snapshots (and the shard's index-<gen>) that describe one blob differently cannot
    // all be right, and the engine restores each snapshot from its own record.
    struct Record {
      const format::FileInfo* info;
      std::vector<std::string> snapshots;
    };
    std::map<std::string, std::vector<Record>> files;
    auto add_record = [&](const format::FileInfo& f, const std::string& holder) {
      auto& records = files[f.name];
      for (auto& r : records)
        if (same_record(*r.info, f)) {
          if (!holder.empty()) r.snapshots.push_back(holder);
          return;
        }
      records.push_back(
          {&f, holder.empty() ? std::vector<std::string>{} : std::vector<std::string>{holder}});
    };
    for (const auto& e : sc.entries) {
      if (!e.files) continue;
      for (const auto& f : e.files->files) add_record(f, e.snapshot->snapshot->name);
    }
    if (shard_index && !files.empty()) {
      // The shard's index-<gen> lists the files later snapshots reuse: a record there that
      // disagrees with a snapshot's would be copied into the next snapshot.
      for (const auto& f : shard_index->files)
        if (files.count(f.name)) add_record(f, "");
    }
    for (auto& [name, records] : files) {
      const std::string path = sc.dir + "/" + name;
      if (records.size() > 1) {
        std::vector<std::string> all;
        std::string said;
        for (const auto& r : records) {
          all.insert(all.end(), r.snapshots.begin(), r.snapshots.end());
          said += said.empty() ? "" : "; ";
          said +=
              (r.snapshots.empty() ? std::string("the shard's ") + sc.index_blob.value_or("")
                                   : "snapshot" + std::string(r.snapshots.size() > 1 ? "s " : " ") +
                                         util::join(r.snapshots, ", ")) +
              " record " + describe_record(*r.info);
        }
        out.problem({path,
                     records.front().info->physical_name,
                     "the snapshots' metadata disagree about this blob (" + said +
                         "): at most one record is right",
                     all,
                     {sc.index->name}});
      }
    }
    for (auto& [name, records] : files) {
      for (auto& record : records) {
        if (record.snapshots.empty()) continue;  // only the shard index-<gen> holds it
        const format::FileInfo& f = *record.info;
        const std::vector<std::string>& holders_of = record.snapshots;
        const std::string path = sc.dir + "/" + name;
        auto bad = [&](std::string p, std::string what) {
          out.problem(
              {std::move(p), f.physical_name, std::move(what), holders_of, {sc.index->name}});
        };
        if (f.is_virtual()) {
          ++virtual_files;
          if (!f.has_meta_hash || f.meta_hash.size() != f.length) {
            bad(path, "v__ file holds " + std::to_string(f.meta_hash.size()) +
                          " bytes of meta_hash, its length is " + std::to_string(f.length));
            continue;
          }
          if (read_data) {
            format::FileChecker c;
            c.feed(f.meta_hash);
            if (auto p = c.problem(f.length, f.checksum)) bad(path, *p);
          }
          continue;
        }
        ++data_files;
        const std::uint64_t parts = f.number_of_parts();
        if (parts > 1 && parts > sc.listing.blobs.size()) {
          // The record claims more parts than the directory holds blobs: never enumerated.
          bad(path, "the snapshot records " + std::to_string(f.length) + " bytes in " +
                        std::to_string(parts) + " parts of " +
                        std::to_string(f.part_size.value_or(0)) + " bytes; the directory holds " +
                        std::to_string(sc.listing.blobs.size()) + " blobs");
          continue;
        }
        bool complete = true;
        for (std::uint64_t i = 0; i < parts; ++i) {
          const std::string part = f.part_name(i);
          const blob::BlobInfo* b = find_blob(sc.listing, part);
          if (!b) {
            bad(sc.dir + "/" + part, "missing blob " + sc.dir + "/" + part +
                                         (parts > 1 ? " (part " + std::to_string(i + 1) + " of " +
                                                          std::to_string(parts) + ")"
                                                    : ""));
            complete = false;
          } else if (b->size != f.part_length(i)) {
            bad(sc.dir + "/" + part,
                "blob is " + std::to_string(b->size) + " bytes, the snapshot records " +
                    std::to_string(f.part_length(i)) + " (truncated or altered)");
            complete = false;
          }
        }
        if (!complete || !read_data) continue;
        if (o.subset && !in_subset(*o.subset, path)) {
          ++subset_skip;
          continue;
        }
        if (records.size() == 1 && o.state && o.state->fresh(path, f.length, o.max_age, now)) {
          ++fresh;
          continue;
        }
        std::lock_guard<std::mutex> l(mu);
        data.push_back({sc.dir, f, holders_of, sc.index->name});
      }
    }
    return ok_status();
  };
  ESSNAP_TRY(auto scanned, scan(repo, selection, o.concurrency, hooks, visit));
  report.shards = scanned.shards;

  // Data files, read in pieces of at most kPiece bytes so that one large file is read by several
  // workers at once (ranged GETs on S3); each piece's CRC-32 is combined in file order and the
  // file judged when its last piece is in. Memory: one chunk per worker, 16 bytes per file.
  constexpr std::uint64_t kPiece = std::uint64_t{16} << 20;
  struct FileJob {
    const DataTask* task = nullptr;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> crcs;  // per piece: CRC, bytes covered
    std::array<std::uint8_t, 16> tail{};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::size_t> pieces_left{0};
    std::mutex mu;
    std::optional<std::string> problem;
    std::string problem_path;
  };
  struct Piece {
    FileJob* job;
    std::size_t index;
    std::string blob;
    std::uint64_t blob_offset, length, file_offset;
  };
  std::vector<std::unique_ptr<FileJob>> jobs;
  std::vector<Piece> pieces;
  util::RateLimiter limiter(o.limit_bytes_per_second);
  std::uint64_t bytes_total = 0;
  for (const auto& t : data) {
    auto job = std::make_unique<FileJob>();
    job->task = &t;
    std::uint64_t file_offset = 0;
    const std::uint64_t parts = t.file.number_of_parts();
    for (std::uint64_t p = 0; p < parts; ++p) {
      const std::uint64_t part_len = t.file.part_length(p);
      for (std::uint64_t off = 0; off < part_len || (part_len == 0 && off == 0); off += kPiece) {
        const std::uint64_t len = std::min(kPiece, part_len - off);
        pieces.push_back({job.get(), job->crcs.size(), t.dir + "/" + t.file.part_name(p), off, len,
                          file_offset + off});
        job->crcs.push_back({0, 0});
        if (part_len == 0) break;
      }
      file_offset += part_len;
    }
    job->pieces_left = job->crcs.size();
    bytes_total += t.file.length;
    jobs.push_back(std::move(job));
  }
  std::atomic<std::uint64_t> bytes_done{0}, files_done{0};
  auto finish = [&](FileJob& job) {
    const DataTask& t = *job.task;
    const std::string path = t.dir + "/" + t.file.name;
    std::optional<std::string> problem = job.problem;
    std::string where = job.problem ? job.problem_path : path;
    if (!problem) {
      std::uint32_t crc = 0;
      for (const auto& [c, len] : job.crcs) crc = format::FileChecker::combine(crc, c, len);
      const std::uint64_t L = t.file.length;
      problem = format::FileChecker::judge(
          job.bytes.load(), crc, std::span<const std::uint8_t>(job.tail.data(), L < 16 ? L : 16), L,
          t.file.checksum);
      if (problem && t.file.number_of_parts() > 1)
        *problem += " (the file is split in " + std::to_string(t.file.number_of_parts()) +
                    " blobs " + t.file.name + ".part0 ...)";
    }
    if (problem) {
      out.problem({where, t.file.physical_name, *problem, t.snapshots, {t.index}});
    } else if (o.state) {
      o.state->mark(path, t.file.length, now);
    }
    const auto d = ++files_done;
    if (o.progress) {
      auto e = inspect_progress(subject, "data", d, jobs.size(), "data files", started);
      e.bytes_done = bytes_done.load();
      e.bytes_total = bytes_total;
      util::set_byte_rate(e);
      o.progress(e);
    }
  };
  ESSNAP_TRY_STATUS(util::run_pool(
      pieces.size(), o.concurrency,
      [&](std::size_t i) -> Status {
        const Piece& pc = pieces[i];
        FileJob& job = *pc.job;
        const std::uint64_t L = job.task->file.length;
        const std::uint64_t crc_end = L >= 8 ? L - 8 : 0, tail_start = L >= 16 ? L - 16 : 0;
        {
          format::Crc32 crc;
          std::uint64_t pos = pc.file_offset, covered = 0, got = 0;
          Status s = repo.container().stream_range(
              pc.blob, pc.blob_offset, pc.length, [&](std::string_view chunk) -> Status {
                if (!limiter.acquire(chunk.size(), o.interrupted) ||
                    (o.interrupted && o.interrupted()))
                  return make_error(ErrorCode::kInterrupted, "interrupted");
                const auto* b = reinterpret_cast<const std::uint8_t*>(chunk.data());
                const std::uint64_t n = chunk.size();
                if (pos < crc_end) {
                  const std::uint64_t k = std::min(n, crc_end - pos);
                  crc.update({b, static_cast<std::size_t>(k)});
                  covered += k;
                }
                if (pos + n > tail_start) {
                  const std::uint64_t from = pos < tail_start ? tail_start - pos : 0;
                  std::lock_guard<std::mutex> l(job.mu);
                  for (std::uint64_t k = from; k < n && pos + k < L; ++k)
                    job.tail[static_cast<std::size_t>(pos + k - tail_start)] = b[k];
                }
                pos += n;
                got += n;
                bytes_done += n;
                return ok_status();
              });
          // The store resumes a dropped read itself; an error here is final.
          if (s.ok()) {
            job.crcs[pc.index] = {crc.value(), covered};
            job.bytes += got;
          } else if (s.error().code == ErrorCode::kNotFound) {
            bytes_done -= got;
            std::lock_guard<std::mutex> l(job.mu);
            if (!job.problem) {
              job.problem = "missing blob " + pc.blob + " (vanished while reading)";
              job.problem_path = pc.blob;
            }
          } else {
            return s;
          }
        }
        if (--job.pieces_left == 0) finish(job);
        return ok_status();
      },
      o.interrupted));

  report.metadata_blobs = metadata;
  report.data_files = data_files;
  report.virtual_files = virtual_files;
  report.data_files_read = files_done;
  report.data_files_skipped_fresh = fresh;
  report.data_files_skipped_subset = subset_skip;
  report.bytes_read = bytes_done;
  report.problems_omitted = out.omitted();
  report.problems = out.take_problems();
  report.notes = out.take_notes();
  return report;
}

}  // namespace essnap::inspect
