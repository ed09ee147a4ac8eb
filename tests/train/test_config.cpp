// Run configuration: ConfigReader (TOML + --set overrides + unknown-key detection) and
// read_run_config / to_toml. Every bad config is a one-line UsageError that names the key (and the
// file or "--set"), and the resolved config written to a run directory reads back unchanged.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "train/config_reader.hpp"
#include "train/run_config.hpp"
#include "train/sequence_config.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = PLASTICORE_SOURCE_DIR;

// Sets an environment variable for the lifetime of the object, restoring the old value afterwards.
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

RunConfig parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  ConfigReader r = ConfigReader::from_string(text, "test.toml");
  for (const auto& o : overrides) r.set_override(o);
  return read_run_config(r);
}

// Expects a UsageError whose one-line message contains every needle.
void expect_usage_error(const std::function<void()>& fn, const std::vector<std::string>& needles) {
  try {
    fn();
    ADD_FAILURE() << "expected a UsageError, nothing was thrown";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    for (const auto& n : needles) EXPECT_NE(what.find(n), std::string::npos) << "message '" << what << "' lacks '" << n << "'";
    EXPECT_EQ(what.find('\n'), std::string::npos) << "message is not one line: " << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected a UsageError, got another exception: " << e.what();
  }
}

void expect_bad(const std::string& text, const std::vector<std::string>& overrides, const std::vector<std::string>& needles) {
  SCOPED_TRACE("config '" + text + "'");
  expect_usage_error([&] { parse(text, overrides); }, needles);
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

std::vector<std::string> shipped_configs() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kSourceDir + "/configs"))
    if (e.path().extension() == ".toml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------- defaults and shipped configs

TEST(RunConfig, EmptyConfigGivesDocumentedDefaults) {
  ScopedEnv data("PLASTICORE_DATA", "/data/root");
  const RunConfig c = parse("");
  EXPECT_EQ(c.name, "run");
  EXPECT_EQ(c.algorithm, "ep");
  EXPECT_EQ(c.seed, 1u);
  EXPECT_EQ(c.threads, 1);  // one thread is fastest for batch-20 EP (docs/performance.md)
  EXPECT_EQ(c.data.dataset, "mnist");
  EXPECT_EQ(c.data.train_images, "/data/root/mnist/train-images-idx3-ubyte");
  EXPECT_EQ(c.data.train_labels, "/data/root/mnist/train-labels-idx1-ubyte");
  EXPECT_EQ(c.data.test_images, "/data/root/mnist/t10k-images-idx3-ubyte");
  EXPECT_EQ(c.data.test_labels, "/data/root/mnist/t10k-labels-idx1-ubyte");
  EXPECT_EQ(c.data.train_limit, 0);
  EXPECT_EQ(c.data.test_limit, 0);
  EXPECT_EQ(c.hidden, (std::vector<int>{500}));
  EXPECT_EQ(c.init_scale, (std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(c.learn.free_steps, 20);
  EXPECT_EQ(c.learn.nudged_steps, 4);
  EXPECT_EQ(c.learn.beta, 0.5f);
  EXPECT_EQ(c.learn.beta_sign, BetaSign::random);
  EXPECT_EQ(c.learn.rule, EPRule::end_of_phase);
  EXPECT_EQ(c.learn.self_correction, 1.0);
  EXPECT_EQ(c.relax.leak, 1.0f);
  EXPECT_EQ(c.relax.coding, SpikeCoding::rate);
  EXPECT_EQ(c.train.epochs, 1);
  EXPECT_EQ(c.train.batch_size, 20);
  EXPECT_EQ(c.train.learning_rates, (std::vector<double>{0.1, 0.05}));
  EXPECT_EQ(c.learn.learning_rates, c.train.learning_rates);
  EXPECT_EQ(c.train.lr_schedule, "constant");
  EXPECT_EQ(c.train.lr_final_factor, 0.1);
  EXPECT_EQ(c.substrate.kind, "ideal");
}

TEST(RunConfig, DefaultDataDirFallsBackToHomeCache) {
  ScopedEnv data("PLASTICORE_DATA", std::nullopt);
  ScopedEnv home("HOME", "/home/tester");
  const RunConfig c = parse("");
  EXPECT_EQ(c.data.train_images, "/home/tester/.cache/plasticore/mnist/train-images-idx3-ubyte");
}

TEST(RunConfig, EqSpikeDefaultsToSigmaDeltaAndFashionToItsOwnPaths) {
  const RunConfig c = parse("algorithm = \"eqspike\"\n[data]\ndataset = \"fashion_mnist\"\n");
  EXPECT_EQ(c.algorithm, "eqspike");
  EXPECT_EQ(c.relax.coding, SpikeCoding::sigma_delta);
  EXPECT_EQ(c.data.train_images, "/usr/share/dataset-fashion-mnist/train-images-idx3-ubyte");
  EXPECT_EQ(c.data.test_labels, "/usr/share/dataset-fashion-mnist/t10k-labels-idx1-ubyte");
}

TEST(RunConfig, ExpandsPathVariables) {
  ScopedEnv data("PLASTICORE_DATA", "/d");
  ScopedEnv home("HOME", "/h");
  EXPECT_EQ(expand_path("${PLASTICORE_DATA}/x"), "/d/x");
  EXPECT_EQ(expand_path("${HOME}/a/${HOME}"), "/h/a//h");
  EXPECT_EQ(expand_path("~/y"), "/h/y");
  EXPECT_EQ(expand_path("/abs/~/z"), "/abs/~/z");
  EXPECT_EQ(expand_path("rel/path"), "rel/path");
  const RunConfig c = parse("[data]\ntrain_images = \"~/imgs\"\ntest_labels = \"${PLASTICORE_DATA}/l\"\n");
  EXPECT_EQ(c.data.train_images, "/h/imgs");
  EXPECT_EQ(c.data.test_labels, "/d/l");
}

TEST(RunConfig, EveryShippedConfigParses) {
  const auto files = shipped_configs();
  ASSERT_FALSE(files.empty()) << "no configs/*.toml under " << kSourceDir;
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    ConfigReader r = ConfigReader::from_file(f);
    EXPECT_EQ(r.source(), f);
    if (ConfigReader peek = ConfigReader::from_file(f);
        is_sequence_algorithm(peek.get_string("algorithm", "ep", {"ep", "eqspike", "eprop", "bptt"}))) {
      SequenceRunConfig sc;  // e-prop / BPTT on a sequence task: its own reader, the same round trip
      ASSERT_NO_THROW(sc = read_sequence_config(r));
      ConfigReader again = ConfigReader::from_string(to_toml(sc), f + " (resolved)");
      EXPECT_EQ(to_toml(read_sequence_config(again)), to_toml(sc));
      continue;
    }
    RunConfig c;
    ASSERT_NO_THROW(c = read_run_config(r));
    EXPECT_FALSE(c.name.empty());
    EXPECT_GE(c.train.epochs, 1);
    EXPECT_EQ(c.train.learning_rates.size(), c.hidden.size() + 1);
    EXPECT_EQ(c.init_scale.size(), c.hidden.size() + 1);
    // The resolved config reads back to the same resolved config.
    ConfigReader again = ConfigReader::from_string(to_toml(c), f + " (resolved)");
    EXPECT_EQ(to_toml(read_run_config(again)), to_toml(c));
  }
}

TEST(RunConfig, ShippedEpConfigHasItsValues) {
  ConfigReader r = ConfigReader::from_file(kSourceDir + "/configs/ep_mnist.toml");
  const RunConfig c = read_run_config(r);
  EXPECT_EQ(c.name, "ep_mnist");
  EXPECT_EQ(c.algorithm, "ep");
  EXPECT_EQ(c.hidden, (std::vector<int>{500}));
  EXPECT_EQ(c.train.epochs, 30);
  EXPECT_EQ(c.train.lr_schedule, "cosine");
  EXPECT_EQ(c.relax.coding, SpikeCoding::rate);
}

// ---------------------------------------------------------------- overrides

TEST(RunConfig, OverridesReplaceFileValues) {
  const std::string file = "seed = 3\n[train]\nepochs = 30\nlearning_rates = [0.1, 0.05]\n[ep]\nbeta = 0.5\n";
  const RunConfig c = parse(file, {"train.epochs=3", "ep.beta=0.25", "seed=42", "network.hidden=[32, 16]",
                                   "train.learning_rates=[0.2, 0.1, 0.05]", "network.init_scale=[1, 0.5, 0.5]",
                                   "ep.rule=\"two_factor\"", "train.lr_schedule=cosine", "name=my-run"});
  EXPECT_EQ(c.train.epochs, 3);
  EXPECT_EQ(c.learn.beta, 0.25f);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.hidden, (std::vector<int>{32, 16}));
  EXPECT_EQ(c.train.learning_rates, (std::vector<double>{0.2, 0.1, 0.05}));
  EXPECT_EQ(c.learn.learning_rates, c.train.learning_rates);
  EXPECT_EQ(c.init_scale, (std::vector<double>{1.0, 0.5, 0.5}));  // integers accepted in float lists
  EXPECT_EQ(c.learn.rule, EPRule::two_factor);
  EXPECT_EQ(c.train.lr_schedule, "cosine");  // bare string
  EXPECT_EQ(c.name, "my-run");
}

TEST(RunConfig, LaterOverrideWins) {
  EXPECT_EQ(parse("", {"train.epochs=2", "train.epochs=5"}).train.epochs, 5);
}

TEST(RunConfig, IntegerAcceptedWhereFloatExpected) {
  const RunConfig c = parse("", {"ep.beta=1", "train.lr_final_factor=0"});
  EXPECT_EQ(c.learn.beta, 1.0f);
  EXPECT_EQ(c.train.lr_final_factor, 0.0);
}

TEST(RunConfig, PathOverrideNeedsNoQuotes) {
  const RunConfig c = parse("", {"data.train_images=/tmp/some dir/train-images-idx3-ubyte",
                                 "data.test_images=relative/t10k-images-idx3-ubyte",
                                 "data.train_labels=\"/quoted/labels\""});
  EXPECT_EQ(c.data.train_images, "/tmp/some dir/train-images-idx3-ubyte");
  EXPECT_EQ(c.data.test_images, "relative/t10k-images-idx3-ubyte");
  EXPECT_EQ(c.data.train_labels, "/quoted/labels");
}

TEST(RunConfig, OverrideCreatesMissingTables) {
  // The file has no [train] or [data] table; --set creates them.
  const RunConfig c = parse("name = \"x\"\n", {"train.epochs=4", "data.test_limit=10"});
  EXPECT_EQ(c.train.epochs, 4);
  EXPECT_EQ(c.data.test_limit, 10);
  // A brand-new nested key is created too, and then rejected as unknown, naming --set.
  expect_bad("", {"brand.new.key=1"}, {"--set brand.new.key", "unknown key"});
}

TEST(RunConfig, HasSeesFileValuesAndOverrides) {
  ConfigReader r = ConfigReader::from_string("[train]\nepochs = 2\n", "t.toml");
  EXPECT_TRUE(r.has("train.epochs"));
  EXPECT_FALSE(r.has("train.batch_size"));
  r.set_override("a.b.c=1");
  EXPECT_TRUE(r.has("a.b.c"));
  EXPECT_TRUE(r.has("a.b"));
}

TEST(RunConfig, MalformedOverridesAreUsageErrors) {
  ConfigReader r = ConfigReader::from_string("", "t.toml");
  expect_usage_error([&] { r.set_override("train.epochs"); }, {"--set", "train.epochs", "key=value"});
  expect_usage_error([&] { r.set_override("=3"); }, {"--set"});
  expect_usage_error([&] { r.set_override("train..epochs=3"); }, {"--set", "train..epochs"});
  expect_usage_error([&] { r.set_override("train.=3"); }, {"--set", "train."});
  // A scalar cannot hold a sub-key.
  ConfigReader r2 = ConfigReader::from_string("[train]\nepochs = 2\n", "t.toml");
  expect_usage_error([&] { r2.set_override("train.epochs.x=3"); }, {"--set train.epochs.x", "epochs"});
}

// ---------------------------------------------------------------- errors name the key

TEST(RunConfig, UnknownKeyInFileNamesFileAndKey) {
  expect_bad("[train]\nepochz = 3\n", {}, {"test.toml", "train.epochz", "unknown key"});
  expect_bad("colour = \"red\"\n", {}, {"test.toml", "colour", "unknown key"});
  expect_bad("[network]\nhidden = [10]\ninit_scale = [1, 1]\nwidth = 3\n", {}, {"test.toml", "network.width"});
}

TEST(RunConfig, UnknownKeyViaSetMentionsSet) {
  expect_bad("", {"train.epochz=1"}, {"--set", "train.epochz", "unknown key"});
  expect_bad("[train]\nepochs = 1\n", {"bogus=1"}, {"--set bogus", "unknown key"});
}

TEST(RunConfig, WrongTypeNamesTheKey) {
  expect_bad("", {"data.train_limit=lots"}, {"--set data.train_limit", "integer", "lots"});
  expect_bad("[data]\ntrain_limit = 1.5\n", {}, {"test.toml", "data.train_limit", "integer"});
  expect_bad("", {"train.epochs=3.0"}, {"train.epochs", "integer"});
  expect_bad("", {"ep.beta=big"}, {"--set ep.beta", "number"});
  expect_bad("", {"name=5"}, {"--set name", "string"});
  expect_bad("", {"network.hidden=32"}, {"--set network.hidden", "list"});
  expect_bad("", {"network.hidden=[32, \"a\"]"}, {"--set network.hidden", "integers"});
  expect_bad("", {"network.hidden=[]"}, {"--set network.hidden", "non-empty"});
  expect_bad("", {"train.learning_rates=0.1"}, {"--set train.learning_rates", "list"});
  expect_bad("", {"train.learning_rates=[0.1, true]"}, {"--set train.learning_rates", "numbers"});
  expect_bad("", {"data.train_images=3"}, {"--set data.train_images", "string"});
}

TEST(RunConfig, UnknownEnumValueNamesKeyAndChoices) {
  expect_bad("", {"algorithm=bp"}, {"--set algorithm", "'bp'", "ep", "eqspike"});
  expect_bad("[ep]\nrule = \"hebb\"\n", {}, {"test.toml", "ep.rule", "'hebb'", "two_factor"});
  expect_bad("", {"substrate.kind=optical"}, {"--set substrate.kind", "optical", "memristor"});
  expect_bad("", {"data.dataset=cifar"}, {"--set data.dataset", "cifar"});
  expect_bad("", {"ep.spike_coding=sigma_delta"}, {"ep.spike_coding", "eqspike"});  // ep is rate-only
}

TEST(RunConfig, EpochsMustBePositive) {
  expect_bad("", {"train.epochs=-3"}, {"--set train.epochs", "-3"});
  expect_bad("", {"train.epochs=0"}, {"--set train.epochs", "0"});
  expect_bad("[train]\nepochs = -1\n", {}, {"test.toml", "train.epochs"});
  EXPECT_EQ(parse("", {"train.epochs=1"}).train.epochs, 1);
}

TEST(RunConfig, RangesAreChecked) {
  expect_bad("", {"ep.beta=0"}, {"--set ep.beta", "(0"});
  expect_bad("", {"ep.beta=-0.5"}, {"--set ep.beta"});
  expect_bad("", {"ep.leak=0"}, {"--set ep.leak"});
  expect_bad("", {"ep.leak=1.5"}, {"--set ep.leak"});
  expect_bad("", {"train.batch_size=0"}, {"--set train.batch_size"});
  expect_bad("", {"data.test_limit=-1"}, {"--set data.test_limit"});
  expect_bad("", {"seed=-1"}, {"--set seed"});
  expect_bad("", {"threads=-2"}, {"--set threads"});
  expect_bad("", {"network.hidden=[0]"}, {"--set network.hidden"});
  expect_bad("", {"network.init_scale=[1, 0]"}, {"--set network.init_scale"});
  expect_bad("", {"train.learning_rates=[0.1, -0.05]"}, {"--set train.learning_rates"});
  expect_bad("", {"train.lr_final_factor=2"}, {"--set train.lr_final_factor"});
  EXPECT_EQ(parse("", {"ep.beta=100"}).learn.beta, 100.0f);  // inclusive max
  EXPECT_EQ(parse("", {"train.learning_rates=[0, 0]"}).train.learning_rates, (std::vector<double>{0, 0}));
}

TEST(RunConfig, NanAndInfinityAreRejected) {
  expect_bad("", {"train.epochs=nan"}, {"--set train.epochs"});
  expect_bad("", {"ep.beta=nan"}, {"--set ep.beta", "finite"});
  expect_bad("", {"ep.beta=inf"}, {"--set ep.beta", "finite"});
  expect_bad("", {"ep.self_correction=-nan"}, {"--set ep.self_correction"});
  expect_bad("[ep]\nleak = nan\n", {}, {"test.toml", "ep.leak", "finite"});
  expect_bad("", {"train.learning_rates=[nan, 0.1]"}, {"--set train.learning_rates", "finite"});
  expect_bad("", {"network.init_scale=[1, inf]"}, {"--set network.init_scale"});
}

TEST(RunConfig, ListLengthsMustMatchTheLayers) {
  expect_bad("", {"train.learning_rates=[0.1]"}, {"train.learning_rates", "2", "1"});
  expect_bad("", {"train.learning_rates=[0.1, 0.1, 0.1]"}, {"train.learning_rates"});
  expect_bad("", {"network.hidden=[32, 16]"}, {"train.learning_rates", "3"});
  expect_bad("", {"network.hidden=[32, 16]", "train.learning_rates=[1, 1, 1]"}, {"network.init_scale", "3"});
  expect_bad("[train]\nlearning_rates = [0.1]\n", {}, {"test.toml", "train.learning_rates"});
}

TEST(RunConfig, MalformedTomlStringNamesTheSource) {
  expect_usage_error([] { ConfigReader::from_string("this is = = not toml [[[\n", "inline.toml"); },
                     {"inline.toml", "malformed TOML"});
}

// ---------------------------------------------------------------- files

TEST_F(ConfigFileTest, MalformedTomlFileNamesFileAndPosition) {
  const std::string p = write("broken.toml", "name = \"ok\"\nthis is = = not toml [[[\n");
  expect_usage_error([&] { ConfigReader::from_file(p); }, {p + ":2:", "malformed TOML"});
  const std::string dup = write("dup.toml", "[train]\nepochs = 2\nepochs = 3\n");
  expect_usage_error([&] { ConfigReader::from_file(dup); }, {dup + ":3:", "epochs"});
  const std::string unterminated = write("unterminated.toml", "name = \"never closed\n");
  expect_usage_error([&] { ConfigReader::from_file(unterminated); }, {unterminated, "malformed TOML"});
}

TEST_F(ConfigFileTest, MissingFileIsUsageErrorNamingIt) {
  const std::string p = (dir_ / "nope.toml").string();
  expect_usage_error([&] { ConfigReader::from_file(p); }, {p, "not found"});
}

TEST_F(ConfigFileTest, UnknownKeyInFileNamesThePath) {
  const std::string p = write("typo.toml", "[train]\nepochz = 1\n");
  ConfigReader r = ConfigReader::from_file(p);
  expect_usage_error([&] { read_run_config(r); }, {p, "train.epochz", "unknown key"});
}

TEST_F(ConfigFileTest, BadValueInFileNamesThePathNotSet) {
  const std::string p = write("neg.toml", "[train]\nepochs = -3\n");
  ConfigReader r = ConfigReader::from_file(p);
  try {
    read_run_config(r);
    ADD_FAILURE() << "negative epochs accepted";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(p), std::string::npos) << what;
    EXPECT_NE(what.find("train.epochs"), std::string::npos) << what;
    EXPECT_EQ(what.find("--set"), std::string::npos) << what;
  }
}

