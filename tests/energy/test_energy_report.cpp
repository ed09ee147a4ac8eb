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

template <class Error, class F>
void expect_error(F&& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

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
  EXPECT_EQ(r.size(), 3u);  // technologies, ratios, both_ways
  EXPECT_EQ(r["ratios"].size(), 2u);  // no gpu_over_gpu
  // Without [power] sections: the per-operation side of both ways only, and a note saying why.
  EXPECT_TRUE(r["both_ways"]["gpu"]["power_time"].is_null());
  EXPECT_DOUBLE_EQ(r["both_ways"]["chips"]["chip"]["ratios"]["training_per_operation"].get<double>(), gpu_training / chip_training);
  EXPECT_EQ(r["both_ways"]["sensitivity"].size(), 2u);  // per operation: inference, training
  EXPECT_EQ(r["both_ways"]["notes"].size(), 1u);
}

// Power x time on hand-made tables: E_gpu = W t with t = launches x latency + MACs / (peak u) at batch 1,
// MACs / (peak u) at a large batch; E_chip = static W x steps x s/step + the per-operation energy; and the
// sensitivity rows for 10^3 (inference) and 10^2 (training).
constexpr const char* kMetricsWithSteps = R"({"name": "spiking", "algorithm": "eqspike", "test_accuracy": 0.5, "op_counts": {
  "training": {"samples": 10, "per_sample": {
     "free":   {"synaptic_events": 100, "neuron_updates": 10, "dense_equivalent_macs": 1000, "time_steps": 10},
     "nudged": {"synaptic_events": 50, "spikes": 4, "state_stores": 6, "state_loads": 6, "sign_broadcasts": 2, "time_steps": 5},
     "update": {"accumulator_updates": 20, "dense_equivalent_macs": 500}}},
  "inference": {"samples": 5, "per_sample": {
     "free": {"synaptic_events": 80, "neuron_updates": 10, "spikes": 3, "dense_equivalent_macs": 1000, "time_steps": 10}}}}})";

constexpr const char* kChipTable =
    "[picojoules_per_op]\nsynaptic_events = 2.0\nneuron_updates = 10.0\nspikes = 1.5\naccumulator_updates = 100\n"
    "state_stores = 7\nstate_loads = 3\nsign_broadcasts = 0.5\n[power]\nstatic_watts = 0.5\nseconds_per_step = 1e-3\n";
constexpr const char* kGpuTable =
    "picojoules_per_byte = 50\n[picojoules_per_op]\ndense_equivalent_macs = 3\n[bytes_per_op]\ndense_equivalent_macs = 0.5\n"
    "[power]\nboard_watts = 100\npeak_macs_per_second = 1e9\nutilisation = 0.5\nkernel_launch_seconds = 1e-6\n"
    "kernel_launches_per_step = 2\nkernel_launches_per_update = 3\n";

