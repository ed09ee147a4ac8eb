// A run's config through the registries (train/run.hpp read_run_spec): the documented defaults of every
// algorithm and dataset, every shipped config parses and its resolved config reads back to itself,
// each substrate kind reads its own keys, renamed keys still work, and every bad value is a one-line
// UsageError naming the key and the file or --set.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "core/error.hpp"
#include "train/run.hpp"
#include "../support/expect_error.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = PLASTICORE_SOURCE_DIR;

RunSpec parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  ConfigReader r = ConfigReader::from_string(text, "test.toml");
  for (const auto& o : overrides) r.set_override(o);
  return read_run_spec(r);
}

// The resolved config of a spec as a table, to look at the values the readers settled on.
toml::table resolved(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return toml::parse(parse(text, overrides).config_toml);
}

template <typename T>
T at(const toml::table& t, const std::string& key) {
  const auto v = t.at_path(key).value<T>();
  EXPECT_TRUE(v.has_value()) << key << " is not in the resolved config";
  return v.value_or(T{});
}

void expect_bad(const std::string& text, const std::vector<std::string>& overrides, const std::vector<std::string>& needles) {
  SCOPED_TRACE("config '" + text + "'");
  expect_usage_error([&] { parse(text, overrides); }, needles);
}

TEST(RunSpec, EmptyConfigGivesTheDocumentedEpDefaults) {
  ::setenv("PLASTICORE_DATA", "/data/root", 1);
  const RunSpec s = parse("");
  ::unsetenv("PLASTICORE_DATA");
  EXPECT_EQ(s.name, "run");
  EXPECT_EQ(s.algorithm, "ep");
  EXPECT_EQ(s.dataset, "mnist");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.threads, 1);  // one thread: docs/performance.md, "Threads"
  EXPECT_EQ(s.substrate.kind, "ideal");
  EXPECT_EQ(s.trainer.epochs, 1);
  EXPECT_EQ(s.trainer.batch_size, 20);
  EXPECT_EQ(s.trainer.lr_schedule, "constant");
  EXPECT_EQ(s.trainer.seconds_per_update, 0.0) << "an ideal substrate has no clock";
  const toml::table t = toml::parse(s.config_toml);
  EXPECT_EQ(at<std::string>(t, "data.train_images"), "/data/root/mnist/train-images-idx3-ubyte");
  EXPECT_EQ(at<int64_t>(t, "data.train_limit"), 0);
  EXPECT_EQ(at<int64_t>(t, "ep.free_steps"), 20);
  EXPECT_EQ(at<int64_t>(t, "ep.nudged_steps"), 4);
  EXPECT_EQ(at<double>(t, "ep.beta"), 0.5);
  EXPECT_EQ(at<std::string>(t, "ep.beta_sign"), "random");
  EXPECT_EQ(at<std::string>(t, "ep.rule"), "end_of_phase");
  EXPECT_EQ(at<std::string>(t, "ep.spike_coding"), "rate");
  EXPECT_EQ(at<std::string>(t, "train.optimizer"), "sgd");
  const auto* rates = t.at_path("train.learning_rate").as_array();
  ASSERT_NE(rates, nullptr);
  EXPECT_EQ(rates->size(), 2u);
  EXPECT_FALSE(t.at_path("ep.self_correction")) << "end_of_phase does not read the two-factor rule's keys";
}