TEST_F(ConfigFileTest, FileAndOverridesCombine) {
  const std::string p = write("c.toml", "name = \"file\"\n[train]\nepochs = 7\nbatch_size = 5\n");
  ConfigReader r = ConfigReader::from_file(p);
  r.set_override("train.epochs=2");
  const RunConfig c = read_run_config(r);
  EXPECT_EQ(c.name, "file");
  EXPECT_EQ(c.train.epochs, 2);
  EXPECT_EQ(c.train.batch_size, 5);
}

// BUG (reported, not fixed): a directory passes the exists() check, toml++ reads it as an empty
// document, and `plasticore train some_dir/` silently trains with every default. Enable once fixed.
TEST_F(ConfigFileTest, DirectoryIsNotAConfig) {
  expect_usage_error([&] { ConfigReader::from_file(dir_.string()); }, {dir_.string()});
}

// ---------------------------------------------------------------- to_toml round trip

TEST(RunConfig, ResolvedTomlReadsBackIdentically) {
  const std::vector<std::vector<std::string>> variants = {
      {},
      {"algorithm=eqspike", "ep.rule=two_factor", "ep.leak=0.3", "ep.beta=0.3", "ep.beta_sign=symmetric",
       "ep.self_correction=0.7", "ep.spike_coding=bernoulli"},
      {"network.hidden=[32, 16]", "train.learning_rates=[0.123456789, 1e-7, 3]", "network.init_scale=[0.1, 0.2, 0.3]",
       "train.lr_schedule=cosine", "train.lr_final_factor=0.333", "seed=9223372036854775807", "threads=3",
       "data.train_images=/p/with space/and'quote\"/x", "data.train_limit=2147483647", "data.test_limit=17",
       "name=odd \\ name", "data.dataset=fashion_mnist", "train.epochs=100000", "train.batch_size=7",
       "ep.free_steps=100000", "ep.nudged_steps=1"},
  };
  for (const auto& overrides : variants) {
    const RunConfig c = parse("", overrides);
    const std::string text = to_toml(c);
    SCOPED_TRACE(text);
    ConfigReader r = ConfigReader::from_string(text, "resolved.toml");
    RunConfig back;
    ASSERT_NO_THROW(back = read_run_config(r));
    EXPECT_EQ(to_toml(back), text);
    EXPECT_EQ(back.name, c.name);
    EXPECT_EQ(back.seed, c.seed);
    EXPECT_EQ(back.data.train_images, c.data.train_images);
    EXPECT_EQ(back.hidden, c.hidden);
    EXPECT_EQ(back.train.learning_rates, c.train.learning_rates);  // bit-exact doubles
    EXPECT_EQ(back.init_scale, c.init_scale);
    EXPECT_EQ(back.learn.beta, c.learn.beta);
    EXPECT_EQ(back.relax.leak, c.relax.leak);
    EXPECT_EQ(back.relax.coding, c.relax.coding);
    EXPECT_EQ(back.learn.rule, c.learn.rule);
    EXPECT_EQ(back.learn.beta_sign, c.learn.beta_sign);
  }
}

TEST(RunConfig, ResolvedTomlReflectsTheValues) {
  const std::string text = to_toml(parse("", {"train.epochs=3", "network.hidden=[32]", "name=abc"}));
  EXPECT_NE(text.find("epochs = 3"), std::string::npos) << text;
  EXPECT_NE(text.find("abc"), std::string::npos) << text;
  EXPECT_NE(text.find("32"), std::string::npos) << text;
  EXPECT_NE(to_toml(parse("", {"train.epochs=4"})), to_toml(parse("", {"train.epochs=3"})));
}

}  // namespace
}  // namespace plasticore
