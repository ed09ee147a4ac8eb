// The device model's own parameters, one piece of a device substrate: which model (pcm: statistical for
// training, inference after aihwkit), whether conductances drift, PCM's program-and-verify and the
// memristor's level structure.
// The models' fixed constants (fitted to measurements) live with each model: pcm_device.hpp,
// pcm_inference_device.hpp, memristor_device.hpp.
#pragma once
#include <string>

namespace plasticore {

// The device model's own parameters (pcm_device.hpp, pcm_inference_device.hpp, memristor_device.hpp).
struct DeviceParams {
  std::string mode = "statistical";  // pcm: statistical (Nandakumar 2018, trainable) | inference (aihwkit)
  bool drift = true;
  double inference_seconds = 0.0;    // inference: time between programming (set_weights) and the reads
  int levels = 64;                   // memristor: conductance levels
  double nonlinearity = 3.0;         // memristor: curvature of G(level); 0 = linear
  double switching_probability = 0.9;  // memristor: chance that one pulse moves one level
  double verify_tolerance_steps = 0.5;  // pcm statistical: program-and-verify accepts |G - target| <= this x eps_G
  int program_attempts = 5;             // pcm statistical: RESET-and-retry rounds of program-and-verify
  bool programming_error = true;        // pcm statistical: false lands every program-and-verify exactly (ablation)
};

}  // namespace plasticore
