// IDX (MNIST / Fashion-MNIST image and label files): header, element type, sizes vs the file's length.
#include "data/idx.hpp"
#include "fuzz_target.hpp"

using namespace plasticore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::expect_answer([&] {
    const IdxArray a = parse_idx(fuzz::bytes_of(data, size), "fuzz.idx");
    uint64_t count = 1;
    for (const uint32_t n : a.shape) count *= n;  // parse_idx bounded the product before it multiplied
    fuzz::require(count == a.data.size(), "IDX shape product equals the data bytes");
  });
  return 0;
}
