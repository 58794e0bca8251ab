// CRC-32 throughput of format::Crc32 (zlib's crc32_z): what `essnap inspect verify --read-data`
// spends per byte it downloads. Target: >= 1 GB/s per core. Streamed in 64 KiB pieces (the size a
// blob read hands over) and in one 16 MiB call; a byte-at-a-time table loop is the baseline.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "essnap/format/crc32.hpp"

namespace {

std::vector<std::uint8_t> data(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  std::uint32_t x = 2463534242u;
  for (auto& b : v) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    b = static_cast<std::uint8_t>(x);
  }
  return v;
}

void BM_Crc32Streamed64KiB(benchmark::State& state) {
  const auto buf = data(16 << 20);
  for (auto _ : state) {
    essnap::format::Crc32 c;
    for (std::size_t off = 0; off < buf.size(); off += 64 << 10)
      c.update(std::span(buf).subspan(off, 64 << 10));
    benchmark::DoNotOptimize(c.value());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(buf.size()));
}
BENCHMARK(BM_Crc32Streamed64KiB);

void BM_Crc32OneCall16MiB(benchmark::State& state) {
  const auto buf = data(16 << 20);
  for (auto _ : state) benchmark::DoNotOptimize(essnap::format::crc32(buf));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(buf.size()));
}
BENCHMARK(BM_Crc32OneCall16MiB);

void BM_Crc32Bytewise16MiB(benchmark::State& state) {  // baseline: the textbook table loop
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  const auto buf = data(16 << 20);
  for (auto _ : state) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (auto b : buf) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
    benchmark::DoNotOptimize(c ^ 0xFFFFFFFFu);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(buf.size()));
}
BENCHMARK(BM_Crc32Bytewise16MiB);

}  // namespace

BENCHMARK_MAIN();
