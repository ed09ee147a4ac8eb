#include "io/nir.hpp"

#include <cmath>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/hdf5.hpp"
#include "substrate/ideal.hpp"

namespace plasticore {

namespace {

constexpr const char* kNirVersion = "1.0.0";  // the layout of nir.write in NIR 1.0
// Limits of the reader: no NIR graph of plasticore's shape comes near them, and a corrupt header cannot
// make it allocate more.
constexpr int64_t kMaxNodes = 64, kMaxEdges = 256, kMaxName = 256, kMaxNeurons = 1 << 16;
constexpr int64_t kMaxWeights = int64_t{1} << 26;  // per matrix: 8192 x 8192, 512 MiB as read (double)
constexpr int64_t kMaxMetadata = 16;               // values per metadata entry

std::vector<float> c_order(const Matrix& m) {  // NumPy's (rows, cols) C order
  std::vector<float> out(static_cast<size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) out[static_cast<size_t>(i * m.cols() + j)] = m(i, j);
  return out;
}

// tau and r of a decay d per step of dt seconds (the header comment).
struct LeakyParameters {
  double tau_s, r;
};
LeakyParameters leaky_parameters(double decay, double dt_s) {
  const double tau = dt_s / (1.0 - decay);
  return {tau, tau / dt_s};
}

void write_size_types(Hdf5Writer& w, const std::string& node, int64_t n) {
  w.integers(node + "/input_type/input", {n}, {1});
  w.integers(node + "/output_type/output", {n}, {1});
}

void write_leaky(Hdf5Writer& w, const std::string& node, const char* type, int n, double decay, double dt_s) {
  const LeakyParameters p = leaky_parameters(decay, dt_s);
  const std::vector<int64_t> shape = {n};
  w.string(node + "/type", type);
  w.doubles(node + "/tau", std::vector<double>(static_cast<size_t>(n), p.tau_s), shape);
  w.doubles(node + "/r", std::vector<double>(static_cast<size_t>(n), p.r), shape);
  w.doubles(node + "/v_leak", std::vector<double>(static_cast<size_t>(n), 0.0), shape);
  write_size_types(w, node, n);
}

void write_linear(Hdf5Writer& w, const std::string& node, const Matrix& weight) {
  w.string(node + "/type", "Linear");
  w.floats(node + "/weight", c_order(weight), {weight.rows(), weight.cols()});
}

}  // namespace

std::vector<std::string> write_nir(const std::string& path, const RecurrentSNN& net) {
  const RecurrentSNNSizes& n = net.sizes();
  const RecurrentSNNParams& p = net.params();
  const double dt_s = p.dt_ms * 1e-3;
  std::vector<std::string> notes;
  if (n.adaptive > 0)
    notes.push_back(std::to_string(n.adaptive) + " ALIF neurons written as LIF: NIR has no threshold adaptation "
                    "(tau_a and adapt_beta are in the lif node's metadata, which plasticore reads back)");
  if (p.lif.refractory_steps > 0)
    notes.push_back("refractory period of " + std::to_string(p.lif.refractory_steps) +
                    " steps left out: NIR's LIF has none (it is in the lif node's metadata)");
  Hdf5Writer w(path);
  w.string("/version", kNirVersion);
  w.string("/node/type", "NIRGraph");
  const std::string nodes = "/node/nodes/";
  w.string(nodes + "input/type", "Input");
  w.integers(nodes + "input/shape", {n.inputs}, {1});
  w.integers(nodes + "input/input_type/input", {n.inputs}, {1});
  write_linear(w, nodes + "w_in", net.input_weights().weights());
  write_linear(w, nodes + "w_rec", net.recurrent_weights().weights());
  write_linear(w, nodes + "w_out", net.readout_weights().weights());
  const std::string lif = nodes + "lif";
  write_leaky(w, lif, "LIF", n.recurrent, std::exp(-p.dt_ms / p.lif.tau_m_ms), dt_s);
  w.doubles(lif + "/v_threshold", std::vector<double>(static_cast<size_t>(n.recurrent), p.lif.v_th), {n.recurrent});
  w.doubles(lif + "/v_reset", std::vector<double>(static_cast<size_t>(n.recurrent), 0.0), {n.recurrent});
  // What NIR's LIF has no field for; nir.read keeps metadata as it is.
  w.string(lif + "/metadata/reset", "subtract v_threshold");
  w.integers(lif + "/metadata/adaptive_neurons", {n.adaptive}, {});
  w.doubles(lif + "/metadata/tau_adaptation", {p.alif.tau_a_ms * 1e-3}, {});
  w.doubles(lif + "/metadata/adaptation_beta", {p.alif.adapt_beta}, {});
  w.integers(lif + "/metadata/refractory_steps", {p.lif.refractory_steps}, {});
  w.doubles(lif + "/metadata/pseudo_derivative_gamma", {p.lif.gamma}, {});
  write_leaky(w, nodes + "readout", "LI", n.outputs, std::exp(-p.dt_ms / p.readout.tau_out_ms), dt_s);
  w.string(nodes + "output/type", "Output");
  w.integers(nodes + "output/shape", {n.outputs}, {1});
  w.integers(nodes + "output/output_type/output", {n.outputs}, {1});
  w.strings("/node/edges",
            {"input", "w_in", "w_in", "lif", "lif", "w_rec", "w_rec", "lif", "lif", "w_out", "w_out", "readout",
             "readout", "output"},
            {7, 2});
  w.integers("/node/input_type/input", {n.inputs}, {1});
  w.integers("/node/output_type/output", {n.outputs}, {1});
  w.doubles("/node/metadata/dt", {dt_s}, {});
  w.string("/node/metadata/source", "plasticore");
  w.close();
  return notes;
}

namespace {

// Reads one NIR file's graph, each failure naming the file and the node.
class NirReader {
 public:
  explicit NirReader(const std::string& path) : file_(path) {}