TEST(RunSpec, DefaultsFollowTheAlgorithmAndTheDataset) {
  EXPECT_EQ(at<std::string>(resolved("algorithm = \"eqspike\"\n"), "ep.spike_coding"), "sigma_delta");
  const toml::table fashion = resolved("[data]\ndataset = \"fashion_mnist\"\n");
  // scripts/setup.sh unpacks Debian's gzipped files into the data directory, where the default looks.
  EXPECT_EQ(at<std::string>(fashion, "data.test_labels"), data_directory() + "/fashion_mnist/t10k-labels-idx1-ubyte");
  // e-prop: Bellec et al.'s settings per task.
  const RunSpec sine = parse("algorithm = \"eprop\"\n");
  EXPECT_EQ(sine.dataset, "pattern_generation");
  EXPECT_EQ(sine.trainer.batch_size, 1);
  const toml::table s = toml::parse(sine.config_toml);
  EXPECT_EQ(at<int64_t>(s, "task.steps"), 1000);
  EXPECT_EQ(at<double>(s, "train.learning_rate"), 0.003);
  EXPECT_EQ(at<std::string>(s, "train.optimizer"), "adam");
  EXPECT_EQ(at<int64_t>(s, "network.adaptive"), 0);
  const RunSpec evidence = parse("algorithm = \"bptt\"\n[data]\ndataset = \"evidence_accumulation\"\n");
  EXPECT_EQ(evidence.trainer.batch_size, 32);
  const toml::table e = toml::parse(evidence.config_toml);
  EXPECT_EQ(at<int64_t>(e, "task.steps"), 2250);
  EXPECT_EQ(at<int64_t>(e, "network.adaptive"), 50);
  EXPECT_EQ(at<int64_t>(e, "data.train_limit"), 64);
  EXPECT_FALSE(e.at_path("train.feedback")) << "BPTT has no feedback";
  const toml::table mnist = resolved("algorithm = \"eprop\"\n[data]\ndataset = \"mnist\"\n");
  EXPECT_EQ(at<int64_t>(mnist, "task.steps"), 140);
  EXPECT_EQ(at<int64_t>(mnist, "task.decision_steps"), 28);
}

std::vector<std::string> shipped_configs() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kSourceDir + "/configs"))
    if (e.path().extension() == ".toml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RunSpec, EveryShippedConfigParsesWithoutRenamedKeysAndRoundTrips) {
  const auto files = shipped_configs();
  ASSERT_GE(files.size(), 10u) << "configs/*.toml under " << kSourceDir;
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    ConfigReader r = ConfigReader::from_file(f);
    for (const char* old : {"train.learning_rates", "task.name", "network.dt_ms", "network.input_scale",
                            "network.recurrent_scale", "network.readout_scale"})
      EXPECT_FALSE(r.has(old)) << "a shipped config uses the renamed key " << old;
    RunSpec s;
    ASSERT_NO_THROW(s = read_run_spec(r));
    EXPECT_FALSE(s.name.empty());
    EXPECT_GE(s.trainer.epochs, 1);
    ConfigReader again = ConfigReader::from_string(s.config_toml, f + " (resolved)");
    EXPECT_EQ(read_run_spec(again).config_toml, s.config_toml);
  }
}

TEST(RunSpec, RenamedKeysStillWork) {
  const toml::table t = resolved("algorithm = \"eprop\"\n[task]\nname = \"evidence_accumulation\"\n[network]\ndt_ms = 2.0\n"
                                 "recurrent_scale = 0.25\n[train]\nlearning_rates = 0.01\n");
  EXPECT_EQ(at<std::string>(t, "data.dataset"), "evidence_accumulation");
  EXPECT_EQ(at<double>(t, "network.init_scale.w_rec"), 0.25);
  EXPECT_EQ(at<double>(t, "network.init_scale.w_in"), 1.0) << "the others keep their defaults";
  EXPECT_EQ(at<double>(t, "task.dt_ms"), 2.0);
  EXPECT_EQ(at<double>(t, "train.learning_rate"), 0.01);
  EXPECT_FALSE(t.at_path("task.name"));
}

TEST(RunSpec, LearningRatesAsNumberListOrTableForEveryRule) {
  EXPECT_EQ(at<double>(resolved("", {"train.learning_rate=0.2"}), "train.learning_rate"), 0.2);
  const toml::table table = resolved("algorithm = \"eprop\"\n", {"train.learning_rate.w_in=0.01",
                                                                 "train.learning_rate.w_rec=0.02",
                                                                 "train.learning_rate.w_out=0.03"});
  EXPECT_EQ(at<double>(table, "train.learning_rate.w_rec"), 0.02);
  expect_bad("", {"train.learning_rate=[0.1]"}, {"train.learning_rate", "needs 2 entries", "w1, w2"});
  expect_bad("", {"network.hidden=[32, 16]", "train.learning_rate=[1, 1]"}, {"train.learning_rate", "3"});
  const toml::table partial = resolved("algorithm = \"eprop\"\n", {"train.learning_rate.w_out=0.001"});
  EXPECT_EQ(at<double>(partial, "train.learning_rate.w_out"), 0.001);
  EXPECT_EQ(at<double>(partial, "train.learning_rate.w_in"), 0.003) << "a matrix the table leaves out keeps the default";
  expect_bad("algorithm = \"eprop\"\n", {"train.learning_rate.w_hidden=0.01"}, {"train.learning_rate.w_hidden", "not a matrix"});
  EXPECT_NO_THROW(parse("", {"train.optimizer=adam"})) << "Adam for EP";
}

