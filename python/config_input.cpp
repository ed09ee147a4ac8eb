#include "config_input.hpp"

#include <cmath>
#include <regex>

#include "core/error.hpp"

namespace plasticore_python {

namespace {

// A TOML literal of a Python value: str, bool, int, float, list/tuple of them, dict (inline table).
std::string toml_literal(const py::handle& v, const std::string& key) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(v) || (PyIndex_Check(v.ptr()) && !py::isinstance<py::str>(v)))  // NumPy integers too
    return py::str(py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()))).cast<std::string>();
  if (py::isinstance<py::float_>(v)) {
    const double d = v.cast<double>();
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    return py::repr(v).cast<std::string>();
  }
  if (py::isinstance<py::str>(v))  // JSON's string escapes are TOML's
    return py::module_::import("json").attr("dumps")(v, py::arg("ensure_ascii") = false).cast<std::string>();
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    std::string out = "[";
    for (const auto& item : v) out += (out.size() > 1 ? ", " : "") + toml_literal(item, key);
    return out + "]";
  }
  if (py::isinstance<py::dict>(v)) {
    std::string out = "{";
    for (const auto& [k, item] : v.cast<py::dict>()) {
      if (!py::isinstance<py::str>(k)) throw py::type_error("config " + key + ": keys must be str");
      out += (out.size() > 1 ? ", " : "") + toml_literal(k, key) + " = " + toml_literal(item, key + "." + py::str(k).cast<std::string>());
    }
    return out + "}";
  }
  throw py::type_error("config " + key + ": a value of type " +
                       py::str(py::type::of(v).attr("__name__")).cast<std::string>() +
                       " cannot be a config value (str, bool, int, float, list or dict)");
}

// A dotted key of the dict, each part quoted unless bare TOML.
std::string toml_key(const std::string& key) {
  static const std::regex bare("[A-Za-z0-9_-]+");
  std::string out, part;
  const auto flush = [&] {
    if (part.empty()) throw py::value_error("config key '" + key + "': an empty part");
    out += (out.empty() ? "" : ".") +
           (std::regex_match(part, bare) ? part : py::module_::import("json").attr("dumps")(part).cast<std::string>());
    part.clear();
  };
  for (const char c : key) {
    if (c == '.') flush();
    else part += c;
  }
  flush();
  return out;
}

// Nested tables flattened into dotted keys, so {"network": {...}} and {"network.hidden": ...} can mix.
void flatten(const py::dict& d, const std::string& prefix, std::string& toml) {
  for (const auto& [k, v] : d) {
    if (!py::isinstance<py::str>(k)) throw py::type_error("config: keys must be str");
    const std::string key = prefix + k.cast<std::string>();
    if (py::isinstance<py::dict>(v) && !py::cast<py::dict>(v).empty()) flatten(v.cast<py::dict>(), key + ".", toml);
    else toml += toml_key(key) + " = " + toml_literal(v, key) + "\n";
  }
}

}  // namespace

std::vector<std::string> to_overrides(const py::object& overrides) {
  std::vector<std::string> out;
  if (overrides.is_none()) return out;
  if (!py::isinstance<py::dict>(overrides)) throw plasticore::UsageError("overrides must be a dict {key: value}");
  for (const auto& [key, value] : overrides.cast<py::dict>()) {
    // Values are written as TOML literals: strings as they are (paths need no quotes), the rest via their repr.
    std::string text;
    if (py::isinstance<py::str>(value)) text = py::str(value).cast<std::string>();
    else text = toml_literal(value, py::str(key).cast<std::string>());
    out.push_back(py::str(key).cast<std::string>() + "=" + text);
  }
  return out;
}

plasticore::ConfigReader config_reader_of(const py::object& config) {
  if (config.is_none()) return plasticore::ConfigReader::from_string("", "config dict");
  if (py::isinstance<py::dict>(config)) {
    std::string toml;
    flatten(config.cast<py::dict>(), "", toml);
    return plasticore::ConfigReader::from_string(toml, "config dict");
  }
  if (py::isinstance<py::str>(config) || py::hasattr(config, "__fspath__"))
    return plasticore::ConfigReader::from_file(py::str(py::module_::import("os").attr("fspath")(config)).cast<std::string>());
  throw py::type_error("config: expected a TOML file's path or a dict of config keys, got " +
                       py::str(py::type::of(config).attr("__name__")).cast<std::string>());
}

}  // namespace plasticore_python
