// Times the requests a project's pages make (project list, project, task
// table, dashboards), one at a time over one keep-alive connection, as one
// person opening the page would: the figure behind issue 7's "project page
// and stats <= 200 ms" at 10M tasks.
#pragma once

#include <cstdint>
#include <string>

namespace tessera::bench {

// Sends each page request `repeats` times to 127.0.0.1:port with the API
// token, prints the median and the slowest per request, and returns false if
// any answer was not 200.
bool TimeProjectPages(int port, const std::string& token, int64_t project_id, int repeats);

}  // namespace tessera::bench
