// .npy / .npz writing (io/npz.hpp) against the formats: the NPY 1.0 header (magic, version, a dict with
// descr, fortran_order and shape, padded to a multiple of 64 bytes), C-order data, UTF-32 text; the zip
// of an .npz (stored members named NAME.npy, CRC-32 of each, the central directory's entry count).
// numpy itself reads these files in tests/python/test_training.py and tests/cli/test_run_record.sh.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/npz.hpp"

namespace plasticore {
namespace {

uint32_t u32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}
uint16_t u16(const std::string& s, size_t at) {
  uint16_t v;
  std::memcpy(&v, s.data() + at, 2);
  return v;
}

TEST(Npy, HeaderShapeAndCOrderData) {
  NamedTensors t;
  Matrix m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  t.put_matrix("m", m);
  const std::string npy = npy_bytes(t.at("m"));
  ASSERT_EQ(npy.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)), 0);
  const uint16_t header = u16(npy, 8);
  EXPECT_EQ((10 + header) % 64, 0u);
  const std::string dict = npy.substr(10, header);
  EXPECT_NE(dict.find("'descr': '<f4'"), std::string::npos) << dict;
  EXPECT_NE(dict.find("'fortran_order': False"), std::string::npos) << dict;
  EXPECT_NE(dict.find("'shape': (2, 3)"), std::string::npos) << dict;
  EXPECT_EQ(dict.back(), '\n');
  float data[6];
  ASSERT_EQ(npy.size(), 10 + header + sizeof data);
  std::memcpy(data, npy.data() + 10 + header, sizeof data);
  for (int k = 0; k < 6; ++k) EXPECT_EQ(data[k], static_cast<float>(k + 1)) << "row-major";

  t.put_doubles("v", {0.5, 1.5});
  t.put_int("n", 7);
  t.put_text("s", "h\xc3\xa9");  // "hé": 2 code points in UTF-32
  EXPECT_NE(npy_bytes(t.at("v")).find("'shape': (2,)"), std::string::npos);
  EXPECT_NE(npy_bytes(t.at("n")).find("'descr': '<i8', 'fortran_order': False, 'shape': ()"), std::string::npos);
  const std::string text = npy_bytes(t.at("s"));
  EXPECT_NE(text.find("'descr': '<U2'"), std::string::npos);
  const char32_t want[2] = {U'h', U'\u00e9'};
  EXPECT_EQ(text.substr(text.size() - 8), std::string(reinterpret_cast<const char*>(want), 8));
}

TEST(Npz, StoredMembersWithTheirCrcAndACentralDirectory) {
  NamedTensors t;
  t.put_vector("history/epoch", {1, 2, 3});
  t.put_int("run/epochs_done", 3);
  const std::string path = std::filesystem::temp_directory_path() / ("plasticore-test-" + std::to_string(::getpid()) + ".npz");
  write_npz(path, t);
  std::ifstream in(path, std::ios::binary);
  const std::string zip((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  ASSERT_GE(zip.size(), 22u);
  const size_t end = zip.size() - 22;
  ASSERT_EQ(u32(zip, end), 0x06054b50u) << "end of central directory";
  EXPECT_EQ(u16(zip, end + 10), 2) << "two entries";
  size_t at = 0;
  for (const char* name : {"history/epoch.npy", "run/epochs_done.npy"}) {  // in name order
    ASSERT_EQ(u32(zip, at), 0x04034b50u);
    EXPECT_EQ(u16(zip, at + 8), 0) << "stored";
    const uint32_t crc = u32(zip, at + 14), size = u32(zip, at + 18);
    const uint16_t name_size = u16(zip, at + 26);
    EXPECT_EQ(zip.substr(at + 30, name_size), name);
    const std::string member = zip.substr(at + 30 + name_size, size);
    EXPECT_EQ(member.compare(0, 6, "\x93NUMPY"), 0);
    uint32_t c = 0xFFFFFFFFu;  // CRC-32 (IEEE), bit by bit
    for (const char b : member) {
      c ^= static_cast<unsigned char>(b);
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    EXPECT_EQ(crc, c ^ 0xFFFFFFFFu) << name;
    at += 30 + name_size + size;
  }
  EXPECT_EQ(u32(zip, at), 0x02014b50u) << "the central directory follows the members";
}

}  // namespace
}  // namespace plasticore
