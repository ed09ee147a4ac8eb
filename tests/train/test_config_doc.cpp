// docs/configuration.md is generated from the registries' readers (train/config_doc.hpp) and must be
// exactly what `plasticore keys` prints; every key of every shipped config is documented in it, and every
// registered algorithm, dataset and substrate kind has its keys there.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "train/config_doc.hpp"
#include "train/run.hpp"

namespace plasticore {
namespace {

const std::string kSourceDir = PLASTICORE_SOURCE_DIR;

std::string committed() {
  std::ifstream in(kSourceDir + "/docs/configuration.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ConfigurationDoc, IsWhatTheReadersDocument) {
  EXPECT_TRUE(committed() == configuration_markdown())
      << "docs/configuration.md is out of date: regenerate it with build/bin/plasticore keys > docs/configuration.md";
}

TEST(ConfigurationDoc, DocumentsEveryKeyOfEveryShippedConfigAndEveryRegistryEntry) {
  const std::string doc = committed();
  for (const auto& e : std::filesystem::directory_iterator(kSourceDir + "/configs")) {
    if (e.path().extension() != ".toml") continue;
    ConfigReader r = ConfigReader::from_file(e.path().string());
    const RunSpec spec = read_run_spec(r);
    for (const KeyDoc& d : r.key_docs()) EXPECT_NE(doc.find("| `" + d.key + "` |"), std::string::npos) << d.key;
  }
  for (const auto& name : learner_registry().names()) EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name;
  for (const auto& name : dataset_registry().names()) EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name;
  for (const auto& name : substrate_registry().names()) EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name;
}

}  // namespace
}  // namespace plasticore
