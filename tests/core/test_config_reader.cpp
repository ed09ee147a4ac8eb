// ConfigReader (core/config_reader.hpp): TOML + --set overrides, typed getters with ranges, unknown-key
// detection, renamed keys, per-matrix values, path expansion, the resolved TOML and the key documentation.
// Every bad config is a one-line UsageError naming the key (and the file or "--set").
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "core/error.hpp"
#include "../support/expect_error.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

ConfigReader reader(const std::string& text, const std::vector<std::string>& overrides = {}) {
  ConfigReader r = ConfigReader::from_string(text, "test.toml");
  for (const auto& o : overrides) r.set_override(o);
  return r;
}

TEST(ConfigReader, TypedGettersWithDefaultsAndRanges) {
  ConfigReader r = reader("[train]\nepochs = 3\nrate = 0.5\nflag = true\nname = \"x\"\n");
  EXPECT_EQ(r.get_int("train.epochs", 1, 1, 10, "m"), 3);
  EXPECT_EQ(r.get_int("train.missing", 7, 1, 10, "m"), 7);
  EXPECT_EQ(r.get_double("train.rate", 1.0, 0.0, 1.0, "m"), 0.5);
  EXPECT_TRUE(r.get_bool("train.flag", false, "m"));
  EXPECT_EQ(r.get_string("train.name", "y", "m"), "x");
  r.check_all_used();
  expect_usage_error([] { reader("[a]\nn = 11\n").get_int("a.n", 1, 1, 10, "m"); }, {"test.toml: a.n", "[1, 10]", "11"});
  expect_usage_error([] { reader("[a]\nx = 0\n").get_double("a.x", 1, 0, 1, "m", true); }, {"a.x", "(0, 1]"});
  expect_usage_error([] { reader("[a]\nx = nan\n").get_double("a.x", 1, 0, 1, "m"); }, {"a.x", "finite"});
  expect_usage_error([] { reader("[a]\nx = \"no\"\n").get_bool("a.x", true, "m"); }, {"a.x", "true or false"});
  expect_usage_error([] { reader("", {"a.x=lots"}).get_int("a.x", 1, 0, 9, "m"); }, {"--set a.x", "integer", "lots"});
  expect_usage_error([] { reader("", {"k=hebb"}).get_choice("k", "a", {"a", "b"}, "m"); }, {"--set k", "'hebb'", "a, b"});
}

TEST(ConfigReader, OverridesAndUnknownKeys) {
  ConfigReader r = reader("name = \"x\"\n", {"train.epochs=2", "train.epochs=5", "path=/tmp/some dir/f", "q=\"quoted\""});
  EXPECT_EQ(r.get_int("train.epochs", 1, 1, 10, "m"), 5) << "the later override wins";
  EXPECT_EQ(r.get_string("path", "", "m"), "/tmp/some dir/f") << "bare strings need no quotes";
  EXPECT_EQ(r.get_string("q", "", "m"), "quoted");
  EXPECT_TRUE(r.has("name"));
  expect_usage_error([&] { r.check_all_used(); }, {"test.toml: name", "unknown key"});
  ConfigReader typo = reader("[train]\nepochs = 1\n", {"train.epochz=1"});
  typo.get_int("train.epochs", 1, 1, 10, "m");
  expect_usage_error([&] { typo.check_all_used(); }, {"--set train.epochz", "unknown key", "reads [train] epochs"});
}

TEST(ConfigReader, MalformedOverridesAreUsageErrors) {
  ConfigReader r = reader("");
  expect_usage_error([&] { r.set_override("train.epochs"); }, {"--set", "train.epochs", "key=value"});
  expect_usage_error([&] { r.set_override("=3"); }, {"--set"});
  expect_usage_error([&] { r.set_override("train..epochs=3"); }, {"--set", "train..epochs"});
  expect_usage_error([&] { r.set_override("train.=3"); }, {"--set", "train."});
  ConfigReader r2 = reader("[train]\nepochs = 2\n");
  expect_usage_error([&] { r2.set_override("train.epochs.x=3"); }, {"--set train.epochs.x", "epochs"});
}

