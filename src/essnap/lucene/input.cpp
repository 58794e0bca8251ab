#include "essnap/lucene/input.hpp"

#include <algorithm>
#include <cstring>

#include "essnap/format/crc32.hpp"
#include "essnap/format/lucene_footer.hpp"

namespace essnap::lucene {
namespace {

class MemoryFile final : public FileSource {
 public:
  MemoryFile(std::string name, std::vector<std::uint8_t> bytes)
      : name_(std::move(name)), bytes_(std::move(bytes)) {}
  const std::string& name() const override { return name_; }
  std::uint64_t length() const override { return bytes_.size(); }
  Status read(std::uint64_t offset, std::span<std::uint8_t> out) const override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset)
      return Error(ErrorCode::kParse, name_ + ": read of " + std::to_string(out.size()) +
                                          " bytes at byte " + std::to_string(offset) +
                                          " passes its end (" + std::to_string(bytes_.size()) +
                                          " bytes): truncated");
    if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return Ok{};
  }

 private:
  std::string name_;
  std::vector<std::uint8_t> bytes_;
};

class SliceFile final : public FileSource {
 public:
  SliceFile(std::shared_ptr<const FileSource> base, std::string name, std::uint64_t offset,
            std::uint64_t length)
      : base_(std::move(base)), name_(std::move(name)), offset_(offset), length_(length) {}
  const std::string& name() const override { return name_; }
  std::string where() const override {
    return "in " + base_->name() + " at byte " + std::to_string(offset_) + ", " + base_->where();
  }
  std::uint64_t length() const override { return length_; }
  Status read(std::uint64_t offset, std::span<std::uint8_t> out) const override {
    if (offset > length_ || out.size() > length_ - offset)
      return Error(ErrorCode::kParse, name_ + ": read of " + std::to_string(out.size()) +
                                          " bytes at byte " + std::to_string(offset) +
                                          " passes its end (" + std::to_string(length_) +
                                          " bytes): truncated");
    return base_->read(offset_ + offset, out);
  }

 private:
  std::shared_ptr<const FileSource> base_;
  std::string name_;
  std::uint64_t offset_;
  std::uint64_t length_;
};

}  // namespace

std::shared_ptr<const FileSource> memory_file(std::string name, std::vector<std::uint8_t> bytes) {
  return std::make_shared<MemoryFile>(std::move(name), std::move(bytes));
}

Result<std::shared_ptr<const FileSource>> slice_file(std::shared_ptr<const FileSource> base,
                                                     std::string name, std::uint64_t offset,
                                                     std::uint64_t length) {
  if (offset > base->length() || length > base->length() - offset)
    return Error(ErrorCode::kParse, base->name() + " (" + base->where() + "): entry " + name +
                                        " at byte " + std::to_string(offset) + " of " +
                                        std::to_string(length) + " bytes passes its end (" +
                                        std::to_string(base->length()) + " bytes)");
  return std::shared_ptr<const FileSource>(
      std::make_shared<SliceFile>(std::move(base), std::move(name), offset, length));
}

ByteOrder byte_order_for_lucene_major(int major) {
  return major >= 9 ? ByteOrder::kLittle : ByteOrder::kBig;
}

DataInput::DataInput(std::shared_ptr<const FileSource> file, ByteOrder order, std::size_t window)
    : file_(std::move(file)), order_(order), window_(std::max<std::size_t>(window, 64)) {
  end_ = file_->length();
}

DataInput::DataInput(std::shared_ptr<const FileSource> file, std::uint64_t begin, std::uint64_t end,
                     ByteOrder order, std::size_t window)
    : file_(std::move(file)), order_(order), window_(std::max<std::size_t>(window, 64)) {
  end_ = std::min(end, file_->length());
  begin_ = std::min(begin, end_);
  pos_ = begin_;
}

Error DataInput::error(const std::string& what) const {
  std::string where = file_->where();
  std::string msg = file_->name();
  if (where != file_->name()) msg += " (" + where + ")";
  return Error(ErrorCode::kParse, msg + " at byte " + std::to_string(pos_) + ": " + what);
}

Status DataInput::seek(std::uint64_t pos) {
  if (pos < begin_ || pos > end_)
    return error("seek to byte " + std::to_string(pos) + " outside [" + std::to_string(begin_) +
                 ", " + std::to_string(end_) + "]");
  pos_ = pos;
  return Ok{};
}

Status DataInput::skip(std::uint64_t n) {
  if (n > remaining())
    return error("skipping " + std::to_string(n) + " bytes passes the end: truncated");
  pos_ += n;
  return Ok{};
}

// Makes bytes [pos_, pos_ + need) available in buf_ (need <= remaining()).
Status DataInput::fill(std::size_t need) {
  if (pos_ >= buf_start_ && pos_ + need <= buf_start_ + buf_.size()) return Ok{};
  const std::uint64_t want = std::min<std::uint64_t>(std::max(need, window_), end_ - pos_);
  buf_.resize(want);
  buf_start_ = pos_;
  Status st = file_->read(pos_, std::span<std::uint8_t>(buf_.data(), buf_.size()));
  if (!st) {
    buf_.clear();
    return st;
  }
  return Ok{};
}

