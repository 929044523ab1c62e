// MD5 through OpenSSL's libcrypto (EVP): only for the checksum that Label
// Studio's export API reports ("md5"), never for security.
#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tessera/util.h"

namespace tessera {
namespace {

struct CtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

Result<Ctx> NewMd5() {
  Ctx ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1) {
    return Status::Internal("OpenSSL could not start an MD5 digest");
  }
  return ctx;
}

Result<std::string> HexDigest(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &size) != 1) {
    return Status::Internal("OpenSSL could not finish an MD5 digest");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int idx = 0; idx < size; ++idx) {
    hex += kHex[digest[idx] >> 4];
    hex += kHex[digest[idx] & 15];
  }
  return hex;
}

}  // namespace

std::string Md5Hex(std::string_view data) {
  auto ctx = NewMd5();
  if (!ctx.ok() || EVP_DigestUpdate(ctx->get(), data.data(), data.size()) != 1) return "";
  auto hex = HexDigest(ctx->get());
  return hex.ok() ? *hex : "";
}

Result<std::string> Md5FileHex(const std::string& path) {
  TESSERA_ASSIGN_OR_RETURN(Ctx ctx, NewMd5());
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::IOError("cannot open " + path + " to hash it");
  std::vector<unsigned char> chunk(1 << 20);
  size_t n = 0;
  bool failed = false;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), f)) > 0) {
    if (EVP_DigestUpdate(ctx.get(), chunk.data(), n) != 1) failed = true;
  }
  failed |= std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status::IOError("error reading " + path + " while hashing it");
  return HexDigest(ctx.get());
}

}  // namespace tessera
