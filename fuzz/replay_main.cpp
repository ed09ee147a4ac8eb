// A driver for the fuzz targets without libFuzzer (any compiler; `make test` runs it): every file of the
// seed corpus, then `mutations` deterministic mutants of each (bit flips, interesting bytes, truncation,
// duplicated and deleted spans, inserted bytes: libFuzzer's basic moves), from a fixed seed so a failure
// reproduces. A finding crashes the process (abort, sanitizer or signal), which fails the test.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

uint64_t next(uint64_t& s) {  // splitmix64
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string mutate(std::string in, uint64_t& s) {
  static const uint8_t interesting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '[', '{', '"', '=', '\n', '9', '-'};
  const int moves = 1 + static_cast<int>(next(s) % 4);
  for (int m = 0; m < moves; ++m) {
    const size_t n = in.size();
    const size_t at = n == 0 ? 0 : next(s) % n;
    switch (next(s) % 6) {
      case 0:
        if (n) in[at] = static_cast<char>(in[at] ^ (1 << (next(s) % 8)));
        break;
      case 1:
        if (n) in[at] = static_cast<char>(interesting[next(s) % sizeof interesting]);
        break;
      case 2:
        in.resize(n == 0 ? 0 : next(s) % n);
        break;
      case 3: {
        const size_t len = std::min<size_t>(n - at, 1 + next(s) % 64);
        in.insert(at, in.substr(at, len));
        break;
      }
      case 4:
        if (n) in.erase(at, 1 + next(s) % std::max<size_t>(1, n / 8));
        break;
      default:
        in.insert(at, 1 + next(s) % 8, static_cast<char>(next(s)));
    }
  }
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS_PER_SEED]\n", argv[0]);
    return 2;
  }
  const long mutations = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 100;
  std::vector<std::filesystem::path> seeds;
  for (const auto& e : std::filesystem::directory_iterator(argv[1]))
    if (e.is_regular_file()) seeds.push_back(e.path());
  std::sort(seeds.begin(), seeds.end());
  if (seeds.empty()) {
    std::fprintf(stderr, "%s: no seed inputs\n", argv[1]);
    return 2;
  }
  uint64_t state = 20261202, runs = 0;
  for (const auto& path : seeds) {
    std::ifstream f(path, std::ios::binary);
    const std::string seed((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
    ++runs;
    std::string input = seed;
    for (long k = 0; k < mutations; ++k) {
      input = (k % 8 == 0) ? mutate(seed, state) : mutate(input, state);  // walk away from the seed, and restart
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
      ++runs;
    }
  }
  std::printf("%s: %llu inputs (%zu seeds + mutants), no finding\n", argv[1], static_cast<unsigned long long>(runs),
              seeds.size());
  return 0;
}
