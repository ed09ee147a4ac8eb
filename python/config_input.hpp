// Configs from Python: a TOML file's path or a dict with the TOML files' keys (nested tables or dotted
// keys: {"network": {"hidden": [100]}} or {"network.hidden": [100]}), plus overrides {key: value} that
// act as the CLI's --set. Read by the same ConfigReader and registries as the CLI's configs, so the
// keys, defaults and checks are the ones of docs/configuration.md.
#pragma once
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "core/config_reader.hpp"

namespace plasticore_python {

namespace py = pybind11;

// {key: value} as key=value assignments (ValueError unless a dict or None).
std::vector<std::string> to_overrides(const py::object& overrides);
// A path (str / os.PathLike) -> the file; a dict -> its TOML ("config dict" in messages); None -> empty.
// TypeError for values TOML cannot hold (None, objects).
plasticore::ConfigReader config_reader_of(const py::object& config);

}  // namespace plasticore_python
