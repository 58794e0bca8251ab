#include "essnap/lucene/stored_stream.hpp"

#include <algorithm>
#include <cstring>

namespace essnap::lucene {

StreamReader::StreamReader(std::shared_ptr<const FileSource> file, std::uint64_t begin,
                           std::uint64_t end, std::size_t window)
    : file_(std::move(file)), window_(std::max<std::size_t>(window, 64)) {
  end_ = std::min(end, file_->length());
  pos_ = std::min(begin, end_);
  buf_pos_ = pos_;
}

Error StreamReader::error(const std::string& what) const {
  std::string where = file_->where();
  std::string msg = file_->name();
  if (where != file_->name()) msg += " (" + where + ")";
  return Error(ErrorCode::kParse, msg + " at byte " + std::to_string(pos_) + ": " + what);
}

Result<std::span<const std::uint8_t>> StreamReader::need(std::size_t n) {
  if (n > remaining())
    return error("needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) +
                 " left before the end of the chunks: truncated");
  const std::uint64_t have_from = pos_ - buf_pos_;  // pos_ >= buf_pos_ always
  if (have_from + n <= buf_.size())
    return std::span<const std::uint8_t>(buf_.data() + have_from, n);
  // Keep the unread tail, read what follows: each byte comes from the source once.
  const std::size_t keep = have_from < buf_.size() ? buf_.size() - have_from : 0;
  if (keep) std::memmove(buf_.data(), buf_.data() + have_from, keep);
  const std::uint64_t want = std::min<std::uint64_t>(std::max(n, window_), remaining());
  const std::uint64_t read_at = pos_ + keep;
  const std::size_t more = static_cast<std::size_t>(want - keep);
  buf_.resize(static_cast<std::size_t>(want));
  buf_pos_ = pos_;
  if (more) {
    Status st = file_->read(read_at, std::span<std::uint8_t>(buf_.data() + keep, more));
    if (!st) {
      buf_.clear();
      return st.error();
    }
    if (crc_) crc_->update(std::span<const std::uint8_t>(buf_.data() + keep, more));
  }
  // A chunk far larger than the window (one huge document) must not pin its buffer for good.
  if (buf_.capacity() > 4 * window_ && want <= window_) buf_.shrink_to_fit();
  return std::span<const std::uint8_t>(buf_.data(), n);
}

Result<std::span<const std::uint8_t>> StreamReader::peek_up_to(std::size_t n) {
  return need(static_cast<std::size_t>(std::min<std::uint64_t>(n, remaining())));
}

Status StreamReader::consume(std::size_t n) {
  if (n > remaining()) return error("skipping " + std::to_string(n) + " bytes passes the end");
  pos_ += n;
  if (pos_ - buf_pos_ >= buf_.size()) {
    buf_.clear();
    buf_pos_ = pos_;
  }
  return Ok{};
}

Result<std::uint8_t> StreamReader::byte() {
  ESSNAP_TRY(auto b, need(1));
  const std::uint8_t v = b[0];
  ESSNAP_TRY_STATUS(consume(1));
  return v;
}

Result<std::int32_t> StreamReader::vint() {
  std::uint32_t v = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    ESSNAP_TRY(std::uint8_t b, byte());
    v |= std::uint32_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) return static_cast<std::int32_t>(v);
  }
  return error("a vint of more than 5 bytes");
}

Result<std::int64_t> StreamReader::vlong() {
  std::uint64_t v = 0;
  for (int shift = 0; shift <= 56; shift += 7) {
    ESSNAP_TRY(std::uint8_t b, byte());
    v |= std::uint64_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) return static_cast<std::int64_t>(v);
  }
  return error("a vlong of more than 9 bytes");
}

Status StreamReader::read(std::span<std::uint8_t> out) {
  if (out.size() > window_ && buf_.empty()) {  // large runs go straight to the source
    if (out.size() > remaining())
      return error("needs " + std::to_string(out.size()) + " bytes, " +
                   std::to_string(remaining()) + " left: truncated");
    ESSNAP_TRY_STATUS(file_->read(pos_, out));
    if (crc_) crc_->update(out);
    pos_ += out.size();
    buf_pos_ = pos_;
    return Ok{};
  }
  ESSNAP_TRY(auto b, need(out.size()));
  if (!out.empty()) std::memcpy(out.data(), b.data(), out.size());
  return consume(out.size());
}

namespace {
Error short_bytes(std::size_t want, std::size_t left) {
  return Error(ErrorCode::kParse,
               "needs " + std::to_string(want) + " bytes, " + std::to_string(left) + " left");
}
}  // namespace

Result<std::uint8_t> ByteReader::byte() {
  if (remaining() < 1) return short_bytes(1, 0);
  return b_[pos_++];
}

#define ESSNAP_BYTE_READER_FIXED(NAME, TYPE, ORDER)                                \
  Result<TYPE> ByteReader::NAME() {                                                \
    if (remaining() < sizeof(TYPE)) return short_bytes(sizeof(TYPE), remaining()); \
    std::uint64_t v = 0;                                                           \
    const std::uint8_t* p = b_.data() + pos_;                                      \
    if ((ORDER) == ByteOrder::kBig) {                                              \
      for (std::size_t i = 0; i < sizeof(TYPE); ++i) v = (v << 8) | p[i];          \
    } else {                                                                       \
      for (std::size_t i = sizeof(TYPE); i-- > 0;) v = (v << 8) | p[i];            \
    }                                                                              \
    pos_ += sizeof(TYPE);                                                          \
    return static_cast<TYPE>(v);                                                   \
  }
ESSNAP_BYTE_READER_FIXED(u16, std::uint16_t, order_)
ESSNAP_BYTE_READER_FIXED(u32, std::uint32_t, order_)
ESSNAP_BYTE_READER_FIXED(u64, std::uint64_t, order_)
ESSNAP_BYTE_READER_FIXED(le_u64, std::uint64_t, ByteOrder::kLittle)
#undef ESSNAP_BYTE_READER_FIXED

Result<std::int32_t> ByteReader::vint() {
  std::uint32_t v = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    ESSNAP_TRY(std::uint8_t b, byte());
    v |= std::uint32_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) return static_cast<std::int32_t>(v);
  }
  return Error(ErrorCode::kParse, "a vint of more than 5 bytes");
}

Result<std::int64_t> ByteReader::vlong() {
  std::uint64_t v = 0;
  for (int shift = 0; shift <= 56; shift += 7) {
    ESSNAP_TRY(std::uint8_t b, byte());
    v |= std::uint64_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) return static_cast<std::int64_t>(v);
  }
  return Error(ErrorCode::kParse, "a vlong of more than 9 bytes");
}

Result<std::span<const std::uint8_t>> ByteReader::bytes(std::size_t n) {
  if (n > remaining()) return short_bytes(n, remaining());
  auto s = b_.subspan(pos_, n);
  pos_ += n;
  return s;
}

}  // namespace essnap::lucene