TEST_F(EnergyReport, PowerTimesTimeBothWaysAndTheSensitivityTable) {
  write("run/metrics.json", kMetricsWithSteps);
  write("tables/chip.toml", kChipTable);
  write("tables/gpu.toml", kGpuTable);
  const nlohmann::json r = energy_report(read_run_op_counts(path("run")), read_cost_tables(path("tables")));
  const nlohmann::json& b = r["both_ways"];
  EXPECT_EQ(b["chip_run"]["algorithm"], "eqspike");
  EXPECT_EQ(b["gpu_run"]["test_accuracy"], 0.5);
  // GPU inference: 10 steps x 2 launches x 1 us + 1000 MACs / 5e8 = 22 us; large batch 2 us; x 100 W.
  const nlohmann::json& g = b["gpu"]["power_time"];
  EXPECT_DOUBLE_EQ(g["inference"]["batch_1"]["seconds"].get<double>(), 22e-6);
  EXPECT_DOUBLE_EQ(g["inference"]["batch_1"]["joules"].get<double>(), 100 * 22e-6);
  EXPECT_DOUBLE_EQ(g["inference"]["large_batch"]["joules"].get<double>(), 100 * 2e-6);
  // Training: (15 steps x 2 + 3 per update) launches x 1 us + 1500 MACs / 5e8 = 36 us; large batch 3 us.
  EXPECT_DOUBLE_EQ(g["training"]["batch_1"]["seconds"].get<double>(), 36e-6);
  EXPECT_DOUBLE_EQ(g["training"]["large_batch"]["joules"].get<double>(), 100 * 3e-6);
  // Chip: 0.5 W x steps x 1 ms, plus the per-operation energy (state words and the sign priced too).
  const double dyn_inf = (80 * 2.0 + 10 * 10.0 + 3 * 1.5) * 1e-12;
  const double dyn_train = (150 * 2.0 + 10 * 10.0 + 4 * 1.5 + 20 * 100.0 + 6 * 7 + 6 * 3 + 2 * 0.5) * 1e-12;
  const nlohmann::json& c = b["chips"]["chip"]["power_time"];
  EXPECT_DOUBLE_EQ(c["inference"]["static_joules"].get<double>(), 0.5 * 10 * 1e-3);
  EXPECT_DOUBLE_EQ(c["inference"]["dynamic_joules"].get<double>(), dyn_inf);
  EXPECT_DOUBLE_EQ(c["training"]["seconds"].get<double>(), 15 * 1e-3);
  EXPECT_DOUBLE_EQ(c["training"]["joules"].get<double>(), 0.5 * 15e-3 + dyn_train);
  EXPECT_DOUBLE_EQ(r["technologies"]["chip"]["training_joules"].get<double>(), dyn_train);
  const nlohmann::json& ratios = b["chips"]["chip"]["ratios"];
  const double chip_inf = 0.5 * 10e-3 + dyn_inf;
  EXPECT_DOUBLE_EQ(ratios["inference_batch_1"].get<double>(), 100 * 22e-6 / chip_inf);
  EXPECT_DOUBLE_EQ(ratios["training_large_batch"].get<double>(), 100 * 3e-6 / (0.5 * 15e-3 + dyn_train));
  EXPECT_DOUBLE_EQ(ratios["inference_per_operation"].get<double>(), 1000 * 28e-12 / dyn_inf);
  // Sensitivity: per operation, batch 1, large batch, for inference and training.
  ASSERT_EQ(b["sensitivity"].size(), 6u);
  const auto row = [&](const std::string& kind, const std::string& basis) {
    for (const auto& x : b["sensitivity"])
      if (x["kind"] == kind && x["basis"] == basis) return x;
    ADD_FAILURE() << "no row " << kind << " " << basis;
    return nlohmann::json();
  };
  const nlohmann::json per_op = row("inference", "per_operation");
  EXPECT_EQ(per_op["target"], 1000.0);
  EXPECT_FALSE(per_op["holds"].get<bool>());
  EXPECT_DOUBLE_EQ(per_op["gpu_joules_needed"].get<double>(), 1000 * dyn_inf);
  EXPECT_DOUBLE_EQ(per_op["chip_costs_divide_by"].get<double>(), dyn_inf / (1000 * 28e-12 / 1000));
  EXPECT_TRUE(per_op["gpu_watts_needed"].is_null());
  const nlohmann::json b1 = row("inference", "batch_1");
  EXPECT_DOUBLE_EQ(b1["gpu_watts_needed"].get<double>(), 1000 * chip_inf / 22e-6);
  // The GPU's 2.2 mJ / 1000 is below the chip's static 5 mJ: its per-op costs alone cannot make it,
  // its static power can: (2.2e-6 J - dynamic) / 10 ms.
  EXPECT_TRUE(b1["chip_dynamic_divide_by"].is_null());
  EXPECT_DOUBLE_EQ(b1["chip_static_watts_needed"].get<double>(), (100 * 22e-6 / 1000 - dyn_inf) / 10e-3);
  EXPECT_EQ(row("training", "large_batch")["target"], 100.0);
}

