// Serving files from disk: MIME types, ETag/If-None-Match, single byte
// ranges, and a guard that keeps every path inside its root folder.
#ifndef TESSERA_SERVER_FILE_RESPONSE_H_
#define TESSERA_SERVER_FILE_RESPONSE_H_

#include <filesystem>
#include <string>

#include "server/net/http_types.h"
#include "tessera/status.h"

namespace tessera::server {

// Resolves `relative` (one or more '/'-separated segments, already decoded)
// under `root`. NotFound for anything that could escape it: "..", absolute
// paths, backslashes, NUL bytes, or symlinks leading outside.
Result<std::filesystem::path> SafeJoin(const std::filesystem::path& root,
                                       const std::string& relative);

// "image/jpeg" etc. from the extension; application/octet-stream otherwise.
std::string MimeTypeFor(const std::filesystem::path& path);

// A 200/206/304/416 response for the file (which must exist), honouring
// Range and If-None-Match. Large bodies stream from disk.
HttpResponse FileResponse(const HttpRequest& req, const std::filesystem::path& path,
                          const std::string& cache_control);

// Keeps letters, digits, '.', '-' and '_' of an uploaded file's name (at most
// 100 characters); never empty, never starting with '.'.
std::string SanitizeFileName(const std::string& name);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_FILE_RESPONSE_H_
