#include "train/sweep.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/communicator.hpp"
#include "core/config_reader.hpp"
#include "core/error.hpp"
#include "core/json_reader.hpp"
#include "train/run.hpp"

namespace fs = std::filesystem;

namespace plasticore {

namespace {

// The final figures the table reports, in this order, where the runs have them.
const std::vector<std::string>& table_metrics() {
  static const std::vector<std::string> names = {"test_accuracy", "best_test_accuracy", "train_accuracy", "test_nmse",
                                                 "test_loss",     "train_loss",         "mean_rate_hz",   "wall_seconds"};
  return names;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// A value in a directory name: what a file system and a shell take without quoting.
std::string path_safe(const std::string& s) {
  std::string out;
  for (const char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || std::string("._+-=,").find(c) != std::string::npos) ? c : '_';
  return out;
}

struct SweepPoint {
  std::vector<std::string> overrides;  // key=value of every axis
  std::string label;                   // key=value,... of the axes with more than one value ("base" if none)
  std::vector<std::string> values;     // of those axes, for the table
};

struct SweepRun {
  size_t point = 0;
  int64_t seed = 0;
  std::string dir, config_toml;
};

std::vector<SweepPoint> grid(const std::vector<SweepAxis>& axes) {
  std::vector<SweepPoint> points(1);
  for (const SweepAxis& axis : axes) {
    std::vector<SweepPoint> next;
    for (const SweepPoint& p : points)
      for (const std::string& v : axis.values) {
        SweepPoint q = p;
        q.overrides.push_back(axis.key + "=" + v);
        if (axis.values.size() > 1) {
          q.label += (q.label.empty() ? "" : ",") + axis.key + "=" + v;
          q.values.push_back(v);
        }
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  for (SweepPoint& p : points)
    if (p.label.empty()) p.label = "base";
  return points;
}

// config.toml without its `threads` line: a sweep continued with other --threads is the same sweep.
std::string without_threads(const std::string& toml) {
  std::istringstream in(toml);
  std::string line, out;
  while (std::getline(in, line))
    if (line.rfind("threads = ", 0) != 0) out += line + "\n";
  return out;
}

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&now));
  return buf;
}

struct Summary {
  int n = 0;
  double mean = 0, sd = 0;  // sample sd (n - 1); 0 for one seed
};
Summary summarize(const std::vector<double>& xs) {
  Summary s;
  s.n = static_cast<int>(xs.size());
  if (s.n == 0) return s;
  for (double x : xs) s.mean += x;
  s.mean /= s.n;
  if (s.n > 1) {
    double ss = 0;
    for (double x : xs) ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / (s.n - 1));
  }
  return s;
}

std::string number(double x, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string md_field(const std::string& s) {
  std::string out;
  for (const char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// sweep.csv and sweep.md from the run directories' metrics.json (and failed.txt).
std::string write_tables(const std::string& out_dir, const std::vector<SweepAxis>& axes,
                         const std::vector<SweepPoint>& points, const std::vector<SweepRun>& runs, size_t seeds) {
  std::vector<std::string> varying;
  for (const SweepAxis& a : axes)
    if (a.values.size() > 1) varying.push_back(a.key);
  std::vector<std::map<std::string, std::vector<double>>> values(points.size());
  std::vector<int> failed(points.size(), 0);
  std::set<std::string> present, evaluated_on;
  for (const SweepRun& run : runs) {
    if (fs::exists(run.dir + "/failed.txt")) {
      ++failed[run.point];
      continue;
    }
    const std::string path = run.dir + "/metrics.json";
    const nlohmann::json m = parse_json(read_file(path, kMaxMetricsBytes), path);
    if (!m.is_object()) throw RuntimeError(path + ": expected a JSON object");
    if (m.contains("evaluated_on") && m["evaluated_on"].is_string()) evaluated_on.insert(m["evaluated_on"].get<std::string>());
    for (const std::string& name : table_metrics())
      if (m.contains(name) && m[name].is_number()) {
        values[run.point][name].push_back(m[name].get<double>());
        present.insert(name);
      }
  }
  std::vector<std::string> metrics;
  for (const std::string& name : table_metrics())
    if (present.count(name) != 0) metrics.push_back(name);

  std::string csv;
  for (const std::string& k : varying) csv += csv_field(k) + ",";
  csv += "seeds,finished,failed";
  for (const std::string& m : metrics) csv += "," + m + "_mean," + m + "_sd";
  csv += "\n";
  std::string md = "# Sweep of " + std::to_string(points.size()) + " point(s) x " + std::to_string(seeds) +
                   " seed(s)\n\nMean ± sd (sample, n - 1) over the seeds that finished; figures are final-epoch values " +
                   "(best_test_accuracy: the best epoch). Evaluated on: " +
                   (evaluated_on.empty() ? std::string("-") : *evaluated_on.begin()) +
                   (evaluated_on.count("test") != 0 ? " (choose hyper-parameters with data.validation, not on the test set)" : "") +
                   ".\n\n|";
  for (const std::string& k : varying) md += " " + md_field(k) + " |";
  md += " seeds |";
  for (const std::string& m : metrics) md += " " + m + " |";
  md += "\n|";
  for (size_t i = 0; i < varying.size() + 1 + metrics.size(); ++i) md += "---|";
  md += "\n";
  for (size_t p = 0; p < points.size(); ++p) {
    const int finished = static_cast<int>(values[p].empty() ? 0 : values[p].begin()->second.size());
    for (const std::string& v : points[p].values) csv += csv_field(v) + ",";
    csv += std::to_string(seeds) + "," + std::to_string(finished) + "," + std::to_string(failed[p]);
    md += "|";
    for (const std::string& v : points[p].values) md.append(" ").append(md_field(v)).append(" |");
    md += " " + std::to_string(finished) + "/" + std::to_string(seeds);
    if (failed[p] > 0) md.append(" (").append(std::to_string(failed[p])).append(" diverged)");
    md += " |";
    for (const std::string& m : metrics) {
      const auto it = values[p].find(m);
      const Summary s = summarize(it == values[p].end() ? std::vector<double>{} : it->second);
      csv.append(",").append(s.n == 0 ? "" : number(s.mean, 9)).append(",").append(s.n > 1 ? number(s.sd, 9) : "");
      md.append(" ").append(s.n == 0 ? "-" : number(s.mean, 4));
      if (s.n > 1) md.append(" ± ").append(number(s.sd, 2));
      md.append(" |");
    }
    csv += "\n";
    md += "\n";
  }
  write_file_atomic(out_dir + "/sweep.csv", csv);
  write_file_atomic(out_dir + "/sweep.md", md);
  return md;
}

}  // namespace

SweepAxis parse_sweep_axis(const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || trim(assignment.substr(0, eq)).empty())
    throw UsageError("sweep --set '" + assignment + "': expected key=value1,value2,...");
  SweepAxis axis{trim(assignment.substr(0, eq)), {}};
  const std::string text = assignment.substr(eq + 1);
  int depth = 0;
  char quote = 0;
  std::string current;
  for (const char c : text) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      axis.values.push_back(trim(current));
      current.clear();
      continue;
    }
    current += c;
  }
  if (quote != 0 || depth != 0) throw UsageError("sweep --set " + axis.key + ": unbalanced quotes or brackets in '" + text + "'");
  axis.values.push_back(trim(current));
  for (const std::string& v : axis.values)
    if (v.empty()) throw UsageError("sweep --set " + axis.key + ": an empty value in '" + text + "'");
  std::set<std::string> seen;
  for (const std::string& v : axis.values)
    if (!seen.insert(v).second) throw UsageError("sweep --set " + axis.key + ": value '" + v + "' is given twice");
  return axis;
}

