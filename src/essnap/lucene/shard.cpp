#include "essnap/lucene/shard.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "essnap/lucene/doc_values.hpp"

namespace essnap::lucene {
namespace {

// A "__<id>" file: its bytes are the concatenation of its parts, each read by ranged reads.
class BlobFile final : public FileSource {
 public:
  BlobFile(blob::BlobStore& store, std::string dir, format::FileInfo info)
      : store_(store), dir_(std::move(dir)), info_(std::move(info)) {
    parts_ = info_.number_of_parts();
    part_size_ = parts_ > 1 && info_.part_size ? *info_.part_size : info_.length;
  }
  const std::string& name() const override { return info_.physical_name; }
  std::string where() const override {
    return dir_ + "/" + info_.name +
           (parts_ > 1 ? " (blob in " + std::to_string(parts_) + " parts)" : " (blob)");
  }
  std::uint64_t length() const override { return info_.length; }
  // Reads inside the file's first kHead bytes are served from one copy of them, read once: the
  // codec header of a compound file and the entries at its start are read by every opening of
  // the segment (a SeaweedFS-backed bucket gzips a file's first 2 MiB chunk, so every read of
  // it decompressed the whole chunk: ~18 ms of server CPU per read, 5 reads per segment).
  // Other small reads (footers, a .si or .fnm read field by field) are served from the aligned
  // kBlock around them, the last kBlocks kept per file: one ranged GET where there were
  // several (measured on a 2M-document shard set: ~1550 GETs of a few bytes each among ~3400).
  Status read(std::uint64_t offset, std::span<std::uint8_t> out) const override {
    const std::uint64_t head = std::min<std::uint64_t>(kHead, info_.length);
    if (offset <= head && out.size() <= head - offset) return read_head(offset, out);
    if (out.size() <= kSmallRead && offset <= info_.length && out.size() <= info_.length - offset) {
      const std::uint64_t start = offset / kBlock * kBlock;
      if (offset + out.size() <= start + kBlock) return read_cached(start, offset, out);
    }
    return read_direct(offset, out);
  }

 private:
  static constexpr std::uint64_t kHead = 64 * 1024;
  static constexpr std::uint64_t kBlock = 16 * 1024;
  static constexpr std::size_t kBlocks = 4;
  static constexpr std::size_t kSmallRead = 4 * 1024;

  Status read_head(std::uint64_t offset, std::span<std::uint8_t> out) const {
    if (out.empty()) return ok_status();
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (!head_loaded_) {
      std::vector<std::uint8_t> bytes(
          static_cast<std::size_t>(std::min<std::uint64_t>(kHead, info_.length)));
      ESSNAP_TRY_STATUS(read_direct(0, bytes));
      head_ = std::move(bytes);
      head_loaded_ = true;
    }
    std::memcpy(out.data(), head_.data() + offset, out.size());
    return ok_status();
  }

  Status read_cached(std::uint64_t start, std::uint64_t offset, std::span<std::uint8_t> out) const {
    std::lock_guard<std::mutex> lock(cache_mu_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->start == start) {
        std::memcpy(out.data(), it->bytes.data() + (offset - start), out.size());
        if (it + 1 != cache_.end()) std::rotate(it, it + 1, cache_.end());  // newest last
        return ok_status();
      }
    Block b;
    b.start = start;
    b.bytes.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, info_.length - start)));
    ESSNAP_TRY_STATUS(read_direct(start, b.bytes));
    std::memcpy(out.data(), b.bytes.data() + (offset - start), out.size());
    if (cache_.size() == kBlocks) cache_.erase(cache_.begin());
    cache_.push_back(std::move(b));
    return ok_status();
  }

  Status read_direct(std::uint64_t offset, std::span<std::uint8_t> out) const {
    if (offset > info_.length || out.size() > info_.length - offset)
      return Error(ErrorCode::kParse, name() + " (" + where() + "): read of " +
                                          std::to_string(out.size()) + " bytes at byte " +
                                          std::to_string(offset) + " passes its end (" +
                                          std::to_string(info_.length) + " bytes)");
    std::size_t filled = 0;
    while (filled < out.size()) {
      const std::uint64_t pos = offset + filled;
      const std::uint64_t part = part_size_ ? pos / part_size_ : 0;
      const std::uint64_t within = pos - part * part_size_;
      const std::uint64_t part_len = info_.part_length(part);
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - filled, part_len - within));
      const std::string path = dir_ + "/" + info_.part_name(part);
      std::size_t got = 0;
      Status s = store_.stream_range(path, within, n, [&](std::string_view chunk) -> Status {
        const std::size_t k = std::min(chunk.size(), n - got);
        std::memcpy(out.data() + filled + got, chunk.data(), k);
        got += k;
        return ok_status();
      });
      if (!s) {
        Error e = std::move(s).error();
        const std::string what = name() + " (" + path + "): ";
        if (e.code == ErrorCode::kNotFound)
          return Error(ErrorCode::kParse, what + "the blob is missing from the repository");
        return std::move(e).with_context(what + "reading " + std::to_string(n) + " bytes at " +
                                         std::to_string(within));
      }
      if (got != n)
        return Error(ErrorCode::kParse, name() + " (" + path + "): " + std::to_string(got) +
                                            " of " + std::to_string(n) + " bytes at byte " +
                                            std::to_string(within) + ": the blob is truncated");
      filled += n;
    }
    return ok_status();
  }

  struct Block {
    std::uint64_t start = 0;
    std::vector<std::uint8_t> bytes;
  };
  blob::BlobStore& store_;
  std::string dir_;
  format::FileInfo info_;
  std::uint64_t parts_ = 1;
  std::uint64_t part_size_ = 0;
  mutable std::mutex cache_mu_;
  mutable bool head_loaded_ = false;
  mutable std::vector<std::uint8_t> head_;  // the first min(kHead, length) bytes, once read
  mutable std::vector<Block> cache_;        // at most kBlocks, least recently used first
};

