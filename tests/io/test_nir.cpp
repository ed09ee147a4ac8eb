// NIR round trip (io/nir.hpp): a recurrent LIF/ALIF network written as a NIR graph and read back has the
// same sizes, parameters and weights, and the same forward pass (readout and every spike); bad files get a
// one-line error naming the file and the node. The layout itself is checked against NIR's reference
// layout, read independently with h5py, in tests/python/test_nir.py.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/rng.hpp"
#include "core/hdf5.hpp"
#include "io/nir.hpp"
#include "substrate/ideal.hpp"
#include "../support/expect_error.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

class NirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!hdf5_available()) GTEST_SKIP() << "built without HDF5";
    dir_ = fs::temp_directory_path() / ("plasticore_nir_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

Matrix random_matrix(Rng& rng, int rows, int cols, double scale) {
  Matrix m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = static_cast<Scalar>(scale * rng.normal());
  return m;
}

// A network with every parameter away from its default, ALIF neurons and a refractory period.
std::unique_ptr<RecurrentSNN> example_network() {
  RecurrentSNNParams p;
  p.dt_ms = 2.0;
  p.lif.tau_m_ms = 15.0;
  p.lif.v_th = 0.45f;
  p.lif.gamma = 0.25f;
  p.lif.refractory_steps = 2;
  p.alif.tau_a_ms = 300.0;
  p.alif.adapt_beta = 0.05f;
  p.readout.tau_out_ms = 30.0;
  auto net = std::make_unique<RecurrentSNN>(RecurrentSNNSizes{6, 12, 4, 3}, p, ideal_substrates());
  Rng rng(7, "nir_test_weights");
  net->set_weights(random_matrix(rng, 12, 6, 0.8), random_matrix(rng, 12, 12, 0.3), random_matrix(rng, 3, 12, 0.5));
  return net;
}

Matrix input_spikes(int steps, int inputs) {
  Rng rng(3, "nir_test_input");
  Matrix x(steps, inputs);
  for (int t = 0; t < steps; ++t)
    for (int i = 0; i < inputs; ++i) x(t, i) = rng.uniform_double() < 0.2 ? 1.0f : 0.0f;
  return x;
}

TEST_F(NirTest, RoundTripKeepsWeightsParametersAndTheForwardPass) {
  const auto net = example_network();
  const std::vector<std::string> notes = write_nir(file("net.nir"), *net);
  ASSERT_EQ(notes.size(), 2u);  // ALIF adaptation and the refractory period are approximated for other tools
  EXPECT_NE(notes[0].find("ALIF"), std::string::npos);

  const NirNetwork back = read_nir(file("net.nir"));
  EXPECT_EQ(back.sizes.inputs, 6);
  EXPECT_EQ(back.sizes.recurrent, 12);
  EXPECT_EQ(back.sizes.adaptive, 4);
  EXPECT_EQ(back.sizes.outputs, 3);
  EXPECT_NEAR(back.params.dt_ms, 2.0, 1e-12);
  EXPECT_NEAR(back.params.lif.tau_m_ms, 15.0, 1e-9);
  EXPECT_NEAR(back.params.readout.tau_out_ms, 30.0, 1e-9);
  EXPECT_NEAR(back.params.alif.tau_a_ms, 300.0, 1e-9);
  EXPECT_EQ(back.params.lif.v_th, 0.45f);
  EXPECT_EQ(back.params.lif.gamma, 0.25f);
  EXPECT_EQ(back.params.alif.adapt_beta, 0.05f);
  EXPECT_EQ(back.params.lif.refractory_steps, 2);
  EXPECT_EQ(back.w_in, net->input_weights().weights());  // float32 in the file: bit for bit
  EXPECT_EQ(back.w_rec, net->recurrent_weights().weights());
  EXPECT_EQ(back.w_out, net->readout_weights().weights());

  const auto rebuilt = build_network(back);
  EXPECT_EQ(rebuilt->membrane_decay(), net->membrane_decay());
  EXPECT_EQ(rebuilt->readout_decay(), net->readout_decay());
  EXPECT_EQ(rebuilt->adaptation_decay(), net->adaptation_decay());
  const Matrix x = input_spikes(300, 6);
  Matrix y0, y1, z0, z1;
  net->forward(x, y0, &z0);
  rebuilt->forward(x, y1, &z1);
  EXPECT_GT(z0.sum(), 50);  // the comparison means something: the network is active
  EXPECT_EQ(z0, z1);
  EXPECT_EQ(y0, y1);
}

TEST_F(NirTest, DtFromTheCallerReinterpretsTheContinuousParameters) {
  const auto net = example_network();
  write_nir(file("net.nir"), *net);
  // NIR's parameters are continuous-time: at twice the step, Euler leaks dt' / tau per step and an input
  // current acts twice as long (gain r dt' / tau = 2, folded into the weights).
  const NirNetwork back = read_nir(file("net.nir"), 4.0);
  EXPECT_NEAR(back.params.dt_ms, 4.0, 1e-12);
  const double tau_file_ms = 2.0 / (1.0 - std::exp(-2.0 / 15.0));
  EXPECT_NEAR(back.params.lif.tau_m_ms, -4.0 / std::log(1.0 - 4.0 / tau_file_ms), 1e-9);
  EXPECT_EQ(back.w_in, Matrix(2 * net->input_weights().weights()));
  EXPECT_EQ(back.w_out, Matrix(2 * net->readout_weights().weights()));
}

TEST_F(NirTest, BadFilesGetOneLineErrorsNamingTheFileAndTheNode) {
  expect_runtime_error([&] { read_nir(file("missing.nir")); }, {"missing.nir", "no such file"});
  {
    std::ofstream(file("text.nir")) << "not hdf5\n";
  }
  expect_runtime_error([&] { read_nir(file("text.nir")); }, {"text.nir", "not an HDF5 file"});
  // A graph with a node plasticore has no counterpart for.
  {
    Hdf5Writer w(file("conv.nir"));
    w.string("/node/type", "NIRGraph");
    w.string("/node/nodes/conv/type", "Conv2d");
    w.strings("/node/edges", {}, {0, 2});
    w.close();
  }
  expect_runtime_error([&] { read_nir(file("conv.nir")); }, {"conv.nir", "node 'conv'", "Conv2d"});
  // A graph without its edges.
  {
    Hdf5Writer w(file("no_edges.nir"));
    w.string("/node/type", "NIRGraph");
    w.string("/node/nodes/w/type", "Linear");
    w.floats("/node/nodes/w/weight", {1, 2, 3}, {1, 3});
    w.close();
  }
  expect_runtime_error([&] { read_nir(file("no_edges.nir")); }, {"no_edges.nir", "edges"});
}

TEST_F(NirTest, WriteIsAtomic) {
  const auto net = example_network();
  expect_runtime_error([&] { write_nir(file("no-such-dir/net.nir"), *net); }, {"net.nir", "cannot create"});
  EXPECT_FALSE(fs::exists(file("no-such-dir")));
  write_nir(file("net.nir"), *net);
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().rfind(".", 0), std::string::npos) << "temporary file left: " << entry.path();
}

}  // namespace
}  // namespace plasticore
