// Reading and writing files we do not trust: the one reader refuses FIFOs (without blocking), directories
// and files over the format's limit; JSON nested beyond the limit is an error, not a deep tree; a run
// directory has one writer at a time (the lock names the holder's pid and is gone when it is released);
// an atomic write replaces a symlink planted at its target or temporary instead of writing through it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_reader.hpp"
#include "core/run_lock.hpp"
#include "../support/expect_error.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

class FileSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("plasticore-test-files-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }
  fs::path dir_;
};

TEST_F(FileSafety, OnlyRegularFilesWithinTheLimitAreRead) {
  EXPECT_EQ(read_file(write("a.txt", "hello")), "hello");
  const std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_runtime_error([&] { read_file(fifo); }, {fifo, "not a regular file"});  // returns: no writer is awaited
  expect_runtime_error([&] { read_file(dir_.string()); }, {dir_.string(), "not a regular file"});
  expect_runtime_error([&] { read_file(path("none")); }, {path("none"), "no such file"});
  const std::string big = write("big.txt", std::string(100, 'x'));
  expect_runtime_error([&] { read_file(big, 99); }, {big, "100 bytes", "99"});
  EXPECT_EQ(read_file(big, 100).size(), 100u);
}

TEST_F(FileSafety, JsonNestingIsBounded) {
  EXPECT_EQ(parse_json("{\"a\": [1, {\"b\": 2}]}", "m.json")["a"][1]["b"], 2);
  const std::string ok = std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']');
  EXPECT_TRUE(parse_json(ok, "m.json").is_array());
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  expect_runtime_error([&] { parse_json(deep, "deep.json"); }, {"deep.json", "nested deeper than 64"});
  expect_runtime_error([&] { parse_json("{\"a\": ", "cut.json"); }, {"cut.json", "malformed JSON"});
}

TEST_F(FileSafety, ARunDirectoryHasOneWriter) {
  {
    RunDirectoryLock first(dir_.string());
    expect_error<UsageError>([&] { RunDirectoryLock second(dir_.string()); },
                             {dir_.string(), "another plasticore process", "pid " + std::to_string(::getpid())});
  }
  RunDirectoryLock again(dir_.string());  // released with the first
}

TEST_F(FileSafety, AtomicWritesReplaceSymlinksInsteadOfFollowingThem) {
  const std::string outside = write("outside", "precious");
  fs::create_directories(dir_ / "run");
  fs::create_symlink(outside, dir_ / "run" / "metrics.csv");
  fs::create_symlink(outside, dir_ / "run" / ".metrics.csv.tmp");
  write_file_atomic(path("run/metrics.csv"), "epoch\n1\n");
  EXPECT_EQ(read_file(outside), "precious");
  EXPECT_FALSE(fs::is_symlink(dir_ / "run" / "metrics.csv"));
  EXPECT_EQ(read_file(path("run/metrics.csv")), "epoch\n1\n");
  EXPECT_FALSE(fs::exists(dir_ / "run" / ".metrics.csv.tmp"));
}

}  // namespace
}  // namespace plasticore
