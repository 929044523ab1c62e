// Router: maps (method, path pattern) to handlers. Patterns are literal
// segments and `{name}` placeholders ("/api/projects/{id}/import"); a trailing
// slash on the request is ignored, as Label Studio's routes accept both.
//
// Thread-safety: built once at start-up, then read-only; Match is thread-safe.
#ifndef TESSERA_SERVER_ROUTER_H_
#define TESSERA_SERVER_ROUTER_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "server/net/http_types.h"

namespace tessera::server {

class RequestContext;

using RouteHandler = std::function<HttpResponse(RequestContext&)>;

// Who may reach a route before the handler's own checks (project role etc.).
enum class Access {
  kPublic,         // anyone, no credentials needed
  kAuthenticated,  // any signed-in user (token or session)
  kAdmin,          // site admins only
};

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kAuthenticated;
  RouteHandler handler;
  std::vector<std::string> segments;  // pattern split on '/'
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  // When the path matched but not the method: the methods that would have.
  std::vector<std::string> allowed_methods;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Access access, RouteHandler handler);
  RouteMatch Match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_ROUTER_H_
