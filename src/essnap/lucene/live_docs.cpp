#include "essnap/lucene/live_docs.hpp"

#include <bit>

#include "essnap/format/lucene_footer.hpp"

namespace essnap::lucene {

DocBits::DocBits(std::uint32_t size, bool all)
    : size_(size), words_((static_cast<std::size_t>(size) + 63) / 64, all ? ~std::uint64_t{0} : 0) {
  if (all && (size & 63)) words_.back() = (std::uint64_t{1} << (size & 63)) - 1;
}

std::uint32_t DocBits::count() const {
  std::uint32_t n = 0;
  for (std::uint64_t w : words_) n += static_cast<std::uint32_t>(std::popcount(w));
  return n;
}

Result<DocBits> read_live_docs(const std::shared_ptr<const FileSource>& file, std::int32_t max_doc,
                               const SegmentId* id, std::int64_t del_gen, std::int32_t del_count) {
  if (max_doc < 0) return Error(ErrorCode::kParse, file->name() + ": negative maxDoc");
  ESSNAP_TRY_STATUS(check_footer(file));
  // the codec decides the grammar and byte order; check_header below checks the header whole
  auto peeked = peek_codec(*file);
  const std::string codec = peeked.ok() ? *peeked : std::string();
  ByteOrder order;
  if (codec == "Lucene50LiveDocs") {
    order = ByteOrder::kBig;
  } else if (codec == "Lucene90LiveDocs") {
    order = ByteOrder::kLittle;
  } else {
    return Error(ErrorCode::kParse, file->name() + " (" + file->where() + "): live docs codec \"" +
                                        codec + "\" is not Lucene50LiveDocs or Lucene90LiveDocs");
  }
  DataInput in(file, order);
  const std::string suffix = to_base36(del_gen);
  ESSNAP_TRY_STATUS(check_header(in, {codec, 0, 0, true, id, &suffix}));
  // the file's size must match maxDoc before maxDoc sizes anything
  const std::uint64_t need = (static_cast<std::uint64_t>(max_doc) + 63) / 64 * 8;
  if (in.position() + need + format::kFooterLength != file->length())
    return in.error(std::to_string(file->length() - format::kFooterLength - in.position()) +
                    " bytes of live docs for " + std::to_string(max_doc) + " documents (" +
                    std::to_string(need) + " expected)");
  DocBits bits(static_cast<std::uint32_t>(max_doc), false);
  for (auto& w : bits.words()) {
    ESSNAP_TRY(std::int64_t v, in.i64());
    w = static_cast<std::uint64_t>(v);
  }
  if (max_doc & 63) {
    const std::uint64_t extra = ~((std::uint64_t{1} << (max_doc & 63)) - 1);
    if (bits.words().back() & extra) return in.error("live bits set past maxDoc");
  }
  const std::uint32_t deleted = static_cast<std::uint32_t>(max_doc) - bits.count();
  if (deleted != static_cast<std::uint32_t>(del_count))
    return in.error(std::to_string(deleted) + " deleted documents, the commit says " +
                    std::to_string(del_count));
  return bits;
}

}  // namespace essnap::lucene
