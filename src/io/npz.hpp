// NumPy's exchange formats, written without NumPy: .npy (one array) and .npz (a zip of .npy files,
// stored uncompressed, as numpy.savez writes them). Named tensors keep their names ("history/epoch"
// becomes the archive member history/epoch.npy, which numpy.load names "history/epoch"); text tensors
// become 0-d unicode arrays ('<U'). Written atomically.
#pragma once
#include <string>

#include "core/named_tensors.hpp"

namespace plasticore {

std::string npy_bytes(const Tensor& tensor);  // a whole .npy file
void write_npz(const std::string& path, const NamedTensors& tensors);

}  // namespace plasticore