// A "v__<id>" file: its bytes are the shard snapshot's meta_hash.
class VirtualFile final : public FileSource {
 public:
  VirtualFile(std::string dir, format::FileInfo info)
      : dir_(std::move(dir)), info_(std::move(info)) {}
  const std::string& name() const override { return info_.physical_name; }
  std::string where() const override {
    return dir_ + "/" + info_.name + " (the shard snapshot's meta_hash)";
  }
  std::uint64_t length() const override { return info_.length; }
  Status read(std::uint64_t offset, std::span<std::uint8_t> out) const override {
    const std::uint64_t have = info_.meta_hash.size();
    if (offset > info_.length || out.size() > info_.length - offset)
      return Error(ErrorCode::kParse, name() + " (" + where() + "): read of " +
                                          std::to_string(out.size()) + " bytes at byte " +
                                          std::to_string(offset) + " passes its end");
    if (offset + out.size() > have)
      return Error(ErrorCode::kParse, name() + " (" + where() + "): " + std::to_string(have) +
                                          " bytes, the snapshot says " +
                                          std::to_string(info_.length) + ": truncated");
    if (!out.empty()) std::memcpy(out.data(), info_.meta_hash.data() + offset, out.size());
    return ok_status();
  }

 private:
  std::string dir_;
  format::FileInfo info_;
};

class SnapshotDirectory final : public ShardDirectory {
 public:
  SnapshotDirectory(blob::BlobStore& store, std::string dir, const format::ShardSnapshot& snap)
      : store_(store), dir_(std::move(dir)) {
    for (const auto& f : snap.files) files_[f.physical_name] = f;
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> v;
    for (const auto& [n, f] : files_) v.push_back(n);
    return v;
  }
  bool contains(const std::string& name) const override { return files_.count(name) != 0; }
  Result<std::shared_ptr<const FileSource>> open(const std::string& name) const override {
    auto it = files_.find(name);
    if (it == files_.end())
      return Error(ErrorCode::kParse, "the shard snapshot in " + dir_ + " lists no Lucene file " +
                                          name + " (the segment needs it)");
    return snapshot_file(store_, dir_, it->second);
  }

 private:
  blob::BlobStore& store_;
  std::string dir_;
  std::map<std::string, format::FileInfo> files_;
};

class MemoryDirectory final : public ShardDirectory {
 public:
  explicit MemoryDirectory(std::vector<std::shared_ptr<const FileSource>> files) {
    for (auto& f : files) files_[f->name()] = std::move(f);
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> v;
    for (const auto& [n, f] : files_) v.push_back(n);
    return v;
  }
  bool contains(const std::string& name) const override { return files_.count(name) != 0; }
  Result<std::shared_ptr<const FileSource>> open(const std::string& name) const override {
    auto it = files_.find(name);
    if (it == files_.end()) return Error(ErrorCode::kParse, "the shard has no Lucene file " + name);
    return it->second;
  }

