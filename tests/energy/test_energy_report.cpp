// The energy of a run equals the sum over phases and operations of its counts per sample times the
// technology's cost per operation (bytes x cost per byte folded in), computed here by hand for a tiny
// synthetic metrics.json and tiny cost tables; bad tables and run directories get one-line errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "energy/energy_report.hpp"
#include "energy/op_count_report.hpp"

namespace fs = std::filesystem;

namespace plasticore {
namespace {

class EnergyReport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("plasticore-energy-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "run");
    fs::create_directories(dir_ / "tables");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& relative, const std::string& text) {
    const fs::path p = dir_ / relative;
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path(const std::string& relative) const { return (dir_ / relative).string(); }
  fs::path dir_;
};

constexpr const char* kMetrics = R"({"op_counts": {
  "training": {"samples": 10, "per_sample": {
     "free":   {"synaptic_events": 100, "neuron_updates": 10, "dense_equivalent_macs": 1000},
     "nudged": {"synaptic_events": 50, "spikes": 4},
     "update": {"accumulator_updates": 20, "dense_equivalent_macs": 500}}},
  "inference": {"samples": 5, "per_sample": {
     "free": {"synaptic_events": 80, "neuron_updates": 10, "spikes": 3, "dense_equivalent_macs": 1000}}}}})";

TEST_F(EnergyReport, EqualsCountsTimesCosts) {
  write("run/metrics.json", kMetrics);
  write("tables/chip.toml", "description = \"test chip\"\n[picojoules_per_op]\nsynaptic_events = 2.0\n"
                            "neuron_updates = 10.0\nspikes = 1.5\naccumulator_updates = 100\n");
  write("tables/gpu.toml", "picojoules_per_byte = 50\n[picojoules_per_op]\ndense_equivalent_macs = 3\n"
                           "[bytes_per_op]\ndense_equivalent_macs = 0.5\n");
  const auto tables = read_cost_tables(path("tables"));
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].name, "chip");
  const nlohmann::json r = energy_report(read_run_op_counts(path("run")), tables);
  // chip, training: 150 events x 2 + 10 neuron updates x 10 + 4 spikes x 1.5 + 20 updates x 100 pJ.
  const double chip_training = (150 * 2.0 + 10 * 10.0 + 4 * 1.5 + 20 * 100.0) * 1e-12;
  const double chip_inference = (80 * 2.0 + 10 * 10.0 + 3 * 1.5) * 1e-12;
  // gpu: 3 pJ + 0.5 bytes x 50 pJ = 28 pJ per dense-equivalent MAC.
  const double gpu_training = 1500 * 28.0 * 1e-12, gpu_inference = 1000 * 28.0 * 1e-12;
  EXPECT_DOUBLE_EQ(r["technologies"]["chip"]["training_joules"].get<double>(), chip_training);
  EXPECT_DOUBLE_EQ(r["technologies"]["chip"]["inference_joules"].get<double>(), chip_inference);
  EXPECT_DOUBLE_EQ(r["technologies"]["gpu"]["training_joules"].get<double>(), gpu_training);
  EXPECT_DOUBLE_EQ(r["technologies"]["gpu"]["inference_joules"].get<double>(), gpu_inference);
  EXPECT_DOUBLE_EQ(r["ratios"]["training_gpu_over_chip"].get<double>(), gpu_training / chip_training);
  EXPECT_DOUBLE_EQ(r["ratios"]["inference_gpu_over_chip"].get<double>(), gpu_inference / chip_inference);
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r["ratios"].size(), 2u);  // no gpu_over_gpu
}