TEST(ConfigReader, RenamedKeysMoveWithANoteAndBothIsAnError) {
  ConfigReader r = reader("[train]\nlearning_rates = [0.1, 0.05]\n");
  r.rename("train.learning_rates", "train.learning_rate");
  EXPECT_FALSE(r.has("train.learning_rates"));
  EXPECT_EQ(r.get_per_name("train.learning_rate", {1.0}, {"w1", "w2"}, 0, 10, "m"), (std::vector<double>{0.1, 0.05}));
  r.check_all_used();
  ConfigReader from_set = reader("", {"task.name=mnist"});
  from_set.rename("task.name", "data.dataset");
  expect_usage_error([&] { from_set.get_choice("data.dataset", "x", {"x"}, "m"); }, {"--set data.dataset"});
  ConfigReader both = reader("[task]\nname = \"a\"\n[data]\ndataset = \"b\"\n");
  expect_usage_error([&] { both.rename("task.name", "data.dataset"); }, {"task.name", "data.dataset"});
}

TEST(ConfigReader, PerNameValuesAsNumberListOrTable) {
  const std::vector<std::string> names = {"w_in", "w_rec", "w_out"};
  EXPECT_EQ(reader("r = 0.5\n").get_per_name("r", {1}, names, 0, 1, "m"), (std::vector<double>(3, 0.5)));
  EXPECT_EQ(reader("r = [1, 2, 3]\n").get_per_name("r", {1}, names, 0, 9, "m"), (std::vector<double>{1, 2, 3}));
  ConfigReader table = reader("[r]\nw_out = 3\nw_in = 1\nw_rec = 2\n");
  EXPECT_EQ(table.get_per_name("r", {1}, names, 0, 9, "m"), (std::vector<double>{1, 2, 3}));
  table.check_all_used();
  EXPECT_EQ(reader("").get_per_name("r", {0.25}, names, 0, 1, "m"), (std::vector<double>(3, 0.25)));
  expect_usage_error([] { reader("r = [1, 2]\n").get_per_name("r", {1}, {"w_in", "w_rec", "w_out"}, 0, 9, "m"); },
                     {"r", "needs 3 entries", "w_in, w_rec, w_out"});
  EXPECT_EQ(reader("[r]\nw_in = 2\n").get_per_name("r", {1, 0.5, 0.25}, names, 0, 9, "m"), (std::vector<double>{2, 0.5, 0.25}))
      << "a name the table leaves out keeps its default";
  expect_usage_error([] {
    reader("[r]\nw_in = 1\nw_rec = 1\nw_out = 1\nw_x = 1\n").get_per_name("r", {1}, {"w_in", "w_rec", "w_out"}, 0, 9, "m");
  }, {"r.w_x", "not a matrix"});
  expect_usage_error([] { reader("r = [1, -1, 1]\n").get_per_name("r", {1}, {"a", "b", "c"}, 0, 9, "m"); }, {"r", "[0, 9]"});
}

TEST(ConfigReader, ResolvedTomlHoldsEveryKeyReadWithItsValueAndReadsBackTheSame) {
  ConfigReader r = reader("[ep]\nleak = 0.3\n", {"name=odd \\ name", "seed=9223372036854775807"});
  r.get_double("ep.leak", 1.0, 0, 1, "m");
  r.get_double("ep.beta", 0.5, 0, 1, "m");
  r.get_string("name", "run", "m");
  r.get_int("seed", 1, 0, INT64_MAX, "m");
  r.get_int_list("network.hidden", {32, 16}, 1, 100, "m");
  r.get_per_name("train.learning_rate", {0.123456789, 1e-7}, {"w1", "w2"}, 0, 9, "m");
  const std::string text = r.resolved_toml();
  const toml::table parsed = toml::parse(text);
  EXPECT_EQ(parsed.at_path("ep.leak").value<double>(), 0.3) << "the value as given, not its float32: " << text;
  EXPECT_EQ(parsed.at_path("ep.beta").value<double>(), 0.5) << "defaults are resolved too: " << text;
  ConfigReader back = ConfigReader::from_string(text, "resolved.toml");
  back.get_double("ep.leak", 1.0, 0, 1, "m");
  back.get_double("ep.beta", 0.1, 0, 1, "m");
  back.get_string("name", "", "m");
  back.get_int("seed", 1, 0, INT64_MAX, "m");
  back.get_int_list("network.hidden", {1}, 1, 100, "m");
  back.get_per_name("train.learning_rate", {1}, {"w1", "w2"}, 0, 9, "m");
  back.check_all_used();
  EXPECT_EQ(back.resolved_toml(), text);
}

