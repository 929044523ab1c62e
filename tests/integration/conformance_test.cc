// Every Label Studio example in ../shared/conformance/label-studio: its config
// makes a project, its tasks and annotation files import, and the export gives
// back the same data and results.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path ConformanceDir() { return SourceDir() / ".." / "shared" / "conformance" / "label-studio"; }

TEST(ConformanceTest, LabelStudioExamplesRoundTrip) {
  if (!fs::exists(ConformanceDir())) GTEST_SKIP() << "no ../shared/conformance";
  ServerProcess server;
  std::string token = server.AddUser("admin@example.com", "correct horse", true);
  server.Start();
  HttpClient c("127.0.0.1", server.port());
  c.SetHeader("Authorization", "Token " + token);
  int examples = 0;
  for (const auto& entry : fs::directory_iterator(ConformanceDir())) {
    if (!entry.is_directory()) continue;
    SCOPED_TRACE(entry.path().filename().string());
    ++examples;
    std::string config = ReadFile(entry.path() / "config.xml");
    Reply created = c.PostJson("/api/projects", json{{"title", entry.path().filename().string()},
                                                     {"label_config", config}});
    ASSERT_EQ(created.status, 201) << created.body;
    std::string base = "/api/projects/" + std::to_string(created.Json()["id"].get<int>());

    size_t expected_tasks = 0;
    std::vector<json> expected_results;  // every annotation result imported, in order
    if (fs::exists(entry.path() / "tasks.json")) {
      std::string tasks = ReadFile(entry.path() / "tasks.json");
      Reply r = c.PostFiles(base + "/import", {{"file", "tasks.json", tasks}});
      ASSERT_EQ(r.status, 201) << r.body;
      expected_tasks += json::parse(tasks).size();
      EXPECT_EQ(r.Json()["task_count"], json::parse(tasks).size());
    }
    if (fs::exists(entry.path() / "annotations")) {
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(entry.path() / "annotations")) files.push_back(f.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        std::string text = ReadFile(f);
        Reply r = c.Request("POST", base + "/import", text, {{"Content-Type", "application/json"}});
        ASSERT_EQ(r.status, 201) << f << ": " << r.body;
        ++expected_tasks;
        json task = json::parse(text);
        // As in Label Studio, an object without "data" is itself the task's
        // data (video_bboxes/annotations/1.json is such a fragment), so its
        // "annotations" key is data, not annotations.
        if (!task.contains("data")) continue;
        for (const auto& a : task["annotations"]) expected_results.push_back(a["result"]);
      }
    }
    Reply exp = c.Get(base + "/export?exportType=JSON&download_all_tasks=true");
    ASSERT_EQ(exp.status, 200) << exp.body;
    json exported = exp.Json();
    ASSERT_EQ(exported.size(), expected_tasks);
    std::vector<json> got_results;
    for (const auto& task : exported) {
      EXPECT_TRUE(task["data"].is_object());
      for (const auto& a : task["annotations"]) got_results.push_back(a["result"]);
    }
    EXPECT_EQ(got_results, expected_results);
  }
  EXPECT_GE(examples, 10);
}

}  // namespace
}  // namespace tessera::testing
