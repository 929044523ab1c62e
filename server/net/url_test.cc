#include "server/net/url.h"

#include <gtest/gtest.h>

namespace tessera::server {
namespace {

TEST(UrlTest, DecodesPathAndQuery) {
  std::string path;
  std::multimap<std::string, std::string> q;
  SplitTarget("/api/tasks%2F?project=3&page_size=10&name=a+b%21&flag", &path, &q);
  EXPECT_EQ(path, "/api/tasks/");
  EXPECT_EQ(q.find("project")->second, "3");
  EXPECT_EQ(q.find("name")->second, "a b!");
  EXPECT_EQ(q.find("flag")->second, "");
}

TEST(UrlTest, KeepsInvalidEscapes) {
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("%41", false), "A");
}

}  // namespace
}  // namespace tessera::server