TEST(RunSpec, EachSubstrateKindReadsItsOwnKeys) {
  const std::vector<std::string> device = {"substrate.kind=pcm", "substrate.update=multi_device",
                                           "substrate.devices_per_sign=3", "substrate.tile_size=128",
                                           "substrate.adc_bits=8", "substrate.seconds_per_update=2.5",
                                           "substrate.range=0.4", "substrate.refresh=false"};
  for (const std::string base : {"seed = 7\n", "algorithm = \"eprop\"\nseed = 7\n"}) {
    const RunSpec s = parse(base, device);
    EXPECT_EQ(s.substrate.kind, "pcm");
    EXPECT_EQ(s.substrate.update.scheme, UpdateScheme::multi_device);
    EXPECT_EQ(s.substrate.update.devices_per_sign, 3);
    EXPECT_EQ(s.substrate.periphery.tile_size, 128);
    EXPECT_EQ(s.substrate.periphery.adc_bits, 8);
    EXPECT_DOUBLE_EQ(s.trainer.seconds_per_update, 2.5);
    EXPECT_FALSE(s.substrate.mapping.automatic);  // a given range means a fixed mapping
    EXPECT_DOUBLE_EQ(s.substrate.mapping.range, 0.4);
    EXPECT_FALSE(s.substrate.update.refresh);
    EXPECT_EQ(s.substrate.seed, 7u);
  }
  expect_bad("", {"substrate.bits=4"}, {"--set substrate.bits", "unknown key"});  // an ideal substrate has no bits
  expect_bad("", {"substrate.kind=pcm", "substrate.bits=4"}, {"substrate.bits", "unknown key"});
  expect_bad("", {"substrate.kind=quantized", "substrate.update=sign"}, {"substrate.update", "unknown key"});
  EXPECT_EQ(parse("", {"substrate.kind=quantized", "substrate.bits=4"}).substrate.quantized.bits, 4);
}

TEST(RunSpec, HardwareInTheLoopReadsItsPolicyAndNoUpdateScheme) {
  const RunSpec s = parse("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop",
                               "substrate.reprogram=every_n", "substrate.reprogram_every=5"});
  EXPECT_TRUE(s.substrate.hardware_in_the_loop.enabled);
  EXPECT_EQ(s.substrate.hardware_in_the_loop.policy, ReprogramPolicy::every_n);
  EXPECT_EQ(s.substrate.hardware_in_the_loop.every_n, 5);
  EXPECT_TRUE(s.substrate.mapping.automatic);
  const RunSpec q = parse("", {"substrate.kind=quantized", "substrate.bits=4", "substrate.training=hardware_in_the_loop"});
  EXPECT_EQ(q.substrate.hardware_in_the_loop.policy, ReprogramPolicy::every_update);
  expect_bad("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop", "substrate.update=sign"},
             {"substrate.update", "unknown key"});
  expect_bad("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop", "substrate.reprogram=often"},
             {"substrate.reprogram"});
  // The threshold policy (devices' default) compares with the chip read back unless told to trust the target,
  // at half a step unless told otherwise (the choice made on held-out data, docs/hardware.md).
  const RunSpec t = parse("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop"});
  EXPECT_EQ(t.substrate.hardware_in_the_loop.policy, ReprogramPolicy::threshold);
  EXPECT_TRUE(t.substrate.hardware_in_the_loop.read_back);
  EXPECT_EQ(t.substrate.hardware_in_the_loop.threshold, 0.5);
  EXPECT_EQ(parse("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop", "substrate.reprogram_threshold=1"})
                .substrate.hardware_in_the_loop.threshold,
            1.0);
  EXPECT_FALSE(parse("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop", "substrate.reprogram_reference=target"})
                   .substrate.hardware_in_the_loop.read_back);
  expect_bad("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop", "substrate.reprogram_reference=host"},
             {"substrate.reprogram_reference"});
  EXPECT_EQ(parse("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop", "substrate.program_bits=4"})
                .substrate.hardware_in_the_loop.program_bits,
            4);
  expect_bad("", {"substrate.kind=pcm", "substrate.training=hardware_in_the_loop", "substrate.program_bits=1"},
             {"substrate.program_bits", "only the sign"});  // no level to round to
}

