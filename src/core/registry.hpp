// Implementations found by name (docs/architecture.md, "registries and keys"): substrates, learning rules, datasets. A
// registry is a fixed table, listed in one function per kind (substrate/registry.cpp, learn/registry.cpp,
// data/registry.cpp); each entry lives in the file of what it builds, so a new device, rule or dataset is
// its own file plus one line in that table. Entries keep the table's order (the order of the docs).
#pragma once
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace plasticore {

template <class Entry>
class Registry {
 public:
  Registry(std::initializer_list<std::pair<std::string, Entry>> entries) : entries_(entries) {}

  // The entry called `name`; UsageError naming `key` and the choices otherwise.
  const Entry& at(const std::string& name, const std::string& key) const {
    for (const auto& [n, e] : entries_)
      if (n == name) return e;
    std::string list;
    for (const auto& [n, e] : entries_) list += (list.empty() ? "" : ", ") + n;
    throw UsageError(key + ": unknown value '" + name + "' (expected one of: " + list + ")");
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [n, e] : entries_) out.push_back(n);
    return out;
  }
  const std::vector<std::pair<std::string, Entry>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, Entry>> entries_;
};

}  // namespace plasticore
