#include "common/file_io.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

namespace {

// The file a chain of symbolic links ends at (the path itself when it is no link), so that
// replacing it keeps the links. A dangling link resolves to where it points.
std::filesystem::path FollowLinks(const std::filesystem::path& path) {
  std::filesystem::path p = path;
  std::error_code ec;
  for (int hops = 0; hops < 40 && std::filesystem::is_symlink(p, ec); ++hops) {
    std::filesystem::path target = std::filesystem::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  return p;
}

// Blocks the signals that end a process by default while it lives, so that a Ctrl-C or a kill
// arrives only after the file is in place or cleaned up.
class TerminationSignalsBlocked {
 public:
  TerminationSignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  TerminationSignalsBlocked(const TerminationSignalsBlocked&) = delete;
  TerminationSignalsBlocked& operator=(const TerminationSignalsBlocked&) = delete;
  ~TerminationSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_{};
};

void WriteAndSync(int fd, std::span<const uint8_t> content, mode_t mode,
                  const std::filesystem::path& path) {
  WriteAll(fd, content.data(), content.size(), path);
  if (::fchmod(fd, mode) != 0) throw IoError(path, "cannot set permissions", errno);
  if (::fsync(fd) != 0) throw IoError(path, "cannot flush to disk", errno);
}

// Gives the anonymous file `fd` (O_TMPFILE) a temporary name beside `target` and renames it over
// `target`; the name exists only between the two calls, with termination signals blocked.
void LinkOver(int fd, const std::filesystem::path& target, const std::filesystem::path& dir) {
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  TerminationSignalsBlocked blocked;
  for (int attempt = 0;; ++attempt) {
    std::string name = (dir / ("." + target.filename().string() + ".tmp-" +
                               std::to_string(::getpid()) + "-" + std::to_string(attempt)))
                           .string();
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      if (errno == EEXIST && attempt < 100) continue;
      throw IoError(target, "cannot name the temporary file", errno);
    }
    if (::rename(name.c_str(), target.c_str()) != 0) {
      int err = errno;
      ::unlink(name.c_str());
      throw IoError(target, "cannot replace", err);
    }
    return;
  }
}

// Fallback where O_TMPFILE is unsupported: a named temporary file, with termination signals
// blocked from creation to rename so that only SIGKILL can leave it behind.
void WriteNamedTemporary(const std::filesystem::path& target, const std::filesystem::path& dir,
                         std::span<const uint8_t> content, mode_t mode) {
  TerminationSignalsBlocked blocked;
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  Fd fd(::mkstemp(tmpl.data()));
  if (fd.get() < 0) throw IoError(target, "cannot create a temporary file beside it", errno);
  try {
    WriteAndSync(fd.get(), content, mode, target);
    if (::close(fd.release()) != 0) throw IoError(target, "cannot close", errno);
    if (::rename(tmpl.c_str(), target.c_str()) != 0) throw IoError(target, "cannot replace", errno);
  } catch (...) {
    ::unlink(tmpl.c_str());
    throw;
  }
}

}  // namespace

void WriteFileAtomic(const std::filesystem::path& path, std::span<const uint8_t> content) {
  std::filesystem::path target = FollowLinks(path);
  CheckWritable(target);
  std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
  mode_t mode = 0644;
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) mode = st.st_mode & 07777;
  // An O_TMPFILE file has no name until it is complete: a process killed while writing leaves
  // nothing behind.
  Fd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
  if (fd.get() < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    WriteNamedTemporary(target, dir, content, mode);
  } else {
    if (fd.get() < 0) throw IoError(target, "cannot create a temporary file beside it", errno);
    WriteAndSync(fd.get(), content, mode, target);
    LinkOver(fd.get(), target, dir);
  }
  FsyncDirectory(dir);
}

void WriteFileAtomic(const std::filesystem::path& path, std::string_view content) {
  WriteFileAtomic(path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content.data()),
                                                 content.size()));
}

}  // namespace tockctl
