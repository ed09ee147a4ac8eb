// N-MNIST event files (40-bit events: x, y, polarity, 23-bit timestamp): size a whole number of events,
// pixels inside the 34 x 34 sensor.
#include "data/nmnist.hpp"
#include "file_input.hpp"
#include "fuzz_target.hpp"

using namespace plasticore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::input_file(data, size, ".bin");
  fuzz::expect_answer([&] {
    const std::vector<NmnistEvent> events = parse_nmnist_file(path);
    fuzz::require(events.size() * 5 == size, "one event per 5 bytes");
    for (const NmnistEvent& e : events) fuzz::require(e.x >= 0 && e.x < 34 && e.y >= 0 && e.y < 34, "pixel on the sensor");
  });
  return 0;
}
