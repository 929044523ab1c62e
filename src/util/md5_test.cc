// MD5 against the test suite of RFC 1321 (appendix A.5).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tessera/util.h"

namespace tessera {
namespace {

TEST(Md5Test, Rfc1321TestSuite) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Md5Hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(Md5Hex("1234567890123456789012345678901234567890123456789012345678901234567890123456"
                   "7890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5Test, FileMatchesString) {
  auto path = std::filesystem::temp_directory_path() / "tessera_md5_test.bin";
  std::string data;
  for (int idx = 0; idx < 300000; ++idx) data += static_cast<char>(idx * 7);
  std::ofstream(path, std::ios::binary) << data;
  auto hex = Md5FileHex(path.string());
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(*hex, Md5Hex(data));
  std::filesystem::remove(path);
  EXPECT_FALSE(Md5FileHex(path.string()).ok());
}

}  // namespace
}  // namespace tessera
