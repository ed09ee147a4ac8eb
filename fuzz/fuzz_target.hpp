// What every fuzz target shares. A target is LLVMFuzzerTestOneInput(data, size): it hands the bytes to one
// parser and lets plasticore's own errors (UsageError, RuntimeError: a one-line message, exit 1/2 in the
// CLI) pass as the expected answer to bad input. Anything else — another exception type, a crash, a
// sanitizer report, a hang, an allocation beyond the RSS limit — escapes and is a finding.
// Built two ways (fuzz/CMakeLists.txt): with clang's libFuzzer (`make fuzz`), and with any compiler
// against replay_main.cpp, which runs the seed corpus and deterministic mutations of it (`make test`).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.hpp"

namespace plasticore::fuzz {

inline std::string bytes_of(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

// Runs `parse`; plasticore's errors are answers, not findings.
template <typename F>
void expect_answer(F&& parse) {
  try {
    parse();
  } catch (const UsageError&) {
  } catch (const RuntimeError&) {
  }
}

// A property a parsed input must have; a violation is a finding (abort with the reason).
void require(bool holds, const char* what);

}  // namespace plasticore::fuzz
