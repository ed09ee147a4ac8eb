// Spiking Heidelberg Digits / Spiking Speech Commands HDF5 files (spikes/times, spikes/units, labels),
// read through libhdf5 and core/hdf5 (shapes and types checked before every read).
#include "data/heidelberg.hpp"
#include "file_input.hpp"
#include "fuzz_target.hpp"

using namespace plasticore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::input_file(data, size, ".h5");
  fuzz::expect_answer([&] {
    const HeidelbergSamples s = parse_heidelberg_file(path, 20);
    fuzz::require(s.labels.size() == s.events.size(), "one label per sample");
    for (const int label : s.labels) fuzz::require(label >= 0 && label < 20, "labels within the classes");
  });
  return 0;
}