std::vector<int64_t> parse_seed_list(const std::string& text) {
  std::vector<int64_t> seeds;
  const auto bad = [&](const std::string& why) { return UsageError("sweep --seeds '" + text + "': " + why); };
  const auto to_int = [&](const std::string& s) {
    size_t used = 0;
    int64_t v = -1;
    try {
      v = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size() || v < 0) throw bad("'" + s + "' is not a non-negative integer");
    return v;
  };
  size_t begin = 0;
  while (begin <= text.size()) {  // every comma-separated item, an empty last one included
    const size_t comma = std::min(text.find(',', begin), text.size());
    const std::string item = trim(text.substr(begin, comma - begin));
    begin = comma + 1;
    const size_t dash = item.find('-', 1);
    if (dash == std::string::npos) {
      seeds.push_back(to_int(item));
      continue;
    }
    const int64_t a = to_int(trim(item.substr(0, dash))), b = to_int(trim(item.substr(dash + 1)));
    if (b < a || b - a > 10000) throw bad("range '" + item + "' is empty or longer than 10000");
    for (int64_t s = a; s <= b; ++s) seeds.push_back(s);
  }
  if (seeds.empty()) throw bad("no seeds");
  std::set<int64_t> seen;
  for (int64_t s : seeds)
    if (!seen.insert(s).second) throw bad("seed " + std::to_string(s) + " is given twice");
  return seeds;
}