TEST(ConfigReader, KeyDocsRecordScopeTypeDefaultRangeAndMeaning) {
  ConfigReader r = reader("");
  {
    const ConfigReader::Scope scope(r, "substrate pcm");
    r.get_double("substrate.range", 1.0, 0, 1e6, "|w| at full conductance", true);
  }
  r.get_choice("algorithm", "ep", {"ep", "eprop"}, "the rule");
  ASSERT_EQ(r.key_docs().size(), 2u);
  const KeyDoc& d = r.key_docs()[0];
  EXPECT_EQ(d.key, "substrate.range");
  EXPECT_EQ(d.scope, "substrate pcm");
  EXPECT_EQ(d.type, "float");
  EXPECT_EQ(d.default_text, "1");
  EXPECT_EQ(d.range_text, "(0, 1e+06]");
  EXPECT_EQ(d.meaning, "\\|w\\| at full conductance") << "escaped for a Markdown table";
  EXPECT_EQ(r.key_docs()[1].scope, "every run");
  EXPECT_EQ(r.key_docs()[1].type, "`ep` \\| `eprop`");
}

TEST(ConfigReader, ExpandsPathVariables) {
  ScopedEnv data("PLASTICORE_DATA", "/d");
  ScopedEnv home("HOME", "/h");
  EXPECT_EQ(expand_path("${PLASTICORE_DATA}/x"), "/d/x");
  EXPECT_EQ(expand_path("${HOME}/a/${HOME}"), "/h/a//h");
  EXPECT_EQ(expand_path("~/y"), "/h/y");
  EXPECT_EQ(expand_path("/abs/~/z"), "/abs/~/z");
  EXPECT_EQ(expand_path("rel/path"), "rel/path");
  EXPECT_EQ(reader("p = \"~/imgs\"\n").get_path("p", "", "m"), "/h/imgs");
  EXPECT_EQ(reader("").get_path("p", "${PLASTICORE_DATA}/l", "m"), "/d/l");
  ScopedEnv no_data("PLASTICORE_DATA", std::nullopt);
  EXPECT_EQ(data_directory(), "/h/.cache/plasticore");
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("plasticore-test-config-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = (dir_ / name).string();
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

TEST_F(ConfigFileTest, MalformedMissingAndNonRegularFilesNameThemselves) {
  const std::string p = write("broken.toml", "name = \"ok\"\nthis is = = not toml [[[\n");
  expect_usage_error([&] { ConfigReader::from_file(p); }, {p + ":2:", "malformed TOML"});
  const std::string dup = write("dup.toml", "[train]\nepochs = 2\nepochs = 3\n");
  expect_usage_error([&] { ConfigReader::from_file(dup); }, {dup + ":3:", "epochs"});
  expect_usage_error([&] { ConfigReader::from_file((dir_ / "nope.toml").string()); }, {"nope.toml", "not found"});
  expect_usage_error([&] { ConfigReader::from_file(dir_.string()); }, {dir_.string(), "not a regular file"});
  expect_usage_error([] { ConfigReader::from_string("this is = = not toml [[[\n", "inline.toml"); },
                     {"inline.toml", "malformed TOML"});
}

TEST_F(ConfigFileTest, BadValueInFileNamesThePathNotSet) {
  const std::string p = write("neg.toml", "[train]\nepochs = -3\n");
  ConfigReader r = ConfigReader::from_file(p);
  try {
    r.get_int("train.epochs", 1, 1, 10, "m");
    ADD_FAILURE() << "negative epochs accepted";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(p + ": train.epochs"), std::string::npos) << what;
    EXPECT_EQ(what.find("--set"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace plasticore