Result<std::uint8_t> DataInput::byte() {
  if (remaining() < 1) return error("reading a byte past the end: truncated");
  ESSNAP_TRY_STATUS(fill(1));
  return buf_[pos_++ - buf_start_];
}

Status DataInput::bytes(std::span<std::uint8_t> out) {
  if (out.size() > remaining())
    return error("reading " + std::to_string(out.size()) + " bytes passes the end (" +
                 std::to_string(remaining()) + " left): truncated");
  if (out.size() > window_) {  // large reads go straight to the source
    ESSNAP_TRY_STATUS(file_->read(pos_, out));
    pos_ += out.size();
    return Ok{};
  }
  ESSNAP_TRY_STATUS(fill(out.size()));
  if (!out.empty()) std::memcpy(out.data(), buf_.data() + (pos_ - buf_start_), out.size());
  pos_ += out.size();
  return Ok{};
}

Result<std::vector<std::uint8_t>> DataInput::bytes(std::uint64_t n) {
  if (n > remaining())
    return error("reading " + std::to_string(n) + " bytes passes the end (" +
                 std::to_string(remaining()) + " left): truncated");
  std::vector<std::uint8_t> out(n);
  ESSNAP_TRY_STATUS(bytes(std::span<std::uint8_t>(out)));
  return out;
}

namespace {
template <typename T>
T assemble(const std::uint8_t* p, ByteOrder order) {
  std::uint64_t v = 0;
  if (order == ByteOrder::kBig) {
    for (std::size_t i = 0; i < sizeof(T); ++i) v = (v << 8) | p[i];
  } else {
    for (std::size_t i = sizeof(T); i-- > 0;) v = (v << 8) | p[i];
  }
  return static_cast<T>(v);
}
}  // namespace

#define ESSNAP_LUCENE_FIXED(NAME, TYPE, ORDER)                          \
  Result<TYPE> DataInput::NAME() {                                      \
    std::uint8_t b[sizeof(TYPE)];                                       \
    ESSNAP_TRY_STATUS(bytes(std::span<std::uint8_t>(b, sizeof(TYPE)))); \
    return assemble<TYPE>(b, ORDER);                                    \
  }
ESSNAP_LUCENE_FIXED(i16, std::int16_t, order_)
ESSNAP_LUCENE_FIXED(i32, std::int32_t, order_)
ESSNAP_LUCENE_FIXED(i64, std::int64_t, order_)
ESSNAP_LUCENE_FIXED(be_i32, std::int32_t, ByteOrder::kBig)
ESSNAP_LUCENE_FIXED(be_i64, std::int64_t, ByteOrder::kBig)
#undef ESSNAP_LUCENE_FIXED

Result<std::int32_t> DataInput::vint() {
  const std::uint64_t at = pos_;
  std::uint32_t v = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    ESSNAP_TRY(std::uint8_t b, byte());
    v |= std::uint32_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) return static_cast<std::int32_t>(v);
  }
  pos_ = at;
  return error("a vint of more than 5 bytes");
}

Result<std::int64_t> DataInput::vlong() {
  const std::uint64_t at = pos_;
  std::uint64_t v = 0;
  for (int shift = 0; shift <= 56; shift += 7) {
    ESSNAP_TRY(std::uint8_t b, byte());
    v |= std::uint64_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) return static_cast<std::int64_t>(v);
  }
  pos_ = at;
  return error("a vlong of more than 9 bytes");
}

Result<std::int32_t> DataInput::zint() {
  ESSNAP_TRY(std::int32_t raw, vint());
  const auto u = static_cast<std::uint32_t>(raw);
  return static_cast<std::int32_t>((u >> 1) ^ (0u - (u & 1u)));
}

Result<std::int64_t> DataInput::zlong() {
  ESSNAP_TRY(std::int64_t raw, vlong());
  const auto u = static_cast<std::uint64_t>(raw);
  return static_cast<std::int64_t>((u >> 1) ^ (0ull - (u & 1ull)));
}

Result<std::string> DataInput::string() {
  ESSNAP_TRY(std::int32_t len, vint());
  if (len < 0 || static_cast<std::uint64_t>(len) > remaining())
    return error("a string of " + std::to_string(len) + " bytes with " +
                 std::to_string(remaining()) + " left");
  std::string s(static_cast<std::size_t>(len), '\0');
  ESSNAP_TRY_STATUS(
      bytes(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(s.data()), s.size())));
  return s;
}