  [[noreturn]] void fail(const std::string& node, const std::string& problem) const {
    throw RuntimeError(file_.path() + ": node '" + node + "': " + problem);
  }

  std::string node_path(const std::string& node) const { return "/node/nodes/" + node; }

  std::string type(const std::string& node) const {
    const std::string p = node_path(node) + "/type";
    if (!file_.has(p) || file_.kind(p) != Hdf5Reader::Kind::string) fail(node, "has no 'type' string");
    return file_.read_string(p, kMaxName);
  }

  // A node's parameter: numbers of exactly the expected shape.
  std::vector<double> numbers(const std::string& node, const std::string& name, const std::vector<int64_t>& shape) const {
    const std::string p = node_path(node) + "/" + name;
    if (!file_.has(p)) fail(node, "has no '" + name + "'");
    const Hdf5Reader::Kind k = file_.kind(p);
    if (k != Hdf5Reader::Kind::floating && k != Hdf5Reader::Kind::integer) fail(node, "'" + name + "' is not numeric");
    const std::vector<int64_t> found = file_.shape(p);
    if (found != shape) fail(node, "'" + name + "' has shape " + text(found) + ", expected " + text(shape));
    std::vector<double> v = file_.read_numbers(p, kMaxWeights);
    for (double x : v)
      if (!std::isfinite(x)) fail(node, "'" + name + "' has a NaN or infinite entry");
    return v;
  }

  std::vector<int64_t> shape_of(const std::string& node, const std::string& name) const {
    const std::string p = node_path(node) + "/" + name;
    if (!file_.has(p)) fail(node, "has no '" + name + "'");
    return file_.shape(p);
  }

  // A parameter that plasticore holds once per population: every neuron's value must be the same.
  double uniform(const std::string& node, const std::string& name, int64_t n) const {
    const std::vector<double> v = numbers(node, name, {n});
    for (double x : v)
      if (std::abs(x - v[0]) > 1e-9 * std::max(1.0, std::abs(v[0])))
        fail(node, "'" + name + "' differs between neurons; plasticore's network has one value per population");
    return v[0];
  }

  // A weight node's matrix, (rows, cols) as in the file.
  Matrix weight(const std::string& node) const {
    const std::vector<int64_t> s = shape_of(node, "weight");
    const Hdf5Reader::Kind k = file_.kind(node_path(node) + "/weight");
    if (k != Hdf5Reader::Kind::floating && k != Hdf5Reader::Kind::integer) fail(node, "'weight' is not numeric");
    if (s.size() != 2) fail(node, "'weight' must be 2-d, got shape " + text(s));
    if (s[0] < 1 || s[1] < 1 || s[0] > kMaxNeurons || s[1] > kMaxNeurons) fail(node, "'weight' has shape " + text(s) + " out of range");
    const std::vector<double> v = numbers(node, "weight", s);
    Matrix m(s[0], s[1]);
    for (int64_t i = 0; i < s[0]; ++i)
      for (int64_t j = 0; j < s[1]; ++j) m(i, j) = static_cast<Scalar>(v[static_cast<size_t>(i * s[1] + j)]);
    if (type(node) == "Affine") {
      const std::vector<double> bias = numbers(node, "bias", {s[0]});
      for (double b : bias)
        if (b != 0) fail(node, "Affine with a non-zero bias: plasticore's recurrent network has no bias currents");
    }
    return m;
  }

