#include "server/router.h"

#include <gtest/gtest.h>

#include "server/net/http_types.h"

namespace tessera::server {
namespace {

HttpResponse Ok(RequestContext&) { return HttpResponse{}; }

TEST(RouterTest, MatchesLiteralsAndParamsWithOrWithoutTrailingSlash) {
  Router r;
  r.Add("POST", "/api/projects/validate", Access::kAuthenticated, Ok);
  r.Add("GET", "/api/projects/{id}", Access::kAuthenticated, Ok);
  r.Add("GET", "/api/projects/{id}/next", Access::kAuthenticated, Ok);
  auto m = r.Match("GET", "/api/projects/12/");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/projects/{id}");
  EXPECT_EQ(m.params["id"], "12");
  m = r.Match("GET", "/api/projects/12/next");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/projects/{id}/next");
  m = r.Match("POST", "/api/projects/validate/");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/projects/validate");
}

TEST(RouterTest, ReportsAllowedMethodsOnMethodMismatch) {
  Router r;
  r.Add("GET", "/api/tasks/{id}", Access::kAuthenticated, Ok);
  r.Add("PATCH", "/api/tasks/{id}", Access::kAuthenticated, Ok);
  auto m = r.Match("PUT", "/api/tasks/3");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
  EXPECT_NE(r.Match("HEAD", "/api/tasks/3").route, nullptr);
  EXPECT_EQ(r.Match("GET", "/api/tasks").route, nullptr);
}

}  // namespace
}  // namespace tessera::server