 private:
  std::map<std::string, std::shared_ptr<const FileSource>> files_;
};

}  // namespace

std::shared_ptr<const FileSource> snapshot_file(blob::BlobStore& store, std::string shard_dir,
                                                format::FileInfo info) {
  if (info.is_virtual())
    return std::make_shared<VirtualFile>(std::move(shard_dir), std::move(info));
  return std::make_shared<BlobFile>(store, std::move(shard_dir), std::move(info));
}

std::shared_ptr<const ShardDirectory> snapshot_directory(blob::BlobStore& store,
                                                         std::string shard_dir,
                                                         const format::ShardSnapshot& snapshot) {
  return std::make_shared<SnapshotDirectory>(store, std::move(shard_dir), snapshot);
}

std::shared_ptr<const ShardDirectory> memory_directory(
    std::vector<std::shared_ptr<const FileSource>> files) {
  return std::make_shared<MemoryDirectory>(std::move(files));
}

std::uint32_t Segment::live_top_level_count() const {
  if (!top_level) return live.count();
  std::uint32_t n = 0;
  const auto& a = live.words();
  const auto& b = top_level->words();
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    n += static_cast<std::uint32_t>(std::popcount(a[i] & b[i]));
  return n;
}

Result<std::shared_ptr<const FileSource>> Segment::open(const std::string& file_name) const {
  if (compound_ && compound_->contains(file_name)) return compound_->open(file_name);
  return dir_->open(file_name);
}

std::uint64_t Shard::live_document_count() const {
  std::uint64_t n = 0;
  for (const auto& s : segments) n += s.live_top_level_count();
  return n;
}

std::uint64_t Shard::live_lucene_document_count() const {
  std::uint64_t n = 0;
  for (const auto& s : segments) n += s.live_count();
  return n;
}

class ShardOpener {
 public:
  explicit ShardOpener(std::shared_ptr<const ShardDirectory> dir) : dir_(std::move(dir)) {}

  Result<Segment> open(const SegmentCommitInfo& c) {
    Segment s;
    s.dir_ = dir_;
    s.commit = c;
    ESSNAP_TRY(auto si_file, dir_->open(segment_file_name(c.name, "", "si")));
    ESSNAP_TRY(s.info, read_segment_info(si_file, c.name, c.id));
    const std::int64_t max_doc = s.info.max_doc;
    if (std::int64_t{c.del_count} + c.soft_del_count > max_doc)
      return Error(ErrorCode::kParse, "segment " + c.name + ": " + std::to_string(c.del_count) +
                                          " deleted and " + std::to_string(c.soft_del_count) +
                                          " soft-deleted of " + std::to_string(max_doc) +
                                          " documents");
    if (s.info.compound) {
      ESSNAP_TRY(auto cfe, dir_->open(segment_file_name(c.name, "", "cfe")));
      ESSNAP_TRY(auto cfs, dir_->open(segment_file_name(c.name, "", "cfs")));
      ESSNAP_TRY(s.compound_, open_compound(cfe, cfs, c.name, c.id));
    }
    // field infos: the segment's own, or the newest update's
    const std::string fnm_suffix = c.field_infos_gen == -1 ? "" : to_base36(c.field_infos_gen);
    ESSNAP_TRY(auto fnm, s.open(segment_file_name(c.name, fnm_suffix, "fnm")));
    ESSNAP_TRY(s.field_infos, read_field_infos(fnm, &c.id, fnm_suffix));
    ESSNAP_TRY_STATUS(live_docs(s));
    ESSNAP_TRY_STATUS(soft_deletes(s));
    ESSNAP_TRY_STATUS(top_level(s));
    return s;
  }

 private:
  Status live_docs(Segment& s) {
    const auto& c = s.commit;
    const auto n = static_cast<std::uint32_t>(s.info.max_doc);
    auto liv = file_name_from_generation(c.name, "liv", c.del_gen);
    if (!liv) {
      if (c.del_count != 0)
        return Error(ErrorCode::kParse, "segment " + c.name + ": " + std::to_string(c.del_count) +
                                            " deleted documents but no deletion generation");
      s.live = DocBits(n, true);
      return ok_status();
    }
    if (c.del_count == 0 && !dir_->contains(*liv)) {
      s.live = DocBits(n, true);
      return ok_status();
    }
    if (!dir_->contains(*liv))
      return Error(ErrorCode::kParse, "segment " + c.name + ": its live docs " + *liv + " (" +
                                          std::to_string(c.del_count) +
                                          " deleted documents) are missing from the shard "
                                          "snapshot");
    ESSNAP_TRY(auto file, dir_->open(*liv));
    ESSNAP_TRY(s.live, read_live_docs(file, s.info.max_doc, &c.id, c.del_gen, c.del_count));
    return ok_status();
  }

