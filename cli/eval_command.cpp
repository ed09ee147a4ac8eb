#include "eval_command.hpp"

#include <cstdio>
#include <iostream>

namespace plasticore {

EvalCommand::EvalCommand(CLI::App& app) {
  app_ = app.add_subcommand("eval", "test accuracy of a saved model");
  app_->add_option("target", request_.target, "run directory or checkpoint file")->required();
  app_->add_option("--set", request_.overrides, "override a config key, e.g. data.test_limit=1000")->allow_extra_args(false);
  app_->add_flag("--json", json_, "print the result as JSON");
  app_->add_option("--threads", request_.threads, "worker threads")->check(CLI::Range(1, 1024));
}

int EvalCommand::run() {
  const nlohmann::json result = run_evaluation(request_);
  if (json_) {
    std::cout << result.dump(2) << std::endl;
    return 0;
  }
  const std::string where = " on " + std::to_string(result["test_samples"].get<int64_t>()) + " samples (" +
                            result["checkpoint"].get<std::string>() + ", epoch " +
                            std::to_string(result["epochs_done"].get<int>()) + ")";
  const std::string set = result["evaluated_on"].get<std::string>();  // test, or validation (data.validation)
  if (result.contains("test_accuracy"))
    std::printf("%s accuracy %.2f %%%s\n", set.c_str(), 100 * result["test_accuracy"].get<double>(), where.c_str());
  else
    std::printf("%s nmse %.4f%s\n", set.c_str(), result["test_nmse"].get<double>(), where.c_str());
  return 0;
}

}  // namespace plasticore
