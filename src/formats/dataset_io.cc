// Shared helpers of the dataset formats: spills, unique names, file reading,
// image headers, XML escaping.
#include "src/formats/dataset_io.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>

namespace tessera::formats {

namespace fs = std::filesystem;

Status Spill::Append(std::string_view bytes) {
  if (!file_) return Status::IOError("cannot create a temporary file");
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return Status::IOError("writing a temporary file failed (disk full?)");
  }
  size_ += bytes.size();
  return Status::Ok();
}

Status Spill::CopyTo(SinkFile& out) {
  if (!file_) return Status::IOError("cannot create a temporary file");
  std::rewind(file_);
  std::string buf(1 << 16, '\0');
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), file_)) > 0) {
    TESSERA_RETURN_IF_ERROR(out.Write(std::string_view(buf.data(), n)));
  }
  if (std::ferror(file_)) return Status::IOError("reading a temporary file failed");
  return Status::Ok();
}

Status Spill::ForEachLine(const std::function<Status(std::string_view)>& fn) {
  if (!file_) return Status::IOError("cannot create a temporary file");
  std::rewind(file_);
  std::string buf(1 << 16, '\0');
  std::string line;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), file_)) > 0) {
    std::string_view chunk(buf.data(), n);
    size_t start = 0, newline;
    while ((newline = chunk.find('\n', start)) != std::string_view::npos) {
      line.append(chunk.substr(start, newline - start));
      TESSERA_RETURN_IF_ERROR(fn(line));
      line.clear();
      start = newline + 1;
    }
    line.append(chunk.substr(start));
  }
  if (std::ferror(file_)) return Status::IOError("reading a temporary file failed");
  return line.empty() ? Status::Ok() : fn(line);
}

std::string NameAllocator::Unique(const Item& item, std::string_view fallback_ext) {
  std::string name = BaseName(item.image);
  if (name.empty()) name = "task-" + item.id + std::string(fallback_ext);
  uint64_t hash = std::hash<std::string>{}(name);
  if (seen_.insert(hash).second) return name;
  name = item.id + "_" + name;
  seen_.insert(std::hash<std::string>{}(name));
  return name;
}

Result<std::string> ReadFileLimited(const fs::path& path, size_t max_bytes) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return Status::NotFound("cannot read " + path.string() + ": " + ec.message());
  if (size > max_bytes) {
    return Status::PayloadTooLarge(path.string() + " is " + std::to_string(size) +
                                   " bytes; the limit is " + std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path.string());
  std::string data(static_cast<size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) return Status::IOError("short read of " + path.string());
  return data;
}

std::pair<int64_t, int64_t> ImageSizeFromFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {0, 0};
  std::string head(1 << 16, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return ImageSizeFromBytes(head);
}

std::pair<int64_t, int64_t> ImageSizeFromBytes(std::string_view head) {
  auto byte = [&](size_t i) -> uint32_t { return i < head.size() ? static_cast<unsigned char>(head[i]) : 0; };
  if (head.size() >= 24 && head.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) {
    int64_t w = (byte(16) << 24) | (byte(17) << 16) | (byte(18) << 8) | byte(19);
    int64_t h = (byte(20) << 24) | (byte(21) << 16) | (byte(22) << 8) | byte(23);
    return {w, h};
  }
  if (byte(0) == 0xFF && byte(1) == 0xD8) {
    size_t pos = 2;
    while (pos + 9 < head.size()) {
      if (byte(pos) != 0xFF) return {0, 0};
      uint32_t marker = byte(pos + 1);
      if (marker == 0xFF) { ++pos; continue; }
      uint32_t length = (byte(pos + 2) << 8) | byte(pos + 3);
      bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        int64_t h = (byte(pos + 5) << 8) | byte(pos + 6);
        int64_t w = (byte(pos + 7) << 8) | byte(pos + 8);
        return {w, h};
      }
      if (length < 2) return {0, 0};
      pos += 2 + length;
    }
  }
  return {0, 0};
}

std::string UrlDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(plus_is_space && text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

namespace {

fs::path UnderRoot(const fs::path& root, const std::string& relative) {
  if (root.empty() || relative.empty()) return {};
  fs::path rel(relative);
  if (rel.is_absolute()) return {};
  for (const fs::path& part : rel) {
    if (part == "..") return {};
  }
  return root / rel;
}

}  // namespace

fs::path LocalImageFile(std::string_view url, const fs::path& media_root, const fs::path& local_files_root) {
  constexpr std::string_view kUpload = "/data/upload/";
  constexpr std::string_view kLocal = "/data/local-files/";
  if (url.rfind(kUpload, 0) == 0) {
    std::string rest(url.substr(kUpload.size()));
    rest = rest.substr(0, rest.find_first_of("?#"));
    return UnderRoot(media_root.empty() ? fs::path() : media_root / "upload", UrlDecode(rest, true));
  }
  if (url.rfind(kLocal, 0) == 0) {
    size_t d = url.find("d=", kLocal.size());
    if (d == std::string_view::npos) return {};
    std::string_view value = url.substr(d + 2);
    value = value.substr(0, value.find('&'));
    return UnderRoot(local_files_root, UrlDecode(value, true));
  }
  return {};
}

Status CopyLocalImage(const WriterContext& ctx, const Item& item, const std::string& path, SinkFile& file,
                      bool* copied) {
  *copied = false;
  fs::path local = LocalImageFile(item.image, ctx.media_root, ctx.local_files_root);
  if (local.empty()) return Status::Ok();
  std::error_code ec;
  fs::path real = fs::weakly_canonical(local, ec);
  if (ec || !fs::is_regular_file(real, ec)) return Status::Ok();
  bool inside = false;
  for (const fs::path& root : {ctx.media_root.empty() ? fs::path() : ctx.media_root / "upload", ctx.local_files_root}) {
    if (root.empty()) continue;
    std::error_code root_ec;
    fs::path real_root = fs::weakly_canonical(root, root_ec);
    if (root_ec) continue;
    auto [root_end, unused] = std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end());
    inside |= root_end == real_root.end();
  }
  if (!inside) return Status::Ok();
  std::ifstream in(real, std::ios::binary);
  if (!in) return Status::Ok();
  TESSERA_RETURN_IF_ERROR(file.Open(path));
  std::string buf(1 << 16, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) {
      TESSERA_RETURN_IF_ERROR(file.Write(std::string_view(buf.data(), static_cast<size_t>(in.gcount()))));
    }
  }
  if (in.bad()) return Status::IOError("reading " + real.string() + " failed");
  *copied = true;
  return file.Close();
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab/newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out.push_back(c);
    }
  }
  return out;
}

std::vector<double> AxisAlignedBox(const Shape& box, Tally& skipped) {
  if (box.rotation == 0 || box.points.size() != 4) return box.points;
  skipped.Add("rotated box written as its axis-aligned bounds");
  double x = box.points[0], y = box.points[1];
  double w = box.points[2] - x, h = box.points[3] - y;
  double rad = box.rotation * M_PI / 180.0;
  double c = std::cos(rad), s = std::sin(rad);
  std::vector<double> corners;
  for (auto [dx, dy] : {std::pair{0.0, 0.0}, {w, 0.0}, {w, h}, {0.0, h}}) {
    corners.push_back(x + dx * c - dy * s);
    corners.push_back(y + dx * s + dy * c);
  }
  return Bounds(corners);
}

}  // namespace tessera::formats