// --gpu-run: the GPU side of both ways from another run; the per-operation table of the run is unchanged.
TEST_F(EnergyReport, TheGpuSideCanComeFromAnotherRun) {
  write("run/metrics.json", kMetricsWithSteps);
  fs::create_directories(dir_ / "rate");
  write("rate/metrics.json", R"({"algorithm": "ep", "test_accuracy": 0.6, "op_counts": {
    "training": {"samples": 1, "per_sample": {"free": {"dense_equivalent_macs": 100, "time_steps": 4}}},
    "inference": {"samples": 1, "per_sample": {"free": {"dense_equivalent_macs": 50, "time_steps": 2}}}}})");
  write("tables/chip.toml", kChipTable);
  write("tables/gpu.toml", kGpuTable);
  const auto tables = read_cost_tables(path("tables"));
  const RunOpCounts chip = read_run_op_counts(path("run")), rate = read_run_op_counts(path("rate"));
  const nlohmann::json alone = energy_report(chip, tables), matched = energy_report(chip, tables, &rate);
  EXPECT_EQ(alone["technologies"], matched["technologies"]);
  EXPECT_EQ(alone["ratios"], matched["ratios"]);
  EXPECT_EQ(matched["both_ways"]["gpu_run"]["algorithm"], "ep");
  EXPECT_DOUBLE_EQ(matched["both_ways"]["gpu"]["per_operation"]["inference_joules"].get<double>(), 50 * 28e-12);
  EXPECT_DOUBLE_EQ(matched["both_ways"]["gpu"]["power_time"]["inference"]["batch_1"]["seconds"].get<double>(),
                   2 * 2 * 1e-6 + 50 / 5e8);
  EXPECT_EQ(matched["both_ways"]["chips"]["chip"]["power_time"], alone["both_ways"]["chips"]["chip"]["power_time"]);
}

TEST_F(EnergyReport, BadPowerSectionsAreUsageErrors) {
  const auto chip = [&](const std::string& power) { return write("tables/chip.toml", "[picojoules_per_op]\nspikes = 1\n[power]\n" + power); };
  const auto gpu = [&](const std::string& power) {
    return write("tables/gpu.toml", "[picojoules_per_op]\ndense_equivalent_macs = 1\n[power]\n" + power);
  };
  const std::string gpu_keys = "board_watts = 1\npeak_macs_per_second = 1e9\nutilisation = 0.5\nkernel_launch_seconds = 1e-6\n"
                               "kernel_launches_per_step = 2\nkernel_launches_per_update = 3\n";
  expect_error<UsageError>([&] { read_cost_table(chip("static_watts = 1\n")); }, "chip.toml: [power] missing key 'seconds_per_step'");
  expect_error<UsageError>([&] { read_cost_table(chip("static_watts = -0.1\nseconds_per_step = 1\n")); },
                           "chip.toml: power.static_watts: expected a non-negative number");
  expect_error<UsageError>([&] { read_cost_table(chip("static_watts = 1\nseconds_per_step = 1\nboard_watts = 1\n")); },
                           "chip.toml: [power] unknown key 'board_watts'");
  expect_error<UsageError>([&] { read_cost_table(gpu("board_watts = 1\n")); }, "gpu.toml: [power] missing key 'peak_macs_per_second'");
  expect_error<UsageError>([&] { read_cost_table(gpu(gpu_keys + "static_watts = 1\n")); }, "gpu.toml: [power] unknown key 'static_watts'");
  std::string bad = gpu_keys;
  bad.replace(bad.find("0.5"), 3, "1.5");
  expect_error<UsageError>([&] { read_cost_table(gpu(bad)); }, "power.utilisation: expected a number in (0, 1]");
  expect_error<UsageError>([&] { read_cost_table(write("tables/gpu.toml", "power = 3\n[picojoules_per_op]\nspikes = 1\n")); },
                           "power: expected a table");
  const CostTable ok = read_cost_table(gpu(gpu_keys));
  ASSERT_TRUE(ok.gpu_power.has_value());
  EXPECT_FALSE(ok.chip_power.has_value());
  EXPECT_EQ(ok.gpu_power->kernel_launches_per_update, 3.0);
}

// A run counted before time steps were (issue 14): power x time says it cannot, the rest stands.
TEST_F(EnergyReport, RunsWithoutTimeStepsHaveNoPowerTimesTime) {
  write("run/metrics.json", kMetrics);
  write("tables/chip.toml", kChipTable);
  write("tables/gpu.toml", kGpuTable);
  const nlohmann::json r = energy_report(read_run_op_counts(path("run")), read_cost_tables(path("tables")));
  EXPECT_TRUE(r["both_ways"]["gpu"]["power_time"].is_null());
  EXPECT_TRUE(r["both_ways"]["chips"]["chip"]["power_time"].is_null());
  EXPECT_FALSE(r["both_ways"]["notes"].empty());
  EXPECT_GT(r["technologies"]["chip"]["training_joules"].get<double>(), 0);
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
