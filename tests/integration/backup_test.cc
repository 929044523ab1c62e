// tessera backup / restore: a backup taken while the server runs and serves
// writes restores into a fresh data folder with the same projects, tasks,
// annotations, users and media bytes; damaged or unfinished backups and
// overwrites are refused with a clear message.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kConfig[] =
    "<View><Image name=\"img\" value=\"$picture\"/>"
    "<Choices name=\"kind\" toName=\"img\"><Choice value=\"Cat\"/><Choice value=\"Dog\"/></Choices></View>";

json Choice(const char* v) {
  return json{{"result", json::array({{{"from_name", "kind"}, {"to_name", "img"},
                                       {"type", "choices"}, {"value", {{"choices", {v}}}}}})}};
}

TEST(BackupTest, RoundTripWhileTheServerWrites) {
  ServerProcess source;
  std::string token = source.AddUser("admin@example.com", "correct horse", true);
  source.Start();
  HttpClient c("127.0.0.1", source.port());
  c.SetHeader("Authorization", "Token " + token);
  Reply p = c.PostJson("/api/projects", json{{"title", "pets"}, {"label_config", kConfig}});
  ASSERT_EQ(p.status, 201) << p.body;
  int pid = p.Json()["id"];
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(3000, 'p');
  Reply up = c.PostFiles("/api/projects/" + std::to_string(pid) + "/import?return_task_ids=1",
                         {{"file", "cat.png", png}});
  ASSERT_EQ(up.status, 201) << up.body;
  int task = up.Json()["task_ids"][0];
  ASSERT_EQ(c.PostJson("/api/tasks/" + std::to_string(task) + "/annotations", Choice("Cat")).status, 201);

  // Writes keep coming while the backup runs; what the backup holds is a
  // consistent snapshot that includes everything acknowledged before it began.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    HttpClient w("127.0.0.1", source.port());
    w.SetHeader("Authorization", "Token " + token);
    while (!stop) w.PostJson("/api/tasks/" + std::to_string(task) + "/annotations", Choice("Dog"));
  });
  fs::path backup = source.data_dir().parent_path() / ("backup-" + std::to_string(source.port()));
  std::string out, err;
  int rc = RunTessera({"backup", "--data", source.data_dir().string(), "--out", backup.string()}, &out, &err);
  stop = true;
  writer.join();
  ASSERT_EQ(rc, 0) << err;
  EXPECT_TRUE(fs::exists(backup / "manifest.json"));
  json manifest = json::parse(std::ifstream(backup / "manifest.json"));
  EXPECT_EQ(manifest["format"], "tessera-backup");
  EXPECT_EQ(manifest["media"]["files"], 1);
  // A second backup into the same folder is refused: nothing is overwritten.
  EXPECT_EQ(RunTessera({"backup", "--data", source.data_dir().string(), "--out", backup.string()}, &out, &err), 1);
  EXPECT_NE(err.find("not empty"), std::string::npos) << err;

  ServerProcess target;
  ASSERT_EQ(RunTessera({"restore", "--from", backup.string(), "--data", target.data_dir().string()}, &out, &err), 0)
      << err;
  target.Start();
  HttpClient r("127.0.0.1", target.port());
  r.SetHeader("Authorization", "Token " + token);  // the user and token came along
  json project = r.Get("/api/projects/" + std::to_string(pid)).Json();
  EXPECT_EQ(project["title"], "pets");
  json annotations = r.Get("/api/tasks/" + std::to_string(task) + "/annotations").Json();
  ASSERT_GE(annotations.size(), 1u);
  EXPECT_EQ(annotations[0]["result"][0]["value"]["choices"][0], "Cat");
  std::string url = r.Get("/api/tasks/" + std::to_string(task)).Json()["data"]["picture"];
  Reply img = r.Get(url);
  ASSERT_EQ(img.status, 200);
  EXPECT_EQ(img.body, png);
  // Every annotation the restored server has is intact JSON with its author.
  for (const auto& a : annotations) EXPECT_TRUE(a["result"].is_array()) << a.dump();
  target.Stop();

  // Restoring over an existing database needs --force and keeps the old one.
  EXPECT_EQ(RunTessera({"restore", "--from", backup.string(), "--data", target.data_dir().string()}, &out, &err), 1);
  EXPECT_NE(err.find("--force"), std::string::npos) << err;
  ASSERT_EQ(RunTessera({"restore", "--from", backup.string(), "--data", target.data_dir().string(), "--force"},
                       &out, &err),
            0)
      << err;
  bool kept = false;
  for (const auto& entry : fs::directory_iterator(target.data_dir()))
    kept |= entry.path().filename().string().rfind("tessera.db.before-restore-", 0) == 0;
  EXPECT_TRUE(kept);

  // A damaged backup is refused before anything is touched.
  {
    std::fstream db(backup / "tessera.db", std::ios::in | std::ios::out | std::ios::binary);
    db.seekp(200);
    db.put('\x5a');
  }
  ServerProcess third;
  EXPECT_EQ(RunTessera({"restore", "--from", backup.string(), "--data", third.data_dir().string()}, &out, &err), 1);
  EXPECT_NE(err.find("checksum"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(third.data_dir() / "tessera.db"));
  fs::remove(backup / "manifest.json");
  EXPECT_EQ(RunTessera({"restore", "--from", backup.string(), "--data", third.data_dir().string()}, &out, &err), 1);
  EXPECT_NE(err.find("manifest.json is missing"), std::string::npos) << err;
  fs::remove_all(backup);
}

}  // namespace
}  // namespace tessera::testing
