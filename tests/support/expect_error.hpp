// Test helpers: run fn and expect an error of the given type whose one-line message contains every needle
// (the file or key it names, the problem).
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace plasticore {

template <typename Error>
void expect_error(const std::function<void()>& fn, const std::vector<std::string>& needles) {
  try {
    fn();
    ADD_FAILURE() << "expected an error, nothing was thrown";
  } catch (const Error& e) {
    const std::string what = e.what();
    for (const auto& n : needles) EXPECT_NE(what.find(n), std::string::npos) << "message '" << what << "' lacks '" << n << "'";
    EXPECT_EQ(what.find('\n'), std::string::npos) << "message is not one line: " << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected another error type, got: " << e.what();
  }
}

inline void expect_usage_error(const std::function<void()>& fn, const std::vector<std::string>& needles) {
  expect_error<UsageError>(fn, needles);
}
inline void expect_runtime_error(const std::function<void()>& fn, const std::vector<std::string>& needles) {
  expect_error<RuntimeError>(fn, needles);
}

}  // namespace plasticore
