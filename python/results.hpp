// Results for Python: metrics.json-shaped JSON as dicts, lists and numbers.
#pragma once
#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>

namespace plasticore_python {

inline pybind11::object to_python(const nlohmann::json& j) {
  return pybind11::module_::import("json").attr("loads")(j.dump());
}

}  // namespace plasticore_python