  Result<DocBits> field_docs(const Segment& s, const FieldInfo& f) {
    if (f.dv_type == DocValuesType::kNone)
      return Error(ErrorCode::kParse,
                   "segment " + s.name() + ": field " + f.name + " has no doc values");
    const std::string format = f.attribute("PerFieldDocValuesFormat.format");
    const std::string suffix = f.attribute("PerFieldDocValuesFormat.suffix");
    if (format.empty() || suffix.empty())
      return Error(ErrorCode::kParse, "segment " + s.name() + ": field " + f.name +
                                          " names no per-field doc-values format");
    std::string seg_suffix = format + "_" + suffix;
    if (f.dv_gen != -1) seg_suffix = to_base36(f.dv_gen) + "_" + seg_suffix;
    ESSNAP_TRY(auto meta, s.open(segment_file_name(s.name(), seg_suffix, "dvm")));
    ESSNAP_TRY(auto data, s.open(segment_file_name(s.name(), seg_suffix, "dvd")));
    return docs_with_field(meta, data, s.field_infos, f, s.info.max_doc, &s.commit.id, seg_suffix);
  }

  Status soft_deletes(Segment& s) {
    const auto& c = s.commit;
    const FieldInfo* f = s.field_infos.soft_deletes_field();
    if (c.soft_del_count == 0) return ok_status();
    if (!f)
      return Error(ErrorCode::kParse, "segment " + c.name + ": " +
                                          std::to_string(c.soft_del_count) +
                                          " soft-deleted documents but no soft-deletes field");
    ESSNAP_TRY(DocBits soft, field_docs(s, *f));
    std::uint32_t n = 0;
    auto& live = s.live.words();
    const auto& sw = soft.words();
    for (std::size_t i = 0; i < live.size() && i < sw.size(); ++i) {
      n += static_cast<std::uint32_t>(std::popcount(live[i] & sw[i]));
      live[i] &= ~sw[i];
    }
    if (n != static_cast<std::uint32_t>(c.soft_del_count))
      return Error(ErrorCode::kParse, "segment " + c.name + ": " + std::to_string(n) +
                                          " documents soft-deleted by " + f->name +
                                          ", the commit says " + std::to_string(c.soft_del_count));
    return ok_status();
  }

  Status top_level(Segment& s) {
    std::optional<DocBits> top;
    auto add = [&](const FieldInfo& f) -> Status {
      ESSNAP_TRY(DocBits b, field_docs(s, f));
      if (!top) {
        top = std::move(b);
      } else {
        for (std::size_t i = 0; i < top->words().size(); ++i) top->words()[i] |= b.words()[i];
      }
      return ok_status();
    };
    const FieldInfo* pt = s.field_infos.by_name("_primary_term");
    if (pt && pt->dv_type != DocValuesType::kNone) ESSNAP_TRY_STATUS(add(*pt));
    for (const auto& f : s.field_infos.fields())
      if (f.parent_field() && f.dv_type != DocValuesType::kNone) ESSNAP_TRY_STATUS(add(f));
    s.top_level = std::move(top);
    return ok_status();
  }

  std::shared_ptr<const ShardDirectory> dir_;
};

Result<Shard> open_shard(std::shared_ptr<const ShardDirectory> dir) {
  Shard shard;
  auto seg_file = latest_segments_file(dir->names());
  if (!seg_file)
    return Error(ErrorCode::kParse, "the shard has no segments_N file (no Lucene commit)");
  shard.segments_file = *seg_file;
  ESSNAP_TRY(auto file, dir->open(*seg_file));
  ESSNAP_TRY(shard.commit, read_segment_infos(file));
  ShardOpener opener(dir);
  for (const auto& c : shard.commit.segments) {
    ESSNAP_TRY(Segment s, opener.open(c));
    shard.segments.push_back(std::move(s));
  }
  return shard;
}

Result<Shard> open_shard(blob::BlobStore& store, const std::string& shard_dir,
                         const format::ShardSnapshot& snapshot) {
  return open_shard(snapshot_directory(store, shard_dir, snapshot));
}

}  // namespace essnap::lucene
