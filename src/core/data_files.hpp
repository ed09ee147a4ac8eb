// Where plasticore's data files are (the energy cost tables configs/energy/, the plot script
// scripts/plot_run.py), by their path in the source tree. Looked up in order:
//   <dir of the binary>/../share/plasticore/<path>   an installed CLI (cmake --install: <prefix>/bin)
//   <dir of the module>/share/<path>                 the pip-installed Python package (plasticore/_plasticore*.so)
//   <source tree>/<path>                             a build tree (the source directory compiled in)
// "The binary" is the object holding this code: the CLI executable or the Python extension module.
#pragma once
#include <string>

namespace plasticore {

// The first candidate that exists; RuntimeError listing the places looked in if none does.
std::string data_file(const std::string& source_path);

}  // namespace plasticore