TEST_F(EnergyReport, ReadsWhatTheTrainerWrites) {
  OpCounters c;
  c.set_phase(Phase::nudged);
  c.add(Op::synaptic_events, 40);
  c.set_phase(Phase::update);
  c.add(Op::accumulator_updates, 8);
  const nlohmann::json metrics = {{"op_counts", {{"training", op_count_report(c, 4)}, {"inference", op_count_report(OpCounters{}, 1)}}}};
  write("run/metrics.json", metrics.dump());
  const RunOpCounts counts = read_run_op_counts(path("run"));
  EXPECT_EQ(counts.training[static_cast<size_t>(Phase::nudged)][static_cast<size_t>(Op::synaptic_events)], 10.0);
  EXPECT_EQ(counts.training[static_cast<size_t>(Phase::update)][static_cast<size_t>(Op::accumulator_updates)], 2.0);
  EXPECT_EQ(counts.training[static_cast<size_t>(Phase::free)][static_cast<size_t>(Op::synaptic_events)], 0.0);
  EXPECT_FALSE(metrics["op_counts"]["training"]["per_sample"].contains("free"));  // phases with no work left out
}

template <class Error, class F>
void expect_error(F&& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST_F(EnergyReport, BadCostTablesAreUsageErrors) {
  const auto table = [&](const std::string& text) { return write("tables/t.toml", text); };
  expect_error<UsageError>([&] { read_cost_table(table("[picojoules_per_op]\nsynaptic_event = 1\n")); },
                           "synaptic_event: unknown operation");
  expect_error<UsageError>([&] { read_cost_table(table("[picojoules_per_op]\nspikes = -1\n")); },
                           "picojoules_per_op.spikes: expected a non-negative number");
  expect_error<UsageError>([&] { read_cost_table(table("[picojoules_per_op]\nspikes = \"1\"\n")); },
                           "expected a non-negative number");
  expect_error<UsageError>([&] { read_cost_table(table("colour = 1\n[picojoules_per_op]\nspikes = 1\n")); },
                           "unknown key 'colour'");
  expect_error<UsageError>([&] { read_cost_table(table("description = \"x\"\n")); }, "missing the [picojoules_per_op]");
  expect_error<UsageError>([&] { read_cost_table(table("[picojoules_per_op]\nspikes = 1\n[bytes_per_op]\nspikes = 1\n")); },
                           "go together");
  expect_error<UsageError>([&] { read_cost_table(table("[picojoules_per_op\n")); }, "malformed TOML");
  expect_error<UsageError>([&] { read_cost_tables(path("nowhere")); }, "no such directory");
  fs::remove(path("tables/t.toml"));
  expect_error<UsageError>([&] { read_cost_tables(path("tables")); }, "holds no energy cost table");
  write("tables/chip.toml", "[picojoules_per_op]\nspikes = 1\n");
  write("run/metrics.json", kMetrics);
  expect_error<UsageError>([&] { energy_report(read_run_op_counts(path("run")), read_cost_tables(path("tables"))); },
                           "no cost table named gpu");
}

TEST_F(EnergyReport, BadRunDirectories) {
  expect_error<UsageError>([&] { read_run_op_counts(path("missing")); }, "no such run directory");
  expect_error<UsageError>([&] { read_run_op_counts(path("run")); }, "no metrics.json");
  write("run/metrics.json", "{\"test_accuracy\": 0.9}");
  expect_error<RuntimeError>([&] { read_run_op_counts(path("run")); }, "no op_counts");
  write("run/metrics.json", "{\"op_counts\": ");
  expect_error<RuntimeError>([&] { read_run_op_counts(path("run")); }, "malformed JSON");
  write("run/metrics.json", R"({"op_counts": {"training": {"samples": 1, "per_sample": {"warmup": {}}}}})");
  expect_error<RuntimeError>([&] { read_run_op_counts(path("run")); }, "unknown name 'warmup'");
  write("run/metrics.json", R"({"op_counts": {"training": {"samples": 1, "per_sample": {"free": {"spikes": -2}}}}})");
  expect_error<RuntimeError>([&] { read_run_op_counts(path("run")); }, "expected a non-negative number");
  write("run/metrics.json", R"({"op_counts": {"training": {"samples": 0, "per_sample": {}}}})");
  expect_error<RuntimeError>([&] { read_run_op_counts(path("run")); }, "op_counts.training.samples: no sample was counted");
  write("run/metrics.json", R"({"op_counts": {"training": {"samples": 3, "per_sample": {}}}})");
  expect_error<RuntimeError>([&] { read_run_op_counts(path("run")); }, "op_counts.inference.per_sample is missing");
}

}  // namespace
}  // namespace plasticore