TEST(RunSpec, EachMatrixCanHaveItsOwnSubstrate) {
  const RunSpec s = parse("algorithm = \"eprop\"\n[substrate]\nkind = \"pcm\"\n[substrate.matrices.w_out]\nkind = \"quantized\"\nbits = 4\n", {});
  EXPECT_EQ(s.substrate.kind, "pcm");
  ASSERT_EQ(s.substrate.matrices.count("w_out"), 1u);
  EXPECT_EQ(s.substrate.matrices.at("w_out").kind, "quantized");
  EXPECT_EQ(s.substrate.matrices.at("w_out").quantized.bits, 4);
  const auto factory = substrate_factory(s.substrate);
  EXPECT_EQ(factory("w_out", 2, 3)->kind(), "quantized");
  EXPECT_EQ(factory("w_rec", 3, 3)->kind(), "pcm");
  EXPECT_THROW(check_matrix_names(s.substrate, {"w_in", "w_rec"}), UsageError);
  EXPECT_NO_THROW(check_matrix_names(s.substrate, {"w_in", "w_rec", "w_out"}));
  expect_bad("[substrate.matrices.w_out]\nkind = \"quantized\"\nbitz = 4\n", {}, {"substrate.matrices.w_out.bitz", "unknown key"});
}

TEST(RunSpec, ChangingAnImplementationWithSetLeavesTheFilesOtherKeysOut) {
  // The file's two-factor and PCM keys are not read once --set picks end_of_phase and an ideal substrate.
  const std::string file = "algorithm = \"eqspike\"\n[ep]\nrule = \"two_factor\"\ntrace_rate = 0.3\n"
                           "[substrate]\nkind = \"pcm\"\nadc_bits = 8\n";
  EXPECT_NO_THROW(parse(file, {"ep.rule=end_of_phase", "substrate.kind=ideal"}));
  const toml::table t = resolved(file, {"ep.rule=end_of_phase", "substrate.kind=ideal"});
  EXPECT_FALSE(t.at_path("ep.trace_rate")) << "config.toml holds what the run read";
  EXPECT_FALSE(t.at_path("substrate.adc_bits"));
  // Without such a --set they are errors, and a --set key nobody reads always is.
  expect_bad("[ep]\ntrace_rate = 0.3\n", {}, {"ep.trace_rate", "unknown key"});
  expect_bad(file, {"ep.rule=end_of_phase", "ep.bogus=1"}, {"--set ep.bogus", "unknown key"});
}

