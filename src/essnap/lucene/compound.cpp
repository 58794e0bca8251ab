#include "essnap/lucene/compound.hpp"

#include "essnap/format/lucene_footer.hpp"

namespace essnap::lucene {
Result<std::map<std::string, CompoundEntry>> read_compound_entries(
    const std::shared_ptr<const FileSource>& file, const std::string& segment, const SegmentId* id,
    ByteOrder* order_out) {
  ESSNAP_TRY_STATUS(check_footer(file));
  ESSNAP_TRY(std::string codec, peek_codec(*file));
  ByteOrder order;
  if (codec == "Lucene50CompoundEntries") {
    order = ByteOrder::kBig;
  } else if (codec == "Lucene90CompoundEntries") {
    order = ByteOrder::kLittle;
  } else {
    return Error(ErrorCode::kParse, file->name() + " (" + file->where() +
                                        "): compound entries codec \"" + codec +
                                        "\" is not Lucene50CompoundEntries or "
                                        "Lucene90CompoundEntries");
  }
  if (order_out) *order_out = order;
  DataInput in(file, order);
  const std::string empty;
  ESSNAP_TRY_STATUS(check_header(in, {codec, 0, 0, true, id, &empty}));
  ESSNAP_TRY(std::int32_t count, in.vint());
  if (count < 0 || static_cast<std::uint64_t>(count) > in.remaining() / 17)
    return in.error(std::to_string(count) + " compound entries with " +
                    std::to_string(in.remaining()) + " bytes left");
  std::map<std::string, CompoundEntry> entries;
  for (std::int32_t i = 0; i < count; ++i) {
    ESSNAP_TRY(std::string suffix, in.string());
    ESSNAP_TRY(std::int64_t offset, in.i64());
    ESSNAP_TRY(std::int64_t length, in.i64());
    if (offset < 0 || length < 0)
      return in.error("entry " + suffix + ": negative offset or length");
    if (!entries
             .emplace(segment + suffix, CompoundEntry{static_cast<std::uint64_t>(offset),
                                                      static_cast<std::uint64_t>(length)})
             .second)
      return in.error("entry " + suffix + " listed twice");
  }
  if (in.position() + format::kFooterLength != file->length())
    return in.error("bytes between the compound entries and the footer");
  return entries;
}

Result<CompoundFile> open_compound(std::shared_ptr<const FileSource> entries_file,
                                   std::shared_ptr<const FileSource> data,
                                   const std::string& segment, const SegmentId& id) {
  ByteOrder order = ByteOrder::kLittle;
  ESSNAP_TRY(auto entries, read_compound_entries(entries_file, segment, &id, &order));
  const std::string data_codec =
      order == ByteOrder::kBig ? "Lucene50CompoundData" : "Lucene90CompoundData";
  DataInput in(data, order);
  const std::string empty;
  ESSNAP_TRY_STATUS(check_header(in, {data_codec, 0, 0, true, &id, &empty}));
  if (auto sum = footer_checksum(data); !sum) return std::move(sum).error();
  const std::uint64_t body_end = data->length() - format::kFooterLength;
  for (const auto& [name, e] : entries) {
    if (e.offset < in.position() || e.offset > body_end || e.length > body_end - e.offset)
      return Error(ErrorCode::kParse, entries_file->name() + " (" + entries_file->where() +
                                          "): entry " + name + " at " + std::to_string(e.offset) +
                                          "+" + std::to_string(e.length) + " lies outside " +
                                          data->name() + "'s " + std::to_string(body_end) +
                                          " data bytes");
  }
  CompoundFile cf;
  cf.data_ = std::move(data);
  cf.entries_ = std::move(entries);
  return cf;
}

Result<std::shared_ptr<const FileSource>> CompoundFile::open(const std::string& file_name) const {
  auto it = entries_.find(file_name);
  if (it == entries_.end())
    return Error(ErrorCode::kParse, data_->name() + " (" + data_->where() + "): holds no " +
                                        file_name + " (the segment's compound entries lack it)");
  return slice_file(data_, file_name, it->second.offset, it->second.length);
}

}  // namespace essnap::lucene
