#include "server/net/multipart.h"

#include <gtest/gtest.h>

namespace tessera::server {
namespace {

TEST(MultipartTest, SplitsFilesAndFields) {
  std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"tasks.json\"\r\n"
      "Content-Type: application/json\r\n\r\n"
      "[{\"text\": \"a\"}]\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
      "hello\r\n"
      "--XyZ--\r\n";
  auto boundary = MultipartBoundary("multipart/form-data; boundary=XyZ");
  ASSERT_TRUE(boundary.ok());
  auto parts = ParseMultipart(body, *boundary);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].filename, "tasks.json");
  EXPECT_EQ((*parts)[0].data, "[{\"text\": \"a\"}]");
  EXPECT_EQ((*parts)[1].name, "note");
  EXPECT_EQ((*parts)[1].data, "hello");
}

TEST(MultipartTest, RejectsTruncatedBodies) {
  EXPECT_FALSE(ParseMultipart("--B\r\nContent-Disposition: form-data; name=x\r\n\r\nabc", "B").ok());
  EXPECT_FALSE(ParseMultipart("no boundary here", "B").ok());
  EXPECT_FALSE(MultipartBoundary("multipart/form-data").ok());
}

}  // namespace
}  // namespace tessera::server
