#include "tessera/background_file.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tessera {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class BackgroundFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessera-bgfile-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Whether this folder's file system takes O_DIRECT (tmpfs does not).
bool TakesDirectWrites(const fs::path& dir) {
  std::string probe = (dir / "probe").string();
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
  if (fd >= 0) ::close(fd);
  fs::remove(probe);
  return fd >= 0;
}

using CacheMode = BackgroundFileStream::CacheMode;

class BackgroundFileModeTest : public BackgroundFileTest, public ::testing::WithParamInterface<CacheMode> {};

INSTANTIATE_TEST_SUITE_P(Modes, BackgroundFileModeTest, ::testing::Values(CacheMode::kBuffered, CacheMode::kDirect),
                         [](const auto& info) { return info.param == CacheMode::kDirect ? "Direct" : "Buffered"; });

TEST_P(BackgroundFileModeTest, WritesEveryByteInOrder) {
  // Small writes, single characters and writes larger than a buffer, so that
  // buffers are handed over mid-write and the producer waits for free ones.
  std::string expected;
  std::string big(BackgroundFileStream::kBufferBytes * 3 + 17, 'b');
  for (size_t pos = 0; pos < big.size(); pos += 4093) big[pos] = static_cast<char>('A' + pos % 26);
  BackgroundFileStream out((dir_ / "out.bin").string(), GetParam());
  for (int round_idx = 0; round_idx < 40; ++round_idx) {
    std::string line = "line " + std::to_string(round_idx) + "\n";
    out << line;
    expected += line;
    out.put(static_cast<char>('a' + round_idx % 26));
    expected += static_cast<char>('a' + round_idx % 26);
    if (round_idx % 10 == 3) {
      out.write(big.data(), static_cast<std::streamsize>(big.size()));
      expected += big;
    }
    if (round_idx == 20) out.flush();
  }
  ASSERT_TRUE(out.good());
  ASSERT_TRUE(out.Close().ok());
  EXPECT_TRUE(out.Close().ok());  // a second Close answers the same
  std::string written = ReadAll(dir_ / "out.bin");
  ASSERT_EQ(written.size(), expected.size());
  EXPECT_TRUE(written == expected);
  // Only the full buffers before the flush() can bypass the page cache.
  if (GetParam() == CacheMode::kBuffered || !TakesDirectWrites(dir_)) {
    EXPECT_EQ(out.direct_bytes(), 0u);
  } else {
    EXPECT_GT(out.direct_bytes(), 0u);
    EXPECT_EQ(out.direct_bytes() % BackgroundFileStream::kBufferBytes, 0u);
  }
}

TEST_P(BackgroundFileModeTest, LargeFileWithUnalignedTail) {
  // Many full buffers, then a tail that is not a multiple of any block size:
  // in direct mode all but the tail bypass the page cache.
  const size_t total = BackgroundFileStream::kBufferBytes * 9 + 4099;
  std::string expected(total, '\0');
  uint32_t state = 12345;
  for (char& c : expected) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 24);
  }
  BackgroundFileStream out((dir_ / "big.bin").string(), GetParam());
  for (size_t pos = 0; pos < total; pos += 250'000) {
    out.write(expected.data() + pos, static_cast<std::streamsize>(std::min<size_t>(250'000, total - pos)));
  }
  ASSERT_TRUE(out.Close().ok());
  EXPECT_TRUE(ReadAll(dir_ / "big.bin") == expected);
  if (GetParam() == CacheMode::kDirect && TakesDirectWrites(dir_)) {
    EXPECT_EQ(out.direct_bytes(), BackgroundFileStream::kBufferBytes * 9);
  } else {
    EXPECT_EQ(out.direct_bytes(), 0u);
  }
}

TEST_F(BackgroundFileTest, EmptyFileAndTruncation) {
  {
    std::ofstream old(dir_ / "out.txt");
    old << "previous contents";
  }
  BackgroundFileStream out((dir_ / "out.txt").string());
  ASSERT_TRUE(out.Close().ok());
  EXPECT_EQ(ReadAll(dir_ / "out.txt"), "");
}

TEST_F(BackgroundFileTest, OpenFailureIsReported) {
  BackgroundFileStream out((dir_ / "no-such-dir" / "out.txt").string());
  EXPECT_FALSE(out.good());
  Status s = out.Close();
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_NE(s.message().find("no-such-dir"), std::string::npos);
}

TEST_P(BackgroundFileModeTest, WriteErrorMakesTheStreamBadAndCloseFail) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  BackgroundFileStream out("/dev/full", GetParam());
  std::string chunk(BackgroundFileStream::kBufferBytes, 'x');
  // The first full buffer fails in the writer thread; a later hand-over sees it.
  for (int round_idx = 0; round_idx < 20 && out.good(); ++round_idx) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  }
  EXPECT_FALSE(out.good());
  Status s = out.Close();
  EXPECT_EQ(s.code(), Code::kIOError);
  EXPECT_NE(s.message().find("No space"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tessera
