// A config as `plasticore train CONFIG --set key=value ...` reads it: the input's lines before a line "%%"
// are --set assignments, the rest is the TOML file. Everything the registries read is validated (types,
// ranges, choices, unknown keys). Property: the resolved config.toml a run writes reads back to itself
// (what --resume and eval rely on).
#include "fuzz_target.hpp"
#include "train/run.hpp"

using namespace plasticore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = fuzz::bytes_of(data, size);
  const size_t split = input.find("%%\n");
  const std::string sets = split == std::string::npos ? "" : input.substr(0, split);
  const std::string toml = split == std::string::npos ? input : input.substr(split + 3);
  fuzz::expect_answer([&] {
    ConfigReader reader = ConfigReader::from_string(toml, "fuzz.toml");
    for (size_t begin = 0; begin < sets.size();) {
      const size_t end = std::min(sets.find('\n', begin), sets.size());
      if (end > begin) reader.set_override(sets.substr(begin, end - begin));
      begin = end + 1;
    }
    const RunSpec spec = read_run_spec(reader);
    ConfigReader again = ConfigReader::from_string(spec.config_toml, "config.toml");
    const RunSpec back = read_run_spec(again);
    fuzz::require(back.config_toml == spec.config_toml, "the resolved config reads back to itself");
  });
  return 0;
}
