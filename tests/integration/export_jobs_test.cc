// Background export jobs (issue 6): POST /api/projects/{id}/exports runs the
// export on the server's export thread; GET shows progress; the download is
// the same file the direct export (?exportType=) sends; jobs survive a
// restart (run again) and give up after three interruptions.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "tessera/util.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr char kConfig[] =
    "<View><Text name=\"text\" value=\"$text\"/>"
    "<Choices name=\"mood\" toName=\"text\"><Choice value=\"Good\"/><Choice value=\"Bad\"/></Choices></View>";

class ExportJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_token_ = server_.AddUser("admin@example.com", "correct horse", true);
    annotator_token_ = server_.AddUser("annotator@example.com", "battery staple", false);
    outsider_token_ = server_.AddUser("outsider@example.com", "battery staple", false);
    server_.Start();
  }
  HttpClient As(const std::string& token) {
    HttpClient c("127.0.0.1", server_.port());
    c.SetHeader("Authorization", "Token " + token);
    return c;
  }
  // A project with `tasks` tasks, the first `labeled` of them annotated.
  int64_t MakeProject(int tasks, int labeled) {
    HttpClient admin = As(admin_token_);
    Reply p = admin.PostJson("/api/projects", json{{"title", "exports"}, {"label_config", kConfig}});
    EXPECT_EQ(p.status, 201) << p.body;
    const int64_t pid = p.Json()["id"];
    json list = json::array();
    for (int idx = 0; idx < tasks; ++idx) {
      json task = {{"data", {{"text", "text number " + std::to_string(idx)}}}};
      if (idx < labeled) {
        task["annotations"] = json::array({{{"result", json::array({{{"from_name", "mood"},
                                                                      {"to_name", "text"},
                                                                      {"type", "choices"},
                                                                      {"value", {{"choices", {idx % 2 ? "Bad" : "Good"}}}}}})}}});
      }
      list.push_back(task);
    }
    Reply imp = admin.PostJson("/api/projects/" + std::to_string(pid) + "/import", list);
    EXPECT_EQ(imp.status, 201) << imp.body;
    return pid;
  }
  // Polls the job until its status is `want` (or 20 s pass); returns the last reply's JSON.
  json WaitFor(HttpClient& c, const std::string& job_url, const std::string& want) {
    json job;
    for (int attempt = 0; attempt < 400; ++attempt) {
      Reply r = c.Get(job_url);
      EXPECT_EQ(r.status, 200) << r.body;
      job = r.Json();
      if (job.value("status", "") == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return job;
  }

  ServerProcess server_;
  std::string admin_token_, annotator_token_, outsider_token_;
};

TEST_F(ExportJobsTest, JobDownloadEqualsDirectExport) {
  const int64_t pid = MakeProject(2500, 1200);
  HttpClient admin = As(admin_token_);
  const std::string base = "/api/projects/" + std::to_string(pid);

  Reply created = admin.PostJson(base + "/exports", json{{"exportType", "JSON"}, {"title", "nightly"}});
  ASSERT_EQ(created.status, 201) << created.body;
  json job = created.Json();
  const int64_t job_id = job["id"];
  EXPECT_EQ(job["title"], "nightly");
  EXPECT_EQ(job["status"], "created");
  EXPECT_EQ(job["created_by"]["email"], "admin@example.com");
  EXPECT_TRUE(job["finished_at"].is_null());
  EXPECT_EQ(job["converted_formats"][0]["export_type"], "JSON");
  const std::string job_url = base + "/exports/" + std::to_string(job_id);

  job = WaitFor(admin, job_url, "completed");
  ASSERT_EQ(job["status"], "completed") << job.dump();
  EXPECT_EQ(job["counters"]["task_number"], 1200);  // tasks with annotations only
  EXPECT_EQ(job["progress"]["tasks_done"], 1200);
  EXPECT_EQ(job["attempts"], 1);
  EXPECT_FALSE(job["finished_at"].is_null());

  Reply file = admin.Get(job_url + "/download?exportType=JSON");
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(file.Header("content-type"), "application/json");
  EXPECT_NE(file.Header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(Md5Hex(file.body), job["md5"].get<std::string>());
  EXPECT_EQ(static_cast<int64_t>(file.body.size()), job["file_size"].get<int64_t>());
  json tasks = json::parse(file.body);
  ASSERT_EQ(tasks.size(), 1200u);
  EXPECT_EQ(tasks[1]["annotations"][0]["result"][0]["value"]["choices"][0], "Bad");

  Reply direct = admin.Get(base + "/export?exportType=JSON");
  ASSERT_EQ(direct.status, 200);
  EXPECT_EQ(file.body, direct.body);  // byte for byte the direct export
  // Without exportType the download is the same file.
  EXPECT_EQ(admin.Get(job_url + "/download").body, file.body);

  // CSV with every task, as a second job; the list is newest first.
  Reply csv = admin.PostJson(base + "/exports", json{{"exportType", "CSV"}, {"download_all_tasks", true}});
  ASSERT_EQ(csv.status, 201) << csv.body;
  const int64_t csv_id = csv.Json()["id"];
  json csv_job = WaitFor(admin, base + "/exports/" + std::to_string(csv_id), "completed");
  EXPECT_EQ(csv_job["counters"]["task_number"], 2500);
  Reply csv_file = admin.Get(base + "/exports/" + std::to_string(csv_id) + "/download");
  EXPECT_EQ(csv_file.body, admin.Get(base + "/export?exportType=CSV&download_all_tasks=true").body);
  Reply list = admin.Get(base + "/exports");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Json().size(), 2u);
  EXPECT_EQ(list.Json()[0]["id"], csv_id);
  EXPECT_EQ(list.Json()[1]["id"], job_id);

  // Asking for another format than the job's is refused, naming both.
  Reply wrong = admin.Get(job_url + "/download?exportType=CSV");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_NE(wrong.body.find("exportType=JSON"), std::string::npos) << wrong.body;

  // Delete: the job and its file are gone.
  const auto exports_dir = server_.data_dir() / "exports";
  ASSERT_TRUE(std::filesystem::exists(exports_dir / ("project-" + std::to_string(pid) + "-export-" +
                                                     std::to_string(job_id) + ".json")));
  EXPECT_EQ(admin.Delete(job_url).status, 204);
  EXPECT_EQ(admin.Get(job_url).status, 404);
  EXPECT_EQ(admin.Get(job_url + "/download").status, 404);
  EXPECT_EQ(admin.Delete(job_url).status, 404);
  EXPECT_FALSE(std::filesystem::exists(exports_dir / ("project-" + std::to_string(pid) + "-export-" +
                                                      std::to_string(job_id) + ".json")));
  // Another project's id in the path does not reach the job.
  const int64_t other = MakeProject(1, 0);
  EXPECT_EQ(admin.Get("/api/projects/" + std::to_string(other) + "/exports/" + std::to_string(csv_id)).status, 404);

  // Audit entries for the create, the download and the delete.
  Reply audit = admin.Get("/api/audit?project=" + std::to_string(pid));
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::set<std::string> actions;
  const json entries = audit.Json();  // not audit.Json()["results"] in the loop: a dangling temporary
  for (const json& e : entries["results"]) actions.insert(e["action"].get<std::string>());
  EXPECT_TRUE(actions.count("project.export_job.create"));
  EXPECT_TRUE(actions.count("project.export_job.delete"));
  EXPECT_TRUE(actions.count("project.export"));

  // Deleting the project removes its jobs' files too.
  const auto csv_file_path = exports_dir / ("project-" + std::to_string(pid) + "-export-" + std::to_string(csv_id) + ".csv");
  ASSERT_TRUE(std::filesystem::exists(csv_file_path));
  ASSERT_EQ(admin.Delete(base).status, 204);
  EXPECT_FALSE(std::filesystem::exists(csv_file_path));
}

// A zip with the DOS time and date of every entry zeroed: in each local
// header (bytes 10..13 after "PK\3\4") and central directory record (bytes
// 12..15 after "PK\1\2"). Both zips compared are masked the same way, so a
// signature that happens to occur inside compressed data does no harm.
std::string WithoutZipTimes(std::string zip) {
  auto mask = [&zip](std::string_view signature, size_t offset) {
    for (size_t at = zip.find(signature); at != std::string::npos; at = zip.find(signature, at + 1)) {
      for (size_t i = at + offset; i < at + offset + 4 && i < zip.size(); ++i) zip[i] = '\0';
    }
  };
  mask(std::string_view("PK\x03\x04", 4), 10);
  mask(std::string_view("PK\x01\x02", 4), 12);
  return zip;
}

// download_resources on a job, as on the direct export: the uploaded images
// go into the COCO zip; formats that cannot carry them are refused at once.
TEST_F(ExportJobsTest, DownloadResourcesPutsTheImagesIntoTheZip) {
  HttpClient admin = As(admin_token_);
  Reply p = admin.PostJson("/api/projects",
                           json{{"title", "images"},
                                {"label_config", "<View><Image name=\"image\" value=\"$image\"/>"
                                                 "<RectangleLabels name=\"box\" toName=\"image\">"
                                                 "<Label value=\"cat\"/></RectangleLabels></View>"}});
  ASSERT_EQ(p.status, 201) << p.body;
  const int64_t pid = p.Json()["id"];
  const std::string base = "/api/projects/" + std::to_string(pid);
  const auto upload_dir = server_.data_dir() / "media" / "upload" / std::to_string(pid);
  std::filesystem::create_directories(upload_dir);
  const std::string image_bytes = "pretend-png-bytes-" + std::string(3000, 'x');
  {
    std::ofstream out(upload_dir / "ab12cd34-whiskers.png", std::ios::binary);
    out << image_bytes;
  }
  json box = {{"from_name", "box"}, {"to_name", "image"}, {"type", "rectanglelabels"},
              {"original_width", 40}, {"original_height", 20},
              {"value", {{"x", 10}, {"y", 10}, {"width", 50}, {"height", 50}, {"rectanglelabels", {"cat"}}}}};
  json task = {{"data", {{"image", "/data/upload/" + std::to_string(pid) + "/ab12cd34-whiskers.png"}}},
               {"annotations", json::array({{{"result", json::array({box})}}})}};
  ASSERT_EQ(admin.PostJson(base + "/import", json::array({task})).status, 201);

  auto run = [&](const json& body) {
    Reply created = admin.PostJson(base + "/exports", body);
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string url = base + "/exports/" + std::to_string(created.Json()["id"].get<int64_t>());
    json job = WaitFor(admin, url, "completed");
    EXPECT_EQ(job["status"], "completed") << job.dump();
    return admin.Get(url + "/download").body;
  };
  const std::string with = run(json{{"exportType", "COCO"}, {"download_resources", true}});
  const std::string without = run(json{{"exportType", "COCO"}});
  EXPECT_NE(with.find("images/"), std::string::npos);
  EXPECT_NE(with.find("whiskers.png"), std::string::npos);
  EXPECT_EQ(without.find("images/"), std::string::npos);
  EXPECT_GT(with.size(), without.size());
  // The job's zip is the direct export's, byte for byte apart from the
  // entries' modification times (the two were written seconds apart).
  EXPECT_EQ(WithoutZipTimes(with),
            WithoutZipTimes(admin.Get(base + "/export?exportType=COCO&download_resources=true").body));

  Reply refused = admin.PostJson(base + "/exports", json{{"exportType", "VOC"}, {"download_resources", true}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("download_resources"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("COCO"), std::string::npos) << refused.body;
  Reply bad = admin.PostJson(base + "/exports", json{{"exportType", "COCO"}, {"download_resources", "yes"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(ExportJobsTest, BadOptionsAreRefusedWithTheAllowedValues) {
  const int64_t pid = MakeProject(3, 3);
  HttpClient admin = As(admin_token_);
  const std::string base = "/api/projects/" + std::to_string(pid) + "/exports";
  Reply bad = admin.PostJson(base, json{{"exportType", "PDF"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("exportType"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("JSON, JSONL"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("COCO"), std::string::npos) << bad.body;
  // VOC needs an image config: refused, naming the formats that fit.
  Reply voc = admin.PostJson(base, json{{"exportType", "VOC"}});
  EXPECT_EQ(voc.status, 400) << voc.body;
  EXPECT_NE(voc.body.find("JSON"), std::string::npos) << voc.body;
  Reply split = admin.PostJson(base, json{{"exportType", "JSON"}, {"split", "half"}});
  EXPECT_EQ(split.status, 400) << split.body;
  EXPECT_NE(split.body.find("split"), std::string::npos) << split.body;
  Reply ann = admin.PostJson(base, json{{"annotations", "best"}});
  EXPECT_EQ(ann.status, 400) << ann.body;
  EXPECT_NE(ann.body.find("ground_truth"), std::string::npos) << ann.body;
  Reply type = admin.PostJson(base, json{{"download_all_tasks", "yes"}});
  EXPECT_EQ(type.status, 400) << type.body;
  Reply seed = admin.PostJson(base, json{{"seed", -1}});
  EXPECT_EQ(seed.status, 400) << seed.body;
  Reply junk = admin.Request("POST", base, "{not json", {{"Content-Type", "application/json"}});
  EXPECT_EQ(junk.status, 400) << junk.body;
  // Nothing was created by the refusals; an empty body is a JSON export.
  EXPECT_EQ(admin.Get(base).Json().size(), 0u);
  Reply plain = admin.Request("POST", base, "", {});
  ASSERT_EQ(plain.status, 201) << plain.body;
  EXPECT_EQ(plain.Json()["exportType"], "JSON");
  // Not ready yet, or ready: never a 500. A missing job is 404.
  EXPECT_EQ(admin.Get(base + "/999999").status, 404);
  EXPECT_EQ(admin.Get(base + "/abc").status, 404);  // not an id: no such route
}

TEST_F(ExportJobsTest, OnlyManagersOfTheProject) {
  const int64_t pid = MakeProject(3, 3);
  HttpClient admin = As(admin_token_);
  const std::string base = "/api/projects/" + std::to_string(pid);
  Reply me = As(annotator_token_).Get("/api/current-user/whoami");
  ASSERT_EQ(admin.PostJson(base + "/members", json{{"user", me.Json()["id"]}, {"role", "annotator"}}).status, 201);
  Reply created = admin.PostJson(base + "/exports", json::object());
  ASSERT_EQ(created.status, 201);
  const std::string job_url = base + "/exports/" + std::to_string(created.Json()["id"].get<int64_t>());
  WaitFor(admin, job_url, "completed");
  HttpClient annotator = As(annotator_token_);
  EXPECT_EQ(annotator.PostJson(base + "/exports", json::object()).status, 403);
  EXPECT_EQ(annotator.Get(base + "/exports").status, 403);
  EXPECT_EQ(annotator.Get(job_url).status, 403);
  EXPECT_EQ(annotator.Get(job_url + "/download").status, 403);
  EXPECT_EQ(annotator.Delete(job_url).status, 403);
  HttpClient outsider = As(outsider_token_);
  EXPECT_EQ(outsider.Get(job_url).status, 404);
  EXPECT_EQ(outsider.Get(job_url + "/download").status, 404);
  HttpClient anonymous("127.0.0.1", server_.port());
  EXPECT_EQ(anonymous.Get(job_url).status, 401);
  // A manager may.
  ASSERT_EQ(admin.PostJson(base + "/members", json{{"user", me.Json()["id"]}, {"role", "manager"}}).status, 201);
  EXPECT_EQ(annotator.Get(job_url + "/download").status, 200);
}

TEST_F(ExportJobsTest, InterruptedJobsRunAgainAfterARestartThenGiveUp) {
  const int64_t pid = MakeProject(40, 40);
  HttpClient admin = As(admin_token_);
  const std::string base = "/api/projects/" + std::to_string(pid) + "/exports/";
  const int64_t admin_id = admin.Get("/api/current-user/whoami").Json()["id"];
  server_.Stop();
  Id rerun = 0, given_up = 0;
  {
    // As a server that died would leave them: job b claimed three times,
    // each lease run out; job a claimed once (some progress made), its lease
    // run out.
    auto store = server_.OpenStore();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ExportJob b;
    b.project_id = pid;
    b.created_by = admin_id;
    b.format = "JSON";
    ASSERT_TRUE((*store)->CreateExportJob(&b).ok());
    const TimeMs t0 = NowMs() - 10'000;
    for (int attempt = 0; attempt < ExportJob::kMaxAttempts; ++attempt) {
      auto claimed = (*store)->ClaimExportJob("dead-b" + std::to_string(attempt), t0 + 10 * attempt, 1);
      ASSERT_TRUE(claimed.ok() && claimed->has_value() && (*claimed)->id == b.id);
    }
    ExportJob a = b;
    ASSERT_TRUE((*store)->CreateExportJob(&a).ok());
    auto claimed = (*store)->ClaimExportJob("dead-a", t0 + 20, 1);
    ASSERT_TRUE(claimed.ok() && claimed->has_value() && (*claimed)->id == a.id);
    ASSERT_TRUE((*store)->UpdateExportJobProgress(a.id, "dead-a", 7, 40, t0 + 20, 1).ok());
    rerun = a.id;
    given_up = b.id;
  }
  server_.Start();
  admin = As(admin_token_);  // the restarted server listens on a new port
  json job = WaitFor(admin, base + std::to_string(rerun), "completed");
  EXPECT_EQ(job["status"], "completed") << job.dump();
  EXPECT_EQ(job["attempts"], 2);
  EXPECT_EQ(job["counters"]["task_number"], 40);
  Reply file = admin.Get(base + std::to_string(rerun) + "/download");
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(json::parse(file.body).size(), 40u);
  json failed = WaitFor(admin, base + std::to_string(given_up), "failed");
  EXPECT_EQ(failed["status"], "failed") << failed.dump();
  EXPECT_NE(failed["error"].get<std::string>().find("interrupted 3 times"), std::string::npos) << failed.dump();
  EXPECT_EQ(failed["converted_formats"][0]["traceback"], failed["error"]);
  Reply not_ready = admin.Get(base + std::to_string(given_up) + "/download");
  EXPECT_EQ(not_ready.status, 409) << not_ready.body;
  EXPECT_NE(not_ready.body.find("failed"), std::string::npos) << not_ready.body;
}

}  // namespace
}  // namespace tessera::testing
