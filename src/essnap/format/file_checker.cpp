#include "essnap/format/file_checker.hpp"

#include <zlib.h>

#include <cstring>

#include "essnap/format/lucene_footer.hpp"

namespace essnap::format {

void FileChecker::feed(std::span<const std::uint8_t> p) {
  const std::size_t n = p.size();
  if (n == 0) return;
  total_ += n;
  if (n >= 16) {
    std::memcpy(last16_.data(), p.data() + n - 16, 16);
    have16_ = 16;
  } else {
    std::uint8_t tmp[32];
    std::memcpy(tmp, last16_.data(), have16_);
    std::memcpy(tmp + have16_, p.data(), n);
    const std::size_t m = have16_ + n;
    const std::size_t keep = m < 16 ? m : 16;
    std::memcpy(last16_.data(), tmp + m - keep, keep);
    have16_ = keep;
  }
  if (n >= 8) {
    crc_.update({held_.data(), held_n_});
    crc_.update(p.first(n - 8));
    std::memcpy(held_.data(), p.data() + n - 8, 8);
    held_n_ = 8;
  } else {
    std::uint8_t tmp[16];
    std::memcpy(tmp, held_.data(), held_n_);
    std::memcpy(tmp + held_n_, p.data(), n);
    const std::size_t m = held_n_ + n;
    if (m > 8) {
      crc_.update({tmp, m - 8});
      std::memcpy(held_.data(), tmp + m - 8, 8);
      held_n_ = 8;
    } else {
      std::memcpy(held_.data(), tmp, m);
      held_n_ = m;
    }
  }
}

std::optional<std::string> FileChecker::problem(std::uint64_t expected_length,
                                                const std::string& recorded) const {
  return judge(total_, crc_.value(), {last16_.data(), have16_}, expected_length, recorded);
}

std::uint32_t FileChecker::combine(std::uint32_t a, std::uint32_t b, std::uint64_t length_b) {
  return static_cast<std::uint32_t>(::crc32_combine(a, b, static_cast<z_off_t>(length_b)));
}

std::optional<std::string> FileChecker::judge(std::uint64_t total, std::uint32_t actual,
                                              std::span<const std::uint8_t> last16,
                                              std::uint64_t expected_length,
                                              const std::string& recorded) {
  if (total != expected_length)
    return "read " + std::to_string(total) + " bytes, the snapshot records " +
           std::to_string(expected_length);
  if (total < kFooterLength || last16.size() < kFooterLength)
    return "only " + std::to_string(total) + " bytes: too short for a Lucene footer";
  auto footer = parse_footer(last16.first(kFooterLength));
  if (!footer.ok()) return "no valid Lucene footer: " + footer.error().message;
  if (footer->checksum != actual)
    return "content CRC-32 " + checksum_to_base36(actual) + " differs from the Lucene footer's " +
           checksum_to_base36(footer->checksum) + " (the data is corrupt)";
  auto want = checksum_from_base36(recorded);
  if (!want || *want != footer->checksum)
    return "Lucene footer checksum " + checksum_to_base36(footer->checksum) +
           " differs from the snapshot's recorded checksum '" + recorded + "'";
  return std::nullopt;
}

}  // namespace essnap::format
