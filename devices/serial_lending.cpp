#include "devices/serial_lending.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <thread>

#include "devices/serial_port.h"

namespace tockctl::devices {

namespace fs = std::filesystem;

namespace {

SerialLoanScope* active_scope = nullptr;

// "tockctl" for a live pid (its /proc comm), "process" when that cannot be read.
std::string ProcessName(long pid) {
  std::ifstream comm_file("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(comm_file, comm);
  return comm.empty() ? "process" : comm;
}

bool Alive(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// "PID\nWORD...\n" from an open file: the pid and the rest of the second line.
std::pair<long, std::string> ReadPidAndLine(std::istream& in) {
  long pid = 0;
  std::string rest;
  if (!(in >> pid)) return {0, {}};
  in >> std::ws;
  std::getline(in, rest);
  return {pid, rest};
}

bool SameFile(int fd, const fs::path& path) {
  struct stat opened {};
  struct stat named {};
  return ::fstat(fd, &opened) == 0 && ::stat(path.c_str(), &named) == 0 &&
         opened.st_ino == named.st_ino && opened.st_dev == named.st_dev;
}

}  // namespace

fs::path SerialBorrowFilePath(const fs::path& lock_dir, const fs::path& port) {
  fs::path lock = SerialLockFilePath(lock_dir, port);
  return lock.replace_extension(".borrow");
}

std::string SerialLockHolder::Describe() const {
  std::string name = ProcessName(pid);
  if (!lends_as.empty()) name += " " + lends_as;
  return name + ", pid " + std::to_string(pid);
}

std::optional<SerialLockHolder> ReadSerialLockHolder(const fs::path& lock_path) {
  std::ifstream in(lock_path);
  auto [pid, line] = ReadPidAndLine(in);
  if (!Alive(pid)) return std::nullopt;
  SerialLockHolder holder;
  holder.pid = pid;
  if (line.rfind("lends ", 0) == 0) holder.lends_as = line.substr(6);
  return holder;
}

std::string SerialLockFileText(long pid, const std::string& lends_as) {
  std::string text = std::to_string(pid) + "\n";
  if (!lends_as.empty()) text += "lends " + lends_as + "\n";
  return text;
}

std::optional<std::string> ActiveSerialBorrower(const fs::path& lock_dir, const fs::path& port) {
  const fs::path file = SerialBorrowFilePath(lock_dir, port);
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK) return std::nullopt;
  std::ifstream in(file);
  auto [pid, command] = ReadPidAndLine(in);
  if (pid <= 0) return "another tockctl";  // locked, its text not written yet
  std::string name = ProcessName(pid);
  if (!command.empty()) name += " " + command;
  return name + ", pid " + std::to_string(pid);
}

SerialLoanScope::SerialLoanScope(std::string command, std::chrono::milliseconds wait, Notice notice)
    : command_(std::move(command)), wait_(wait), notice_(std::move(notice)) {
  active_scope = this;
}

void SerialLoanScope::NoteBorrowed(const fs::path& port, const std::string& holder) const {
  if (notice_) {
    notice_("Borrowing serial port " + port.string() + " from " + holder + " until " + command_ +
            " ends");
  }
}

SerialLoanScope::~SerialLoanScope() {
  // Unlinked while still locked: a holder that looks now finds no file and takes its port back; a
  // job that opened the old file fails its same-file check after locking and makes a new one.
  for (auto& [path, fd] : loans_) ::unlink(path.c_str());
  loans_.clear();
  if (active_scope == this) active_scope = nullptr;
}

SerialLoanScope* SerialLoanScope::Active() { return active_scope; }

bool SerialLoanScope::Borrow(const fs::path& lock_dir, const fs::path& port, spdlog::logger& log) {
  const fs::path file = SerialBorrowFilePath(lock_dir, port);
  if (loans_.count(file) != 0) return true;
  const auto deadline = std::chrono::steady_clock::now() + wait_;
  for (;;) {
    UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd.valid()) {
      log.debug("cannot create borrow file {}: {}", file.string(), ErrnoText(errno));
      return false;
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      if (!SameFile(fd.get(), file)) continue;  // released and removed meanwhile: make a new one
      std::string text = SerialLockFileText(::getpid(), {}) + command_ + "\n";
      if (::ftruncate(fd.get(), 0) != 0 ||
          ::pwrite(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        log.debug("cannot write borrow file {}: {}", file.string(), ErrnoText(errno));
      }
      loans_.emplace(file, std::move(fd));
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace tockctl::devices
