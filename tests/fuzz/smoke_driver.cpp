// The fuzz smoke run inside `make test` (ctest label "fuzz"): the libFuzzer entry points of
// tests/fuzz/, built with the project's compiler and no libFuzzer, fed each seed and then a fixed
// number of deterministic mutations of the seeds (bit flips, byte changes, insertions, deletions,
// truncations, splices and repeated runs — libFuzzer's cheap mutators). A crash, a trap or an
// uncaught exception fails the test; the input that did it is written to the working directory
// as smoke-crash-<target>. `make fuzz` runs the same targets under
// libFuzzer with sanitizers for minutes.
//
// Usage: <target>_smoke SEEDS_DIR [ITERATIONS] [SEED]
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes* g_current = nullptr;
const char* g_name = "target";
std::string g_crash_file;

// Async-signal-safe: open(2)/write(2) only.
void save_current() {
  if (!g_current) return;
  const int fd = ::open(g_crash_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  const auto* p = g_current->data();
  std::size_t left = g_current->size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::close(fd);
}

extern "C" void on_crash(int sig) {
  save_current();
  static const char msg[] = "fuzz smoke: crashed; the input is in smoke-crash-<target>\n";
  (void)!::write(2, msg, sizeof msg - 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void run_one(const Bytes& input) {
  g_current = &input;
  (void)LLVMFuzzerTestOneInput(input.data(), input.size());
  g_current = nullptr;
}

Bytes mutate(const std::vector<Bytes>& seeds, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  Bytes b = seeds[pick(seeds.size())];
  const int rounds = 1 + static_cast<int>(pick(4));
  static const char* const kTokens[] = {"{",    "}",    "[",  "]",     "\"",      ":",  ",",
                                        "null", "true", "-1", "1e999", "\\u0000", "\n", "  ",
                                        "- ",   ": ",   "&a", "*a",    "!!",      "'"};
  for (int r = 0; r < rounds; ++r) {
    switch (pick(8)) {
      case 0:  // flip a bit
        if (!b.empty()) b[pick(b.size())] ^= static_cast<std::uint8_t>(1u << pick(8));
        break;
      case 1:  // set a byte
        if (!b.empty()) b[pick(b.size())] = static_cast<std::uint8_t>(rng());
        break;
      case 2:  // insert a token
      {
        const std::string t = kTokens[pick(std::size(kTokens))];
        b.insert(b.begin() + static_cast<long>(pick(b.size() + 1)), t.begin(), t.end());
        break;
      }
      case 3:  // delete a run
        if (!b.empty()) {
          const std::size_t at = pick(b.size());
          const std::size_t n = std::min(b.size() - at, 1 + pick(16));
          b.erase(b.begin() + static_cast<long>(at), b.begin() + static_cast<long>(at + n));
        }
        break;
      case 4:  // truncate
        b.resize(pick(b.size() + 1));
        break;
      case 5:  // splice another seed's tail
      {
        const Bytes& o = seeds[pick(seeds.size())];
        const std::size_t at = pick(b.size() + 1), from = pick(o.size() + 1);
        b.resize(at);
        b.insert(b.end(), o.begin() + static_cast<long>(from), o.end());
        break;
      }
      case 6:  // repeat a run (deep nesting, long lists)
        if (!b.empty()) {
          const std::size_t at = pick(b.size());
          const std::size_t n = std::min(b.size() - at, 1 + pick(8));
          const Bytes run(b.begin() + static_cast<long>(at), b.begin() + static_cast<long>(at + n));
          for (int k = 0, times = 1 + static_cast<int>(pick(64)); k < times; ++k)
            b.insert(b.begin() + static_cast<long>(at), run.begin(), run.end());
        }
        break;
      default:  // an interesting byte
      {
        static const std::uint8_t kBytes[] = {0x00, 0xff, 0x7f, 0x80, 0x0a, 0x22, 0x5c};
        if (!b.empty()) b[pick(b.size())] = kBytes[pick(std::size(kBytes))];
        break;
      }
    }
  }
  if (b.size() > (1u << 20)) b.resize(1u << 20);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " SEEDS_DIR [ITERATIONS] [SEED]\n";
    return 2;
  }
  const std::filesystem::path self(argv[0]);
  static const std::string name = self.filename().string();
  g_name = name.c_str();
  const long iterations = argc > 2 ? std::stol(argv[2]) : 3000;
  const unsigned long long seed = argc > 3 ? std::stoull(argv[3]) : 20261207;

  std::vector<Bytes> seeds;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(argv[1], ec)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (seeds.empty()) {
    std::cerr << name << ": no seeds in " << argv[1] << "\n";
    return 2;
  }
  g_crash_file = "smoke-crash-" + name;
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTRAP}) std::signal(sig, on_crash);
  std::set_terminate([] {
    save_current();
    std::cerr << g_name << ": uncaught exception; input saved as smoke-crash-" << g_name << "\n";
    std::abort();
  });
  seeds.emplace_back();  // the empty input
  for (const auto& s : seeds) run_one(s);
  std::mt19937_64 rng(seed);
  for (long i = 0; i < iterations; ++i) {
    run_one(mutate(seeds, rng));
  }
  std::cout << name << ": " << seeds.size() << " seeds and " << iterations
            << " mutations, no crash\n";
  return 0;
}
