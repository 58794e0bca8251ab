#include "essnap/transfer/reader.hpp"

#include <algorithm>
#include <future>
#include <thread>

#include "essnap/transfer/ndjson.hpp"

namespace essnap::transfer {
namespace {

// A page larger than this shrinks the next page: memory stays bounded whatever the documents.
constexpr std::size_t kMaxPageBytes = 24u << 20;

std::string slice_json(const SliceJob& job) {
  if (job.slices <= 1) return "";
  return ",\"slice\":{\"id\":" + std::to_string(job.slice) +
         ",\"max\":" + std::to_string(job.slices) + "}";
}

}  // namespace

int choose_slices(int requested, int primaries) {
  if (requested > 0) return std::min(requested, 64);
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp(std::min(primaries, cores), 1, 8);
}

Result<cluster::ReadStrategy> choose_strategy(const std::optional<cluster::ReadStrategy>& asked,
                                              const cluster::ClusterInfo& info) {
  const cluster::ReadStrategy best = cluster::read_strategy_for(info);
  if (!asked) return best;
  if (*asked == cluster::ReadStrategy::kPointInTime && best != cluster::ReadStrategy::kPointInTime)
    return Error(
        ErrorCode::kInvalidArgument,
        "--read-strategy pit needs Elasticsearch 7.16 or later (a sliceable point in time)",
        "use --read-strategy scroll or search-after");
  return *asked;
}

int page_size_for(double average_hit_bytes) {
  if (!(average_hit_bytes > 0)) return 10000;
  const double fit = static_cast<double>(kTargetPageBytes) / average_hit_bytes;
  return static_cast<int>(std::clamp(fit, 100.0, 10000.0));
}

Result<int> choose_page_size(cluster::Client& client, const std::string& index, int requested) {
  if (requested > 0) return requested;
  cluster::SearchPageRequest req;
  req.index = index;
  req.body = R"({"size":20,"sort":["_doc"],"track_total_hits":false})";
  ESSNAP_TRY(std::string body, cluster::search_page(client, req));
  PageParser parser;
  ESSNAP_TRY(SearchPage page, parser.parse(body));
  if (page.hits.empty()) return page_size_for(0);
  // The whole answer over its hits: each hit's share of the envelope counts too.
  return page_size_for(static_cast<double>(body.size()) / static_cast<double>(page.hits.size()));
}

Status read_slice(cluster::Client& client, const SliceJob& job, const ChunkHandler& on_chunk,
                  const Hooks& hooks, const std::atomic<bool>& stop) {
  PageParser parser;
  std::string chunk;
  // Sized once: growing by doubling would fault in and copy a fresh buffer several times a chunk.
  chunk.reserve(static_cast<std::size_t>(std::min<long long>(job.chunk_bytes, 128LL << 20)) +
                (64u << 10));
  long long chunk_count = 0;
  int seq = job.first_seq;
  long long position = 0;  // documents of this slice seen so far
  int page_size = std::max(1, job.page_size);
  std::string pit_id = job.pit_id;
  std::string scroll_id;

  auto interrupted = [&] { return (hooks.interrupted && hooks.interrupted()) || stop.load(); };
  auto flush = [&]() -> Status {
    if (chunk_count == 0) return ok_status();
    // One page may hold many chunks: a stop request is honoured between chunks too.
    if (interrupted())
      return Error(ErrorCode::kInterrupted, "interrupted while reading " + job.index);
    ESSNAP_TRY_STATUS(on_chunk(seq, chunk, chunk_count));
    ++seq;
    chunk.clear();
    chunk_count = 0;
    return ok_status();
  };
  // The request for the page after the one whose last hit sorted at `search_after` (PIT), or
  // the next scroll page; `first` opens the scroll.
  auto request = [&](bool first, const std::string& search_after) {
    cluster::SearchPageRequest req;
    if (job.strategy == cluster::ReadStrategy::kPointInTime) {
      req.body = "{\"size\":" + std::to_string(page_size) +
                 ",\"track_total_hits\":false,\"pit\":{\"id\":" + nlohmann::json(pit_id).dump() +
                 ",\"keep_alive\":\"" + job.keep_alive + "\"},\"sort\":[\"_shard_doc\"]" +
                 slice_json(job) +
                 (search_after.empty() ? "" : ",\"search_after\":" + search_after) + "}";
    } else if (job.strategy == cluster::ReadStrategy::kSearchAfter) {
      req.index = job.index;
      req.body = "{\"size\":" + std::to_string(page_size) +
                 ",\"track_total_hits\":false,\"sort\":[{\"_id\":\"asc\"}]" +
                 (search_after.empty() ? "" : ",\"search_after\":" + search_after) + "}";
    } else if (first) {
      req.index = job.index;
      req.scroll = job.keep_alive;
      req.body =
          "{\"size\":" + std::to_string(page_size) + ",\"sort\":[\"_doc\"]" + slice_json(job) + "}";
    } else {
      req.scroll_id = scroll_id;
      req.scroll = job.keep_alive;
    }
    return req;
  };

  // One page of read-ahead: the next page is requested (on another thread, with this slice's
  // client, which nothing else uses meanwhile) as soon as the current one says where it ends,
  // so the engine works while this thread builds, compresses and writes chunks.
  std::future<Result<std::string>> ahead;
  auto fetch_async = [&](cluster::SearchPageRequest req) {
    ahead = std::async(std::launch::async, [&client, req = std::move(req)] {
      return cluster::search_page(client, req);
    });
  };

  Status result = ok_status();
  if (interrupted())
    return Error(ErrorCode::kInterrupted, "interrupted while reading " + job.index);
  fetch_async(request(true, ""));
  for (;;) {
    auto body = ahead.get();
    if (!body.ok()) {
      result = std::move(body).error();
      break;
    }
    auto page = parser.parse(*body);
    if (!page.ok()) {
      result = std::move(page).error();
      break;
    }
    if (!page->pit_id.empty()) pit_id = page->pit_id;
    if (!page->scroll_id.empty()) scroll_id = page->scroll_id;
    if (page->hits.empty()) break;
    bool last = false;
    if (job.strategy != cluster::ReadStrategy::kScroll) {
      if (page->hits.back().sort.empty()) {
        result = Error(ErrorCode::kParse, "a sorted search page came back without sort values");
        break;
      }
      last = static_cast<int>(page->hits.size()) < page_size;  // a short page is the last one
    }
    if (body->size() > kMaxPageBytes) page_size = std::max(1, page_size / 2);
    const bool more = !last && !interrupted();
    if (more) fetch_async(request(false, std::string(page->hits.back().sort)));
    Status processed = ok_status();
    for (const Hit& hit : page->hits) {
      if (position++ < job.skip_documents) continue;
      const std::size_t line_bytes = hit.id.size() + hit.routing.size() + hit.source.size() + 40;
      if (chunk_count > 0 && static_cast<long long>(chunk.size() + line_bytes) > job.chunk_bytes) {
        if (processed = flush(); !processed.ok()) break;
      }
      append_doc_line(chunk, hit);
      ++chunk_count;
      if (chunk_count >= job.chunk_docs) {
        if (processed = flush(); !processed.ok()) break;
      }
    }
    if (!processed.ok()) {
      result = std::move(processed);
      break;
    }
    if (!more) {
      if (!last) result = Error(ErrorCode::kInterrupted, "interrupted while reading " + job.index);
      break;
    }
  }
  if (ahead.valid()) (void)ahead.get();  // never leave a request running on this client
  if (!scroll_id.empty()) (void)cluster::clear_scroll(client, scroll_id);
  if (!result.ok()) return result;
  return flush();
}

}  // namespace essnap::transfer
