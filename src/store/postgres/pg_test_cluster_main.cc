// `pg_test_cluster start DIR` / `pg_test_cluster stop DIR`: the ctest fixture
// around the tests that share one throw-away PostgreSQL cluster (see
// pg_test_cluster.h). Without PostgreSQL installed, `start` says so and
// succeeds: the tests that need the cluster then skip.
// `pg_test_cluster available DIR` exits 0 when a cluster runs in DIR, else 77
// (ctest's skip code for the integration run on PostgreSQL).
#include <cstdio>
#include <string>

#include "src/store/postgres/pg_test_cluster.h"

int main(int argc, char** argv) {
  using tessera::testing::PgTestCluster;
  const std::string command = argc == 3 ? argv[1] : "";
  if (command != "start" && command != "stop" && command != "available") {
    std::fprintf(stderr, "usage: pg_test_cluster start|stop|available DIR\n");
    return 2;
  }
  const std::string dir = argv[2];
  if (command == "available") {
    auto found = PgTestCluster::Find(dir);
    if (found.ok()) return 0;
    std::printf("no PostgreSQL test cluster in %s: %s\n", dir.c_str(),
                found.status().ToString().c_str());
    return 77;
  }
  PgTestCluster::Stop(dir);  // a cluster left behind by an interrupted run
  if (command == "stop") return 0;
  auto cluster = PgTestCluster::Start(dir);
  if (cluster.status().code() == tessera::Code::kFailedPrecondition) {
    std::printf("PostgreSQL tests will be skipped: %s\n", cluster.status().message().c_str());
    return 0;
  }
  if (!cluster.ok()) {
    std::fprintf(stderr, "pg_test_cluster: %s\n", cluster.status().ToString().c_str());
    PgTestCluster::Stop(dir);
    return 1;
  }
  std::printf("PostgreSQL test cluster at %s\n", cluster->url().c_str());
  return 0;
}
