#include "server/router.h"

#include <string_view>

namespace tessera::server {

namespace {
std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

bool IsParam(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}
}  // namespace

void Router::Add(std::string method, std::string pattern, Access access, RouteHandler handler) {
  Route r;
  r.segments = SplitPath(pattern);
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.access = access;
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

RouteMatch Router::Match(const std::string& method, const std::string& path) const {
  RouteMatch result;
  std::vector<std::string> parts = SplitPath(path);
  // HEAD is served by GET routes.
  const std::string& want = method == "HEAD" ? std::string("GET") : method;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t seg_idx = 0; seg_idx < parts.size(); ++seg_idx) {
      const std::string& seg = route.segments[seg_idx];
      if (IsParam(seg)) {
        params[seg.substr(1, seg.size() - 2)] = parts[seg_idx];
      } else if (seg != parts[seg_idx]) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (route.method == want) {
      result.route = &route;
      result.params = std::move(params);
      return result;
    }
    result.allowed_methods.push_back(route.method);
  }
  return result;
}

}  // namespace tessera::server
