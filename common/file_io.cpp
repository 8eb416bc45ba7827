#include "common/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace tockctl {
namespace {

Error IoError(const std::filesystem::path& path, const std::string& what, int err) {
  ErrorContext ctx;
  ctx.file = path.string();
  std::string msg = what;
  if (err != 0) msg += ": " + std::string(std::strerror(err));
  return Error(ErrorCategory::kIo, msg, ctx);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

void WriteAll(int fd, const uint8_t* data, size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError(path, "cannot write", errno);
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void FsyncDirectory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

}  // namespace

std::string ReadFile(const std::filesystem::path& path, uint64_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) throw IoError(path, "no such file", 0);
    throw IoError(path, "cannot open", errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw IoError(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) throw IoError(path, "is a directory, expected a file", 0);
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_size) {
    ErrorContext ctx;
    ctx.file = path.string();
    throw Error(ErrorCategory::kInvalidInput,
                "file is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                    std::to_string(max_size),
                ctx);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError(path, "cannot read", errno);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_size) throw IoError(path, "file grew past the size limit", 0);
  }
  return out;
}

std::vector<uint8_t> ReadBinaryFile(const std::filesystem::path& path, uint64_t max_size) {
  std::string s = ReadFile(path, max_size);
  return std::vector<uint8_t>(s.begin(), s.end());
}

void CheckWritable(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) throw IoError(path, "is a directory, expected a file", 0);
  if ((st.st_mode & 0222) == 0 || ::access(path.c_str(), W_OK) != 0)
    throw IoError(path, "is read-only; make it writable (chmod u+w) or write elsewhere", 0);
}

void WriteFileAtomic(const std::filesystem::path& path, std::span<const uint8_t> content) {
  CheckWritable(path);
  std::filesystem::path dir = path.parent_path();
  mode_t mode = 0644;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  std::string tmpl = (dir.empty() ? std::filesystem::path(".") : dir) /
                     ("." + path.filename().string() + ".tmp-XXXXXX");
  Fd fd(::mkstemp(tmpl.data()));
  if (fd.get() < 0) throw IoError(path, "cannot create a temporary file beside it", errno);
  try {
    WriteAll(fd.get(), content.data(), content.size(), path);
    if (::fchmod(fd.get(), mode) != 0) throw IoError(path, "cannot set permissions", errno);
    if (::fsync(fd.get()) != 0) throw IoError(path, "cannot flush to disk", errno);
    if (::close(fd.release()) != 0) throw IoError(path, "cannot close", errno);
    if (::rename(tmpl.c_str(), path.c_str()) != 0) throw IoError(path, "cannot replace", errno);
  } catch (...) {
    ::unlink(tmpl.c_str());
    throw;
  }
  FsyncDirectory(dir);
}

void WriteFileAtomic(const std::filesystem::path& path, std::string_view content) {
  WriteFileAtomic(path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content.data()),
                                                 content.size()));
}

}  // namespace tockctl
