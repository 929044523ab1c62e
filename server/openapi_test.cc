// Fails when the router has a route that api/openapi.yaml does not document
// (or the other way round).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "server/app.h"
#include "tessera/store.h"

namespace tessera::server {
namespace {

TEST(OpenApiTest, EveryRouteIsDocumented) {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) + "/api/openapi.yaml");
  ASSERT_TRUE(in) << "api/openapi.yaml missing";
  std::set<std::string> documented;
  std::string line, path;
  std::regex path_re("^  (/[^:]*):\\s*$");
  std::regex method_re("^    (get|post|put|patch|delete):");
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line == "paths:") in_paths = true;
    if (!in_paths) continue;
    std::smatch m;
    if (std::regex_match(line, m, path_re)) path = m[1];
    else if (std::regex_search(line, m, method_re)) {
      std::string method = m[1];
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(method + " " + path);
    }
  }
  auto store = OpenSqliteStore(SqliteOptions{":memory:", 1, false});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  App app(**store, AppOptions{});
  std::set<std::string> routed;
  for (const Route& r : app.router().routes()) routed.insert(r.method + " " + r.pattern);
  for (const auto& r : routed) EXPECT_TRUE(documented.count(r)) << r << " is not in api/openapi.yaml";
  for (const auto& d : documented) EXPECT_TRUE(routed.count(d)) << d << " is documented but not routed";
}

}  // namespace
}  // namespace tessera::server
