#include "server/file_response.h"

#include <cstdio>
#include <fstream>
#include <map>

#include "server/context.h"
#include "tessera/util.h"

namespace tessera::server {

namespace fs = std::filesystem;

namespace {
// Ranges larger than this are answered with their first kMaxRangeBytes (the
// client asks again for the rest, as browsers do for media).
constexpr uint64_t kMaxRangeBytes = 8ull << 20;
// Whole files up to this size are read into memory; larger ones stream.
constexpr uint64_t kInlineLimit = 1ull << 20;
}  // namespace

Result<fs::path> SafeJoin(const fs::path& root, const std::string& relative) {
  auto not_found = [&] { return Status::NotFound("file not found: " + relative); };
  if (relative.empty() || relative.size() > 1024) return not_found();
  if (relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos ||
      relative.front() == '/')
    return not_found();
  fs::path rel(relative);
  for (const auto& part : rel) {
    if (part == ".." || part == ".") return not_found();
  }
  std::error_code ec;
  fs::path canon_root = fs::weakly_canonical(root, ec);
  if (ec) return not_found();
  fs::path full = fs::weakly_canonical(root / rel, ec);
  if (ec) return not_found();
  // The resolved path (symlinks followed) must still lie under the root.
  auto [root_end, full_it] = std::mismatch(canon_root.begin(), canon_root.end(), full.begin(),
                                           full.end());
  if (root_end != canon_root.end()) return not_found();
  if (!fs::is_regular_file(full, ec)) return not_found();
  return full;
}

std::string MimeTypeFor(const fs::path& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".jpg", "image/jpeg"},      {".jpeg", "image/jpeg"},     {".png", "image/png"},
      {".gif", "image/gif"},       {".bmp", "image/bmp"},       {".webp", "image/webp"},
      {".svg", "image/svg+xml"},   {".tif", "image/tiff"},      {".tiff", "image/tiff"},
      {".ico", "image/x-icon"},    {".wav", "audio/wav"},       {".mp3", "audio/mpeg"},
      {".ogg", "audio/ogg"},       {".flac", "audio/flac"},     {".m4a", "audio/mp4"},
      {".mp4", "video/mp4"},       {".webm", "video/webm"},     {".avi", "video/x-msvideo"},
      {".mov", "video/quicktime"}, {".mkv", "video/x-matroska"}, {".dcm", "application/dicom"},
      {".json", "application/json"}, {".jsonl", "application/x-ndjson"},
      {".csv", "text/csv; charset=utf-8"}, {".tsv", "text/tab-separated-values; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"}, {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"}, {".map", "application/json"},
      {".woff2", "font/woff2"}, {".woff", "font/woff"}, {".yaml", "application/yaml"},
      {".pdf", "application/pdf"}};
  auto it = kTypes.find(ToLower(path.extension().string()));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

HttpResponse FileResponse(const HttpRequest& req, const fs::path& path,
                          const std::string& cache_control) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return ErrorResponse(404, "file not found");
  auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime));
  HttpResponse res;
  res.SetHeader("ETag", etag);
  res.SetHeader("Accept-Ranges", "bytes");
  res.SetHeader("Cache-Control", cache_control);
  res.SetHeader("Content-Type", MimeTypeFor(path));
  if (req.Header("if-none-match") == etag) {
    res.status = 304;
    return res;
  }
  uint64_t begin = 0, end = size;  // [begin, end)
  const std::string& range = req.Header("range");
  bool partial = false;
  if (!range.empty() && range.starts_with("bytes=") && range.find(',') == std::string::npos) {
    std::string spec = range.substr(6);
    size_t dash = spec.find('-');
    int64_t a = -1, b = -1;
    bool ok = dash != std::string::npos;
    if (ok && dash > 0) ok = ParseInt64(spec.substr(0, dash), &a);
    if (ok && dash + 1 < spec.size()) ok = ParseInt64(spec.substr(dash + 1), &b);
    if (ok && a < 0 && b < 0) ok = false;
    if (ok) {
      if (a < 0) {  // suffix: last b bytes
        begin = static_cast<uint64_t>(b) >= size ? 0 : size - b;
        end = size;
      } else {
        begin = a;
        end = (b < 0 || static_cast<uint64_t>(b) >= size) ? size : static_cast<uint64_t>(b) + 1;
      }
      if (begin >= size || begin >= end) {
        HttpResponse bad = ErrorResponse(416, "range " + range + " is outside the file (" +
                                                  std::to_string(size) + " bytes)");
        bad.SetHeader("Content-Range", "bytes */" + std::to_string(size));
        return bad;
      }
      partial = true;
      if (end - begin > kMaxRangeBytes) end = begin + kMaxRangeBytes;
    }
  }
  if (!partial && size > kInlineLimit) {
    res.file = FileBody{path.string(), 0, size};
    return res;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrorResponse(404, "file not found");
  res.body.resize(end - begin);
  in.seekg(static_cast<std::streamoff>(begin));
  in.read(res.body.data(), static_cast<std::streamsize>(end - begin));
  res.body.resize(static_cast<size_t>(in.gcount()));
  if (partial) {
    res.status = 206;
    res.SetHeader("Content-Range", "bytes " + std::to_string(begin) + "-" +
                                       std::to_string(begin + res.body.size() - 1) + "/" +
                                       std::to_string(size));
  }
  return res;
}

std::string SanitizeFileName(const std::string& name) {
  std::string base = name;
  size_t slash = base.find_last_of("/\\");
  if (slash != std::string::npos) base = base.substr(slash + 1);
  std::string out;
  for (char c : base) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    out += ok ? c : '_';
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  if (out.size() > 100) out = out.substr(out.size() - 100);
  if (out.empty()) out = "file";
  return out;
}

}  // namespace tessera::server
