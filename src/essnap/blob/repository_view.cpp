#include "essnap/blob/repository_view.hpp"

#include <mutex>

namespace essnap::blob {

Status RepositoryView::reach(std::string_view container, std::string_view base_path) {
  while (!base_path.empty() && base_path.front() == '/') base_path.remove_prefix(1);
  while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
  if (base_path.empty()) return ok_status();
  ESSNAP_TRY_STATUS(check_relative_path(container));
  ESSNAP_TRY_STATUS(check_relative_path(base_path));
  std::unique_lock<std::shared_mutex> l(mu_);
  if (outside_) {
    if (container == container_ && base_path == base_path_) return ok_status();
    return make_error(ErrorCode::kConflict, describe() + ": shard folders of base path '" +
                                                std::string(base_path) + "' under '" +
                                                std::string(container) + "' and of base path '" +
                                                base_path_ + "' under '" + container_ +
                                                "': one repository has one base path");
  }
  ESSNAP_TRY(outside_, base_.open_in_container(container));
  container_ = std::string(container);
  base_path_ = std::string(base_path);
  return ok_status();
}

std::string RepositoryView::reached_base_path() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return base_path_;
}

bool RepositoryView::outside_locked(std::string_view path) const {
  if (!outside_) return false;
  const auto slash = path.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  if (path.substr(0, slash) == "indices") return false;
  std::string_view rest = path.substr(slash + 1);
  if (rest.substr(0, base_path_.size()) != base_path_) return false;
  rest.remove_prefix(base_path_.size());
  constexpr std::string_view kIndices = "/indices";
  if (rest.substr(0, kIndices.size()) != kIndices) return false;
  rest.remove_prefix(kIndices.size());
  return rest.empty() || rest.front() == '/';
}

bool RepositoryView::outside(std::string_view path) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return outside_locked(path);
}

std::pair<BlobStore*, std::string_view> RepositoryView::route(std::string_view path) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  if (outside_locked(path)) return {outside_.get(), path};
  return {&base_, path};
}

std::pair<BlobStore*, std::string_view> RepositoryView::route_in(BlobStore& store,
                                                                 std::string_view path) {
  if (auto* v = dynamic_cast<RepositoryView*>(&store)) return v->route(path);
  return {&store, path};
}

Result<Listing> RepositoryView::list(std::string_view dir) {
  auto [s, p] = route(dir);
  return s->list(p);
}

Status RepositoryView::walk(std::string_view dir, const BlobVisitor& visit) {
  auto [s, p] = route(dir);
  return s->walk(p, visit);
}

Result<std::string> RepositoryView::read(std::string_view path, std::uint64_t max_bytes) {
  auto [s, p] = route(path);
  return s->read(p, max_bytes);
}

Status RepositoryView::stream(std::string_view path, const ChunkSink& sink) {
  auto [s, p] = route(path);
  return s->stream(p, sink);
}

Status RepositoryView::stream_range(std::string_view path, std::uint64_t offset,
                                    std::uint64_t length, const ChunkSink& sink) {
  auto [s, p] = route(path);
  return s->stream_range(p, offset, length, sink);
}

Result<std::optional<std::uint64_t>> RepositoryView::size(std::string_view path) {
  auto [s, p] = route(path);
  return s->size(p);
}

Result<std::optional<BlobStore::TimePoint>> RepositoryView::locked_until(std::string_view path) {
  auto [s, p] = route(path);
  return s->locked_until(p);
}

Status RepositoryView::put(std::string_view path, std::string_view bytes) {
  auto [s, p] = route(path);
  return s->put(p, bytes);
}

Status RepositoryView::put_stream(std::string_view path, const ChunkProducer& produce) {
  auto [s, p] = route(path);
  return s->put_stream(p, produce);
}

Status RepositoryView::put_if_absent(std::string_view path, std::string_view bytes) {
  auto [s, p] = route(path);
  return s->put_if_absent(p, bytes);
}

Status RepositoryView::remove(const std::vector<std::string>& paths) {
  std::vector<std::string> in, out;
  BlobStore* outside_store = nullptr;
  for (const auto& path : paths) {
    auto [s, p] = route(path);
    if (s == &base_) {
      in.emplace_back(p);
    } else {
      outside_store = s;
      out.emplace_back(p);
    }
  }
  if (!in.empty()) ESSNAP_TRY_STATUS(base_.remove(in));
  if (!out.empty()) ESSNAP_TRY_STATUS(outside_store->remove(out));
  return ok_status();
}

Status RepositoryView::copy(std::string_view from, std::string_view to) {
  auto [fs, fp] = route(from);
  auto [ts, tp] = route(to);
  if (fs == ts) return fs->copy(fp, tp);
  ESSNAP_TRY(auto size, fs->size(fp));
  if (!size)
    return make_error(ErrorCode::kNotFound, "copying " + std::string(from) + ": no such blob");
  if (ts->can_copy_from(*fs)) return ts->copy_from(*fs, fp, tp, *size);
  return ts->put_stream(
      tp, [&, fs = fs, fp = fp](const ChunkSink& sink) { return fs->stream(fp, sink); });
}

bool RepositoryView::can_copy_from(const BlobStore& source) const {
  if (const auto* v = dynamic_cast<const RepositoryView*>(&source))
    return base_.can_copy_from(v->base_);
  return base_.can_copy_from(source);
}

Status RepositoryView::copy_from(BlobStore& source, std::string_view from, std::string_view to,
                                 std::uint64_t size) {
  auto [ss, sp] = route_in(source, from);
  auto [ts, tp] = route(to);
  return ts->copy_from(*ss, sp, tp, size);
}

}  // namespace essnap::blob