TEST(RunSpec, BadValuesNameTheirKey) {
  expect_bad("[train]\nepochz = 3\n", {}, {"test.toml", "train.epochz", "unknown key"});
  expect_bad("colour = \"red\"\n", {}, {"test.toml", "colour", "unknown key"});
  expect_bad("", {"train.epochz=1"}, {"--set", "train.epochz", "unknown key"});
  expect_bad("", {"brand.new.key=1"}, {"--set brand.new.key", "unknown key"});
  expect_bad("", {"data.train_limit=lots"}, {"--set data.train_limit", "integer", "lots"});
  expect_bad("", {"train.epochs=3.0"}, {"train.epochs", "integer"});
  expect_bad("", {"ep.beta=big"}, {"--set ep.beta", "number"});
  expect_bad("", {"network.hidden=[32, \"a\"]"}, {"--set network.hidden", "integers"});
  expect_bad("", {"algorithm=bp"}, {"--set algorithm", "'bp'", "eqspike", "eprop"});
  expect_bad("[ep]\nrule = \"hebb\"\n", {}, {"test.toml", "ep.rule", "'hebb'", "two_factor"});
  expect_bad("", {"substrate.kind=optical"}, {"--set substrate.kind", "optical", "memristor"});
  expect_bad("", {"substrate.kind=pcm", "substrate.drift_compensation=true"}, {"substrate.drift_compensation", "inference"});
  expect_bad("", {"data.dataset=cifar"}, {"--set data.dataset", "cifar", "evidence_accumulation"});
  expect_bad("", {"ep.spike_coding=sigma_delta"}, {"ep.spike_coding", "eqspike"});  // ep is rate-only
  expect_bad("", {"data.dataset=pattern_generation"}, {"data.dataset", "sequence task", "eprop"});
  expect_bad("algorithm = \"bptt\"\n", {"train.feedback=random"}, {"train.feedback", "e-prop only"});
  expect_bad("", {"train.epochs=-3"}, {"--set train.epochs", "-3"});
  expect_bad("", {"train.epochs=nan"}, {"--set train.epochs"});
  expect_bad("", {"ep.beta=0"}, {"--set ep.beta", "(0"});
  expect_bad("", {"ep.beta=inf"}, {"--set ep.beta", "finite"});
  expect_bad("", {"ep.leak=1.5"}, {"--set ep.leak"});
  expect_bad("", {"train.batch_size=0"}, {"--set train.batch_size"});
  expect_bad("", {"data.test_limit=-1"}, {"--set data.test_limit"});
  expect_bad("", {"seed=-1"}, {"--set seed"});
  expect_bad("", {"threads=-2"}, {"--set threads"});
  expect_bad("", {"network.hidden=[0]"}, {"--set network.hidden"});
  expect_bad("", {"network.init_scale=[1, 0]"}, {"--set network.init_scale"});
  expect_bad("", {"train.lr_final_factor=2"}, {"--set train.lr_final_factor"});
  expect_bad("", {"ep.rule=two_factor", "ep.self_correction=-1"}, {"--set ep.self_correction"});
  expect_bad("algorithm = \"eprop\"\n", {"task.steps=0"}, {"--set task.steps"});
  expect_bad("algorithm = \"eprop\"\n[data]\ndataset = \"evidence_accumulation\"\n", {"task.steps=1000"},
             {"task.steps", "1200"});
  expect_bad("", {"substrate.kind=pcm", "substrate.update=multi_device", "substrate.devices_per_sign=1"},
             {"substrate.devices_per_sign"});
  expect_bad("", {"substrate.kind=pcm", "substrate.adc_bits=1"}, {"substrate.adc_bits"});
  expect_bad("", {"substrate.kind=memristor", "substrate.mode=inference"}, {"substrate.mode", "unknown key"});
  expect_bad("", {"substrate.kind=quantized", "substrate.bits=9"}, {"substrate.bits"});
  expect_bad("algorithm = \"eprop\"\n", {"task.steps=2147483647"}, {"--set task.steps", "1000000"});
}

// What a config can make us allocate is bounded before anything is allocated: a matrix of more than 2^26
// synapses, or BPTT storing more than 1 GiB of one sequence's steps, is a UsageError naming the matrix or keys.
TEST(RunSpec, NetworksTooLargeToAllocateAreRefusedBeforeAllocating) {
  const auto refused = [](const std::string& toml, const std::vector<std::string>& fragments) {
    expect_error<UsageError>([&] { build_run(parse(toml), /*need_train=*/true); }, fragments);
  };
  refused("algorithm = \"eprop\"\nnetwork.recurrent = 16384\nnetwork.adaptive = 0\n", {"w_rec", "16384 x 16384", "2^26"});
  refused("algorithm = \"bptt\"\ntask.steps = 1000000\nnetwork.recurrent = 200\nnetwork.adaptive = 0\n",
          {"task.steps", "network.recurrent", "eprop"});
}

}  // namespace
}  // namespace plasticore
