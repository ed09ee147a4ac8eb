#include "train/history.hpp"

#include <algorithm>
#include <sstream>

#include "core/error.hpp"

namespace plasticore {

const std::vector<std::string>& History::columns() {
  static const std::vector<std::string> names = {"epoch",         "train_loss",     "test_loss",
                                                 "train_accuracy", "test_accuracy", "test_nmse",
                                                 "mean_rate_hz",  "epoch_seconds",  "train_samples_per_second",
                                                 "lr_scale"};
  return names;
}

void History::add(EpochRecord record) {
  if (!rows_.empty()) {
    bool same = record.size() == rows_[0].size();
    for (size_t c = 0; same && c < record.size(); ++c) same = record[c].first == rows_[0][c].first;
    if (!same) throw RuntimeError("history: an epoch record with other columns than the ones before");
  }
  rows_.push_back(std::move(record));
}

bool History::has(const std::string& column) const {
  if (rows_.empty()) return false;
  for (const auto& [name, v] : rows_[0])
    if (name == column) return true;
  return false;
}

double History::value(size_t row, const std::string& column) const {
  for (const auto& [name, v] : rows_.at(row))
    if (name == column) return v;
  throw RuntimeError("history has no column " + column);
}

std::string History::csv() const {
  std::ostringstream ss;
  ss.precision(10);
  if (rows_.empty()) return "";
  for (size_t c = 0; c < rows_[0].size(); ++c) ss << (c ? "," : "") << rows_[0][c].first;
  ss << '\n';
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) ss << (c ? "," : "") << row[c].second;
    ss << '\n';
  }
  return ss.str();
}

void History::save(NamedTensors& out) const {
  if (rows_.empty()) return;
  for (size_t c = 0; c < rows_[0].size(); ++c) {
    std::vector<double> values;
    for (const auto& row : rows_) values.push_back(row[c].second);
    out.put_doubles("history/" + rows_[0][c].first, values);
  }
}

History History::restore(const NamedTensors& in, int64_t epochs) {
  History h;
  std::vector<std::pair<std::string, std::vector<double>>> found;
  for (const auto& name : columns())
    if (in.has("history/" + name)) found.emplace_back(name, in.doubles("history/" + name, -1));
  for (const auto& [name, tensor] : in.all())
    if (name.rfind("history/", 0) == 0 &&
        std::find(columns().begin(), columns().end(), name.substr(8)) == columns().end())
      throw RuntimeError(in.source() + ": unknown history column '" + name.substr(8) + "'");
  if (epochs > 0 && found.empty()) throw RuntimeError(in.source() + ": " + std::to_string(epochs) + " epochs done but no history");
  for (const auto& [name, values] : found)
    if (static_cast<int64_t>(values.size()) != epochs)
      throw RuntimeError(in.source() + ": history/" + name + " has " + std::to_string(values.size()) + " entries for " +
                         std::to_string(epochs) + " epochs done");
  for (int64_t e = 0; e < epochs; ++e) {
    EpochRecord r;
    for (const auto& [name, values] : found) r.emplace_back(name, values[static_cast<size_t>(e)]);
    h.rows_.push_back(std::move(r));
  }
  return h;
}

}  // namespace plasticore