Result<std::map<std::string, std::string>> DataInput::string_map() {
  ESSNAP_TRY(std::int32_t n, vint());
  if (n < 0 || static_cast<std::uint64_t>(n) > remaining() / 2)
    return error("a map of " + std::to_string(n) + " entries with " + std::to_string(remaining()) +
                 " bytes left");
  std::map<std::string, std::string> m;
  for (std::int32_t i = 0; i < n; ++i) {
    ESSNAP_TRY(std::string k, string());
    ESSNAP_TRY(std::string v, string());
    m[std::move(k)] = std::move(v);
  }
  return m;
}

Result<std::set<std::string>> DataInput::string_set() {
  ESSNAP_TRY(std::int32_t n, vint());
  if (n < 0 || static_cast<std::uint64_t>(n) > remaining())
    return error("a set of " + std::to_string(n) + " entries with " + std::to_string(remaining()) +
                 " bytes left");
  std::set<std::string> s;
  for (std::int32_t i = 0; i < n; ++i) {
    ESSNAP_TRY(std::string v, string());
    s.insert(std::move(v));
  }
  return s;
}

Result<std::int32_t> check_header(DataInput& in, const CodecHeaderCheck& c) {
  const std::uint64_t at = in.position();
  std::uint8_t head[4 + 1 + format::kMaxCodecNameLength + 4 + 16 + 1 + 255];
  const std::size_t take =
      static_cast<std::size_t>(std::min<std::uint64_t>(sizeof head, in.remaining()));
  ESSNAP_TRY_STATUS(in.bytes(std::span<std::uint8_t>(head, take)));
  auto parsed = c.index_header ? format::parse_index_header(std::span(head, take))
                               : format::parse_header(std::span(head, take));
  if (!parsed) {
    ESSNAP_TRY_STATUS(in.seek(at));
    return in.error(parsed.error().message);
  }
  const format::Header& h = *parsed;
  ESSNAP_TRY_STATUS(in.seek(at + h.length));
  if (h.codec != c.codec)
    return in.error("codec \"" + h.codec + "\", expected \"" + std::string(c.codec) + "\"");
  if (h.version < c.min_version || h.version > c.max_version)
    return in.error("codec " + h.codec + " version " + std::to_string(h.version) +
                    " outside the versions read (" + std::to_string(c.min_version) + ".." +
                    std::to_string(c.max_version) + ")");
  if (c.index_header && c.expected_id && h.object_id && *h.object_id != *c.expected_id)
    return in.error("codec " + h.codec + ": segment id differs from the segment's");
  if (c.index_header && c.expected_suffix && h.suffix != *c.expected_suffix)
    return in.error("codec " + h.codec + ": suffix \"" + h.suffix + "\", expected \"" +
                    *c.expected_suffix + "\"");
  return h.version;
}

Result<std::string> peek_codec(const FileSource& f) {
  std::uint8_t head[4 + 1 + format::kMaxCodecNameLength];
  const std::size_t take =
      static_cast<std::size_t>(std::min<std::uint64_t>(sizeof head, f.length()));
  ESSNAP_TRY_STATUS(f.read(0, std::span<std::uint8_t>(head, take)));
  if (take < 5 || head[4] > take - 5)
    return Error(ErrorCode::kParse, f.name() + " (" + f.where() + "): no Lucene codec header");
  return std::string(reinterpret_cast<const char*>(head + 5), head[4]);
}

Result<std::uint32_t> footer_checksum(const std::shared_ptr<const FileSource>& file) {
  if (file->length() < format::kFooterLength)
    return Error(ErrorCode::kParse, file->name() + " (" + file->where() +
                                        "): " + std::to_string(file->length()) +
                                        " bytes, shorter than a Lucene footer: truncated");
  std::uint8_t tail[format::kFooterLength];
  ESSNAP_TRY_STATUS(file->read(file->length() - format::kFooterLength, std::span(tail)));
  auto f = format::parse_footer(std::span<const std::uint8_t>(tail, sizeof tail));
  if (!f) return Error(ErrorCode::kParse, file->name() + ": " + f.error().message);
  return f->checksum;
}

Status check_footer(const std::shared_ptr<const FileSource>& file) {
  ESSNAP_TRY(std::uint32_t want, footer_checksum(file));
  const std::uint64_t body = file->length() - 8;  // the checksum covers magic and algorithm
  std::vector<std::uint8_t> buf(std::min<std::uint64_t>(body, 1 << 20));
  format::Crc32 crc;
  for (std::uint64_t off = 0; off < body;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), body - off));
    ESSNAP_TRY_STATUS(file->read(off, std::span<std::uint8_t>(buf.data(), n)));
    crc.update(std::span<const std::uint8_t>(buf.data(), n));
    off += n;
  }
  if (crc.value() != want)
    return Error(ErrorCode::kParse, file->name() + " (" + file->where() + "): checksum " +
                                        format::checksum_to_base36(crc.value()) +
                                        " of its bytes, footer says " +
                                        format::checksum_to_base36(want) + ": corrupt");
  return Ok{};
}

}  // namespace essnap::lucene