SweepOutcome run_sweep(const SweepRequest& request) {
  const Communicator& all = world();
  if (request.config_path.empty()) throw UsageError("sweep: missing CONFIG.toml");
  std::vector<SweepAxis> axes;
  std::set<std::string> keys;
  for (const std::string& s : request.sets) {
    axes.push_back(parse_sweep_axis(s));
    if (!keys.insert(axes.back().key).second) throw UsageError("sweep --set " + axes.back().key + ": given twice");
    if (axes.back().key == "seed") throw UsageError("sweep --set seed: give the seeds with --seeds");
    if (axes.back().key == "threads") throw UsageError("sweep --set threads: give the threads with --threads");
  }
  if (request.ranks_per_run < 1 || all.size() % request.ranks_per_run != 0)
    throw UsageError("sweep --ranks-per-run " + std::to_string(request.ranks_per_run) + ": must divide the " +
                     std::to_string(all.size()) + " ranks");
  const std::vector<SweepPoint> points = grid(axes);
  std::vector<int64_t> seeds;
  if (!request.seeds.empty()) seeds = parse_seed_list(request.seeds);

  std::string out_dir = request.out_dir;
  if (out_dir.empty()) {  // rank 0's clock names it for every rank
    out_dir = "runs/sweep-" + fs::path(request.config_path).stem().string() + "-" + timestamp();
    all.broadcast(out_dir, 0);
  }

  // Every run's config is read and checked before the first one trains: a typo in the last value of a
  // grid fails now, not hours in.
  std::vector<SweepRun> runs;
  std::set<std::string> dirs;
  for (size_t p = 0; p < points.size(); ++p) {
    // The point's config with these overrides (the seed's, the threads'), read as `train` reads it.
    const auto spec_of = [&](const std::vector<std::string>& extra) {
      try {
        ConfigReader reader = ConfigReader::from_file(request.config_path);
        for (const auto& o : points[p].overrides) reader.set_override(o);
        for (const auto& o : extra) reader.set_override(o);
        if (request.threads) reader.set_override("threads=" + std::to_string(*request.threads));
        return read_run_spec(reader);
      } catch (const UsageError& e) {
        throw UsageError("sweep point " + points[p].label + ": " + e.what());
      }
    };
    std::vector<int64_t> point_seeds = seeds;
    if (point_seeds.empty()) point_seeds.push_back(static_cast<int64_t>(spec_of({}).seed));
    for (const int64_t seed : point_seeds) {
      const RunSpec spec = spec_of({"seed=" + std::to_string(seed)});
      SweepRun run{p, seed, out_dir + "/" + path_safe(points[p].label) + "/seed" + std::to_string(seed), spec.config_toml};
      if (!dirs.insert(run.dir).second)
        throw UsageError("sweep: two points share the directory " + run.dir + " (values that differ only in characters a path cannot hold)");
      if (fs::exists(run.dir + "/config.toml") &&
          without_threads(read_file(run.dir + "/config.toml")) != without_threads(spec.config_toml))
        throw UsageError(run.dir + ": holds a run of another config (the config file changed since?); use another --out");
      runs.push_back(std::move(run));
    }
  }
  const size_t n_seeds = seeds.empty() ? 1 : seeds.size();

  // The j-th run to do goes to group j mod groups: static, so every rank knows its runs without talking.
  const int groups = all.size() / request.ranks_per_run, my_group = all.rank() / request.ranks_per_run;
  const std::unique_ptr<Communicator> group = all.split(my_group);
  SweepOutcome outcome;
  outcome.out_dir = out_dir;
  outcome.runs = static_cast<int>(runs.size());
  if (all.root()) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) throw RuntimeError(out_dir + ": cannot create the sweep directory: " + ec.message());
  }
  // The runs still to do, as every rank sees them before any trains (finished or diverged runs are kept).
  std::vector<size_t> todo;
  for (size_t k = 0; k < runs.size(); ++k)
    if (!fs::exists(runs[k].dir + "/metrics.json") && !fs::exists(runs[k].dir + "/failed.txt")) todo.push_back(k);
  outcome.reused = static_cast<int>(runs.size() - todo.size());
  all.barrier();
  for (size_t j = 0; j < todo.size(); ++j) {
    if (static_cast<int>(j % static_cast<size_t>(groups)) != my_group) continue;
    const SweepRun& run = runs[todo[j]];
    if (group->root())
      std::fprintf(stderr, "plasticore sweep: run %zu/%zu: %s seed %lld%s\n", todo[j] + 1, runs.size(), points[run.point].label.c_str(),
                   static_cast<long long>(run.seed), groups > 1 ? (" (rank group " + std::to_string(my_group) + ")").c_str() : "");
    TrainRequest train;
    train.ranks = group.get();
    train.progress = request.progress && groups == 1;
    if (fs::exists(run.dir + "/checkpoint.bin")) {
      train.resume_dir = run.dir;  // a killed sweep continues where its run stopped
    } else {
      train.config_path = request.config_path;
      train.overrides = points[run.point].overrides;
      train.seed = run.seed;
      train.threads = request.threads;
      train.out_dir = run.dir;
    }
    try {
      run_training(train);
    } catch (const DivergedError& e) {  // an outcome of these hyper-parameters: recorded, the sweep goes on
      if (group->root()) {
        write_file_atomic(run.dir + "/failed.txt", std::string(e.what()) + "\n");
        std::fprintf(stderr, "plasticore sweep: %s seed %lld: %s\n", points[run.point].label.c_str(),
                     static_cast<long long>(run.seed), e.what());
      }
    }
  }
  all.barrier();  // every group has finished its runs (the wait sleeps: communicator.hpp)
  for (const SweepRun& run : runs) outcome.failed += fs::exists(run.dir + "/failed.txt") ? 1 : 0;
  if (all.root()) outcome.table_markdown = write_tables(out_dir, axes, points, runs, n_seeds);
  return outcome;
}

}  // namespace plasticore
