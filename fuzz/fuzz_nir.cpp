// NIR graphs (HDF5, nir.write's layout) as plasticore.from_nir reads them: node types, parameter shapes,
// edges; then the network built from them.
#include "file_input.hpp"
#include "fuzz_target.hpp"
#include "io/nir.hpp"

using namespace plasticore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::input_file(data, size, ".nir");
  fuzz::expect_answer([&] {
    const NirNetwork network = read_nir(path);
    (void)build_network(network);
  });
  return 0;
}
