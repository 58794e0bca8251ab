#include "essnap/transfer/loader.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <random>

#include "essnap/cluster/search.hpp"
#include "essnap/transfer/ndjson.hpp"
#include "essnap/util/sleep.hpp"

namespace essnap::transfer {

EngineVersion engine_version(const cluster::ClusterInfo& info) {
  return EngineVersion{info.distribution, info.version.major, info.version.minor};
}

Result<EngineVersion> engine_version(const std::string& engine, const std::string& version) {
  ESSNAP_TRY(cluster::Version v, cluster::Version::parse(version));
  EngineVersion e;
  e.distribution = engine == "opensearch" ? cluster::Distribution::kOpenSearch
                                          : cluster::Distribution::kElasticsearch;
  e.major = v.major;
  e.minor = v.minor;
  return e;
}

namespace {

// Sends `put` (an index or a template made from t.body) until the target accepts it: the engine
// knows best what it does not know. A setting it refuses is removed, a field type or mapping
// parameter it refuses is mended (MappingRepair), each reported, one at a time, a bounded number
// of times.
Status put_with_repairs(Translation& t, const std::function<Status(const nlohmann::json&)>& put,
                        const std::string& what, std::vector<std::string>& changes) {
  MappingRepair repair(t.body["mappings"]);
  for (int round = 0; round < 64; ++round) {
    auto s = put(t.body);
    if (s.ok()) return s;
    Error e = std::move(s).error();
    if (auto name = refused_setting(e); name && t.body["settings"].contains(*name)) {
      t.body["settings"].erase(*name);
      changes.push_back("removed setting " + *name + ": the target refused it (" +
                        (e.remote ? e.remote->reason.substr(0, 160) : e.message.substr(0, 160)) +
                        ")");
      continue;
    }
    if (auto refusal = refused_mapping(e); refusal && repair.apply(*refusal, changes)) continue;
    e.message = what + ": " + e.message;
    if (e.hint.empty())
      e.hint = "adjust the exported index.json, or create the index yourself and pass --append";
    return e;
  }
  return Error(ErrorCode::kRemote, what + ": the target refused too many settings or mappings");
}

}  // namespace

Status create_target_index(cluster::Client& client, const std::string& target,
                           const nlohmann::json& meta, const EngineVersion& source,
                           const EngineVersion& target_engine, std::vector<std::string>& changes) {
  Translation t = translate_index(meta, source, target_engine);
  for (auto& c : t.changes) changes.push_back(std::move(c));
  return put_with_repairs(
      t, [&](const nlohmann::json& body) { return cluster::create_index(client, target, body); },
      "creating index " + target, changes);
}

Status create_target_data_stream(cluster::Client& client, const std::string& target,
                                 const nlohmann::json& meta, const std::string& timestamp_field,
                                 const EngineVersion& source, const EngineVersion& target_engine,
                                 std::vector<std::string>& changes) {
  auto in_context = [&](Error e) {
    e.message = "creating data stream " + target + ": " + e.message;
    return e;
  };
  // An engine with the data stream API makes it now, from a template of its own if one matches;
  // one without makes it at the first document, from whichever template matches then.
  auto made = cluster::create_data_stream(client, target);
  if (made.ok() && *made) {
    changes.push_back("created data stream " + target +
                      " from the target's own index template for it");
    return ok_status();
  }
  if (!made.ok() && !cluster::is_missing_template(made.error()))
    return in_context(std::move(made).error());
  ESSNAP_TRY(std::optional<cluster::TemplateMatch> match,
             cluster::matching_index_template(client, target));
  if (made.ok() && match && match->data_stream) {
    changes.push_back("created data stream " + target +
                      " from the target's own index template for it (" + match->name +
                      ", at the first document)");
    return ok_status();
  }
  if (target_engine.distribution == cluster::Distribution::kElasticsearch &&
      timestamp_field != "@timestamp")
    return Error(ErrorCode::kConflict,
                 "data stream " + target + " is timestamped by " + timestamp_field +
                     ", and Elasticsearch data streams only by @timestamp",
                 "create an index template with data_stream for " + target +
                     " on the target yourself, mapping @timestamp, or import into an index");
  Translation t = translate_index(meta, source, target_engine);
  for (auto& c : t.changes) changes.push_back(std::move(c));
  // What a backing index carries because it is one: the target's stream makes its own.
  t.body["settings"].erase("index.hidden");
  t.body["mappings"].erase("_data_stream_timestamp");
  t.body.erase("aliases");
  const std::string name = "essnap-" + target;
  // Above whatever matches already (templates of one priority may not overlap).
  const long long priority = std::max<long long>(200, match ? match->priority + 1 : 0);
  nlohmann::json stream = nlohmann::json::object();
  if (timestamp_field != "@timestamp") stream["timestamp_field"] = {{"name", timestamp_field}};
  ESSNAP_TRY_STATUS(put_with_repairs(
      t,
      [&](const nlohmann::json& body) {
        nlohmann::json tmpl{
            {"index_patterns", {target}},
            {"data_stream", stream},
            {"priority", priority},
            {"template", {{"settings", body["settings"]}, {"mappings", body["mappings"]}}}};
        return cluster::put_index_template(client, name, tmpl);
      },
      "creating index template " + name, changes));
  changes.push_back("created index template " + name + " (pattern " + target + ", priority " +
                    std::to_string(priority) + ") for data stream " + target);
  if (!made.ok()) {  // the engine has the API: make the stream now
    auto again = cluster::create_data_stream(client, target);
    if (!again.ok()) return in_context(std::move(again).error());
  }
  return ok_status();
}

Result<std::int64_t> count_target(cluster::Client& client, const std::string& target) {
  auto n = cluster::count_documents(client, target, cluster::Refresh::kYes);
  if (!n.ok() && n.error().code == ErrorCode::kNotFound) return std::int64_t{0};
  return n;
}

ErrorsFile::~ErrorsFile() {
  if (f_) std::fclose(f_);
}

Status ErrorsFile::write(const nlohmann::json& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!f_) {
    f_ = std::fopen(path_.c_str(), "ae");
    if (!f_)
      return Error(ErrorCode::kIo, "cannot open the errors file " + path_,
                   "pass --errors FILE in a writable directory");
  }
  const std::string s = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (std::fwrite(s.data(), 1, s.size(), f_) != s.size() || std::fflush(f_) != 0)
    return Error(ErrorCode::kIo, "cannot write the errors file " + path_);
  ++lines_;
  return ok_status();
}