  std::optional<double> metadata(const std::string& node_group, const std::string& name) const {
    const std::string p = node_group + "/metadata/" + name;
    if (!file_.has(p)) return std::nullopt;
    const Hdf5Reader::Kind k = file_.kind(p);
    if (k != Hdf5Reader::Kind::floating && k != Hdf5Reader::Kind::integer) return std::nullopt;
    const std::vector<double> v = file_.read_numbers(p, kMaxMetadata);
    if (v.size() != 1 || !std::isfinite(v[0])) return std::nullopt;
    return v[0];
  }

  static std::string text(const std::vector<int64_t>& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + (s.size() == 1 ? ",)" : ")");
  }

  const Hdf5Reader& file() const { return file_; }

 private:
  Hdf5Reader file_;
};

// One leaky population (LIF, CubaLIF or LI): its decay per step and the input gain r dt / tau that
// plasticore folds into the incoming weights (1 for files it wrote).
struct Population {
  double decay = 0, gain = 1, threshold = 0;
};

Population read_population(const NirReader& r, const std::string& node, const std::string& type, int64_t n, double dt_s) {
  Population pop;
  const double tau = r.uniform(node, type == "CubaLIF" ? "tau_mem" : "tau", n);
  const double resistance = r.uniform(node, "r", n);
  if (!(tau > dt_s)) r.fail(node, "tau = " + std::to_string(tau) + " s is not longer than the step dt = " + std::to_string(dt_s) + " s");
  if (r.uniform(node, "v_leak", n) != 0) r.fail(node, "non-zero v_leak: plasticore's neurons rest at 0");
  pop.decay = 1.0 - dt_s / tau;
  pop.gain = resistance * dt_s / tau;
  if (type == "CubaLIF") {
    // A synaptic filter of one step is no filter: I[t] = w_in S[t]. Longer ones plasticore does not model.
    const double tau_syn = r.uniform(node, "tau_syn", n);
    if (std::abs(tau_syn - dt_s) > 1e-6 * dt_s)
      r.fail(node, "CubaLIF with tau_syn = " + std::to_string(tau_syn) + " s: plasticore's LIF has no synaptic current (tau_syn must be dt)");
    pop.gain *= r.uniform(node, "w_in", n);
  }
  if (type != "LI") {
    pop.threshold = r.uniform(node, "v_threshold", n);
    if (!(pop.threshold > 0)) r.fail(node, "v_threshold must be positive");
    const std::string reset = r.node_path(node) + "/v_reset";
    if (r.file().has(reset) && r.uniform(node, "v_reset", n) != 0)
      r.fail(node, "non-zero v_reset: plasticore's neurons reset by subtracting v_threshold from 0-based potentials");
  }
  return pop;
}

// The size of a neuron population node, from its threshold (LIF) or tau (LI).
int64_t population_size(const NirReader& r, const std::string& node, const std::string& type) {
  const std::vector<int64_t> s = r.shape_of(node, type == "LI" ? "tau" : "v_threshold");
  if (s.size() != 1 || s[0] < 1 || s[0] > kMaxNeurons) r.fail(node, "expected a 1-d population of 1.." + std::to_string(kMaxNeurons) + " neurons, got shape " + NirReader::text(s));
  return s[0];
}

}  // namespace

NirNetwork read_nir(const std::string& path, std::optional<double> dt_ms) {
  const NirReader r(path);
  const Hdf5Reader& f = r.file();
  if (!f.has("/node/type") || f.kind("/node/type") != Hdf5Reader::Kind::string || f.read_string("/node/type", kMaxName) != "NIRGraph")
    throw RuntimeError(path + ": not a NIR file (no /node/type = \"NIRGraph\")");
  // Node types by name; every node must be one plasticore's recurrent network has.
  std::map<std::string, std::string> types;
  for (const std::string& name : f.members("/node/nodes", kMaxNodes)) {
    const std::string t = r.type(name);
    static const std::set<std::string> known = {"Input", "Output", "Linear", "Affine", "LIF", "CubaLIF", "LI"};
    if (!known.count(t))
      r.fail(name, "type '" + t + "' has no counterpart in plasticore's recurrent LIF network (Input, Linear/Affine, LIF/CubaLIF, LI, Output)");
    types[name] = t;
  }
  // Edges.
  if (!f.has("/node/edges")) throw RuntimeError(path + ": /node/edges is missing");
  const std::vector<int64_t> edge_shape = f.shape("/node/edges");
  if (edge_shape.size() != 2 || edge_shape[1] != 2 || edge_shape[0] > kMaxEdges)
    throw RuntimeError(path + ": /node/edges must be (E, 2) with E <= " + std::to_string(kMaxEdges) + ", got " + NirReader::text(edge_shape));
  const std::vector<std::string> flat = f.read_strings("/node/edges", 2 * kMaxEdges, kMaxName);
  std::multimap<std::string, std::string> next, previous;
  for (size_t e = 0; e + 1 < flat.size(); e += 2) {
    for (const std::string& end : {flat[e], flat[e + 1]})
      if (!types.count(end)) throw RuntimeError(path + ": edge (" + flat[e] + ", " + flat[e + 1] + ") names a node that does not exist");
    next.emplace(flat[e], flat[e + 1]);
    previous.emplace(flat[e + 1], flat[e]);
  }
  auto only = [&](const std::set<std::string>& wanted, const char* what) {
    std::string found;
    for (const auto& [name, t] : types)
      if (wanted.count(t)) {
        if (!found.empty()) r.fail(name, std::string("a second ") + what + " ('" + found + "' is the first): plasticore's network has one");
        found = name;
      }
    if (found.empty()) throw RuntimeError(path + ": the graph has no " + what);
    return found;
  };
  const std::string input = only({"Input"}, "Input node"), output = only({"Output"}, "Output node");
  const std::string spiking = only({"LIF", "CubaLIF"}, "LIF/CubaLIF population");
  const std::string readout = only({"LI"}, "LI readout population");
  auto targets = [&](const std::multimap<std::string, std::string>& m, const std::string& from) {
    std::vector<std::string> out;
    for (auto [it, end] = m.equal_range(from); it != end; ++it) out.push_back(it->second);
    return out;
  };
  // Each Linear node's role follows from what it connects.
  std::string w_in, w_rec, w_out;
  for (const auto& [name, t] : types) {
    if (t != "Linear" && t != "Affine") continue;
    const auto from = targets(previous, name), to = targets(next, name);
    if (from.size() != 1 || to.size() != 1) r.fail(name, "a weight node needs exactly one incoming and one outgoing edge");
    std::string* role = nullptr;
    if (from[0] == input && to[0] == spiking) role = &w_in;
    else if (from[0] == spiking && to[0] == spiking) role = &w_rec;
    else if (from[0] == spiking && to[0] == readout) role = &w_out;
    if (role == nullptr) r.fail(name, "connects '" + from[0] + "' to '" + to[0] + "', which plasticore's network has no weights for");
    if (!role->empty()) r.fail(name, "a second weight node between '" + from[0] + "' and '" + to[0] + "'");
    *role = name;
  }
  if (w_in.empty()) throw RuntimeError(path + ": no weight node from '" + input + "' to '" + spiking + "'");
  if (w_out.empty()) throw RuntimeError(path + ": no weight node from '" + spiking + "' to '" + readout + "'");
  const auto into_output = targets(previous, output);
  if (into_output.size() != 1 || into_output[0] != readout) r.fail(output, "must be fed by the readout '" + readout + "' alone");
  for (const auto& [from, to] : next) {
    const bool weight_edge = types[from] == "Linear" || types[from] == "Affine" || types[to] == "Linear" || types[to] == "Affine";
    if (!weight_edge && !(from == readout && to == output))
      throw RuntimeError(path + ": edge (" + from + ", " + to + ") has no counterpart in plasticore's network");
  }

  // dt: the caller's, else the file's.
  std::optional<double> file_dt = r.metadata("/node", "dt");
  double dt_s = 0;
  if (dt_ms) dt_s = *dt_ms * 1e-3;
  else if (file_dt) dt_s = *file_dt;
  else throw RuntimeError(path + ": the graph has no metadata dt; give the step dt (ms) the parameters are meant for");
  if (!(dt_s > 0) || !std::isfinite(dt_s)) throw RuntimeError(path + ": dt must be positive");

  NirNetwork out;
  const int64_t n_rec = population_size(r, spiking, types[spiking]);
  const int64_t n_out = population_size(r, readout, "LI");
  const std::vector<int64_t> input_shape = r.shape_of(input, "shape");
  if (input_shape != std::vector<int64_t>{1}) r.fail(input, "'shape' must be a 1-element array (a flat input)");
  const std::vector<double> n_in = r.numbers(input, "shape", {1});
  if (!(n_in[0] >= 1 && n_in[0] <= kMaxNeurons) || n_in[0] != std::floor(n_in[0]))
    r.fail(input, "'shape' must be a whole number of inputs in [1, " + std::to_string(kMaxNeurons) + "]");
  out.w_in = r.weight(w_in);
  out.w_out = r.weight(w_out);
  out.w_rec = w_rec.empty() ? Matrix::Zero(n_rec, n_rec) : r.weight(w_rec);
  if (out.w_in.rows() != n_rec || out.w_in.cols() != static_cast<Eigen::Index>(n_in[0]))
    r.fail(w_in, "weight is " + std::to_string(out.w_in.rows()) + " x " + std::to_string(out.w_in.cols()) + ", expected " +
                     std::to_string(n_rec) + " x " + std::to_string(static_cast<int64_t>(n_in[0])));
  if (out.w_rec.rows() != n_rec || out.w_rec.cols() != n_rec) r.fail(w_rec, "weight must be " + std::to_string(n_rec) + " x " + std::to_string(n_rec));
  if (out.w_out.rows() != n_out || out.w_out.cols() != n_rec)
    r.fail(w_out, "weight must be " + std::to_string(n_out) + " x " + std::to_string(n_rec));
  if (out.w_rec.diagonal().cwiseAbs().maxCoeff() != 0) r.fail(w_rec, "has self-connections (a non-zero diagonal); plasticore's network has none");

  const Population lif = read_population(r, spiking, types[spiking], n_rec, dt_s);
  const Population li = read_population(r, readout, "LI", n_out, dt_s);
  // An input gain other than 1 is a factor on the incoming currents: folded into the weights.
  out.w_in *= static_cast<Scalar>(lif.gain);
  out.w_rec *= static_cast<Scalar>(lif.gain);
  out.w_out *= static_cast<Scalar>(li.gain);
  RecurrentSNNParams& p = out.params;
  p.dt_ms = dt_s * 1e3;
  p.lif.tau_m_ms = -p.dt_ms / std::log(lif.decay);
  p.readout.tau_out_ms = -p.dt_ms / std::log(li.decay);
  p.lif.v_th = static_cast<Scalar>(lif.threshold);
  // plasticore's own parameters, where it wrote them; defaults (LIF neurons) otherwise.
  const std::string meta = r.node_path(spiking);
  int64_t adaptive = 0;
  if (auto v = r.metadata(meta, "adaptive_neurons")) adaptive = static_cast<int64_t>(*v);
  if (adaptive < 0 || adaptive > n_rec) r.fail(spiking, "metadata adaptive_neurons out of range");
  if (auto v = r.metadata(meta, "tau_adaptation")) p.alif.tau_a_ms = *v * 1e3;
  if (auto v = r.metadata(meta, "adaptation_beta")) p.alif.adapt_beta = static_cast<Scalar>(*v);
  if (auto v = r.metadata(meta, "refractory_steps")) p.lif.refractory_steps = static_cast<int>(*v);
  if (auto v = r.metadata(meta, "pseudo_derivative_gamma")) p.lif.gamma = static_cast<Scalar>(*v);
  if (!(p.alif.tau_a_ms > 0) || p.lif.refractory_steps < 0 || p.lif.refractory_steps > 1000000 || !(p.lif.gamma >= 0))
    r.fail(spiking, "metadata (tau_adaptation, refractory_steps, pseudo_derivative_gamma) out of range");
  out.sizes = {static_cast<int>(n_in[0]), static_cast<int>(n_rec), static_cast<int>(adaptive), static_cast<int>(n_out)};
  return out;
}

std::unique_ptr<RecurrentSNN> build_network(const NirNetwork& network) {
  auto net = std::make_unique<RecurrentSNN>(network.sizes, network.params, ideal_substrates());
  net->set_weights(network.w_in, network.w_rec, network.w_out);
  return net;
}

}  // namespace plasticore