namespace {

// The engines' limit on an _id (IndexRequest.validate: 512 bytes of UTF-8).
constexpr std::size_t kMaxIdBytes = 512;

// The UTF-8 length of a raw JSON string token's value. Escapes only shorten the text, so a token
// of at most kMaxIdBytes + 2 bytes is never decoded.
std::size_t id_bytes(std::string_view raw) {
  if (raw.size() <= kMaxIdBytes + 2) return raw.size() >= 2 ? raw.size() - 2 : 0;
  auto j = nlohmann::json::parse(raw, nullptr, false);
  return j.is_string() ? j.get_ref<const std::string&>().size() : raw.size();
}

}  // namespace

Loader::Loader(LoaderOptions options, ErrorsFile& errors, const Hooks& hooks)
    : options_(options), batch_(options.batch), errors_(errors), hooks_(hooks) {}

Result<LoadOutcome> Loader::load(cluster::Client& client, const std::string& source_index,
                                 const std::string& target, const std::string& chunk,
                                 std::string& ndjson, long long expected_documents, BulkOp op,
                                 bool resumed, long long lines_before) {
  ensure_padding(ndjson);
  PageParser parser;
  LoadOutcome out;
  std::mt19937_64 rng(std::random_device{}());

  // The chunk's documents as views into `ndjson`.
  std::vector<PageParser::DocLine> docs;
  // A line is at least 24 bytes: the reserve never trusts the count beyond what the bytes allow.
  if (expected_documents > 0)
    docs.reserve(static_cast<std::size_t>(
        std::min<long long>(expected_documents, static_cast<long long>(ndjson.size() / 24 + 1))));
  for (std::size_t pos = 0; pos < ndjson.size();) {
    std::size_t end = ndjson.find('\n', pos);
    if (end == std::string::npos) end = ndjson.size();
    if (end > pos) {
      auto d = parser.parse_line(std::string_view(ndjson).substr(pos, end - pos));
      if (!d.ok()) {
        Error e = std::move(d).error();
        e.message = chunk + ": line " +
                    std::to_string(lines_before + static_cast<long long>(docs.size()) + 1) + ": " +
                    e.message;
        return e;
      }
      docs.push_back(*d);
    }
    pos = end + 1;
  }

  if (expected_documents >= 0 && static_cast<long long>(docs.size()) != expected_documents)
    return Error(ErrorCode::kIncomplete, std::to_string(docs.size()) +
                                             " lines, the manifest says " +
                                             std::to_string(expected_documents) + " documents");
  out.lines = static_cast<long long>(docs.size());
  auto reject = [&](const PageParser::DocLine& d, int status, nlohmann::json error) -> Status {
    nlohmann::json line{{"index", target},  {"source_index", source_index},
                        {"chunk", chunk},   {"_id", nlohmann::json::parse(d.id, nullptr, false)},
                        {"status", status}, {"error", std::move(error)}};
    if (!d.routing.empty()) line["_routing"] = nlohmann::json::parse(d.routing, nullptr, false);
    ESSNAP_TRY_STATUS(errors_.write(line));
    ++out.rejected;
    return ok_status();
  };
  // A document the engines refuse before indexing anything (an _id over 512 bytes fails the
  // whole bulk request with a 400) goes to the errors file alone; the others load.
  std::vector<std::size_t> pending;
  pending.reserve(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (const std::size_t n = id_bytes(docs[i].id); n > kMaxIdBytes) {
      ESSNAP_TRY_STATUS(reject(
          docs[i], 400,
          {{"type", "illegal_argument_exception"},
           {"reason", "_id is " + std::to_string(n) + " bytes long; the engines take at most " +
                          std::to_string(kMaxIdBytes)}}));
      continue;
    }
    pending.push_back(i);
  }
  int pushback_round = 0;
  bool one_by_one = false;  // after a bulk refused whole for one of its documents
  while (!pending.empty()) {
    std::vector<std::size_t> pushed_back;
    std::vector<std::size_t> solo;  // documents of bulks refused whole, to be sent one at a time
    // One answer: count, push back or report each item of `in_batch`.
    auto handle = [&](cluster::BulkResponse& resp, const std::vector<std::size_t>& in_batch,
                      std::chrono::milliseconds took) -> Status {
      if (resp.http_status == 429) {  // the whole bulk refused, after the transport's own retries
        batch_.on_pushback();
        pushed_back.insert(pushed_back.end(), in_batch.begin(), in_batch.end());
        return ok_status();
      }
      // The request refused whole for what one of its documents is: each is sent alone, and
      // the one refused goes to the errors file.
      if (resp.http_status == 400) {
        auto body = nlohmann::json::parse(resp.body, nullptr, false);
        const bool per_document =
            body.is_object() && body.contains("error") && body["error"].is_object() &&
            body["error"].value("type", "") == "action_request_validation_exception";
        if (per_document && in_batch.size() > 1) {
          solo.insert(solo.end(), in_batch.begin(), in_batch.end());
          return ok_status();
        }
        if (per_document) return reject(docs[in_batch.front()], 400, body["error"]);
      }
      if (resp.http_status >= 400) {
        http::Response r;
        r.status = resp.http_status;
        r.body = std::move(resp.body);
        return cluster::error_for_status(r, "POST /" + target + "/_bulk");
      }
      ESSNAP_TRY(PageParser::BulkResult result, parser.parse_bulk(resp.body));
      if (!result.errors) {
        out.loaded += static_cast<long long>(in_batch.size());
        batch_.on_success(in_batch.size(), took);
        return ok_status();
      }
      if (result.items.size() != in_batch.size())
        return Error(ErrorCode::kParse, "POST /" + target + "/_bulk: the answer lists " +
                                            std::to_string(result.items.size()) + " items for " +
                                            std::to_string(in_batch.size()) + " documents");
      bool any_pushback = false;
      for (std::size_t k = 0; k < in_batch.size(); ++k) {
        const auto& item = result.items[k];
        if (item.status >= 200 && item.status < 300 && item.error_type.empty()) {
          ++out.loaded;
        } else if (resumed && op == BulkOp::kCreate && item.status == 409 &&
                   item.error_type == "version_conflict_engine_exception") {
          ++out.loaded;  // loaded by the interrupted run (see load())
        } else if (item.status == 429 || item.error_type == "es_rejected_execution_exception" ||
                   item.error_type == "rejected_execution_exception") {
          pushed_back.push_back(in_batch[k]);
          any_pushback = true;
        } else {
          ESSNAP_TRY_STATUS(reject(docs[in_batch[k]], item.status,
                                   nlohmann::json::parse(item.error_json, nullptr, false)));
        }
      }
      if (any_pushback)
        batch_.on_pushback();
      else
        batch_.on_success(in_batch.size(), took);
      return ok_status();
    };
    // One bulk in flight while the next body is built: the target never waits for us. The
    // client is used by one request at a time (the previous answer is settled before the next
    // request leaves).
    struct InFlight {
      std::future<Result<cluster::BulkResponse>> answer;
      std::vector<std::size_t> batch;
      std::chrono::steady_clock::time_point sent;
    };
    std::optional<InFlight> inflight;
    auto settle = [&]() -> Status {
      if (!inflight) return ok_status();
      auto r = inflight->answer.get();
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - inflight->sent);
      std::vector<std::size_t> batch = std::move(inflight->batch);
      inflight.reset();
      if (!r.ok()) return std::move(r).error();
      return handle(*r, batch, took);
    };
    for (std::size_t at = 0; at < pending.size();) {
      if (hooks_.interrupted && hooks_.interrupted()) {
        (void)settle();
        return Error(ErrorCode::kInterrupted, "interrupted while loading " + target);
      }
      const std::size_t want = one_by_one ? 1 : batch_.docs();
      std::string body;
      std::vector<std::size_t> in_batch;
      while (at < pending.size() && in_batch.size() < want &&
             (in_batch.empty() ||
              body.size() + docs[pending[at]].source.size() < batch_.max_bytes())) {
        append_bulk_index(body, docs[pending[at]], op);
        in_batch.push_back(pending[at]);
        ++at;
      }
      ESSNAP_TRY_STATUS(settle());
      inflight = InFlight{std::async(std::launch::async,
                                     [&client, &target, body = std::move(body)]() mutable {
                                       return cluster::bulk(client, {target, std::move(body)});
                                     }),
                          std::move(in_batch), std::chrono::steady_clock::now()};
    }
    ESSNAP_TRY_STATUS(settle());
    if (!solo.empty()) {
      one_by_one = true;
      if (pushed_back.empty()) {
        pending = std::move(solo);
        continue;
      }
      pushed_back.insert(pushed_back.end(), solo.begin(), solo.end());
    }
    if (pushed_back.empty()) break;
    if (pushback_round >= options_.max_pushback_retries) {
      for (std::size_t i : pushed_back) {
        const auto& d = docs[i];
        ESSNAP_TRY_STATUS(errors_.write(
            {{"index", target},
             {"source_index", source_index},
             {"chunk", chunk},
             {"_id", nlohmann::json::parse(d.id, nullptr, false)},
             {"status", 429},
             {"error",
              {{"type", "es_rejected_execution_exception"},
               {"reason", "the target kept pushing back after " +
                              std::to_string(options_.max_pushback_retries) + " retries"}}}}));
        ++out.rejected;
      }
      break;
    }
    const auto delay =
        pushback_delay(pushback_round++, std::uniform_real_distribution<double>(0, 1)(rng));
    hooks_.notify(target + ": the target pushed back " + std::to_string(pushed_back.size()) +
                  " documents; retrying in " + std::to_string(delay.count()) + " ms");
    if (!util::sleep_for(delay, hooks_.interrupted))
      return Error(ErrorCode::kInterrupted, "interrupted while loading " + target);
    pending = std::move(pushed_back);
  }
  return out;
}

}  // namespace essnap::transfer
