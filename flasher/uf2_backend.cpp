#include "flasher/uf2_backend.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/file_io.h"
#include "flasher/method_settings.h"
#include "flasher/uf2_image.h"

namespace tockctl::flasher {
namespace fs = std::filesystem;
namespace {

// A UF2 drive reboots the chip as soon as the last block arrives, so the file is written in
// place (no temporary file and rename) and a failing fsync after that is expected.
void WriteToDrive(const fs::path& path, const std::vector<uint8_t>& data, spdlog::logger& log) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw Error(ErrorCategory::kIo, "cannot create " + path.string() + ": " + std::strerror(errno),
                ErrorContext{}, "check that the UF2 drive is mounted read-write");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      throw Error(ErrorCategory::kIo, "writing " + path.string() + " failed: " + std::strerror(err),
                  ErrorContext{},
                  "the drive may have been ejected; put the board in BOOTSEL mode again");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0)
    log.debug("fsync {}: {} (the board may have rebooted)", path.string(), std::strerror(errno));
  ::close(fd);
}

// /proc/self/mounts writes a space in a mount point as \040 (octal escapes).
std::string UnescapeMountField(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    const bool octal = field[i] == '\\' && i + 3 < field.size() &&
                       std::isdigit(static_cast<unsigned char>(field[i + 1])) != 0;
    if (octal) {
      out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

bool DriveSays(const fs::path& mount_point, const std::string& board_id) {
  std::ifstream info(mount_point / "INFO_UF2.TXT");
  for (std::string line; std::getline(info, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "Board-ID: " + board_id) return true;
  }
  return false;
}

std::string MountTable() {
  const char* table = std::getenv("TOCKCTL_MOUNT_TABLE");
  return table != nullptr && *table != 0 ? table : "/proc/self/mounts";
}

// Without --output or --mount: the board's drive if exactly one is mounted.
void FindDrive(Uf2Settings& s) {
  const std::string board_id = Uf2DriveBoardId(s.family_id);
  if (s.output || s.mount || board_id.empty()) return;
  const std::vector<std::string> drives = FindUf2Drives(MountTable(), board_id);
  if (drives.size() > 1) {
    std::string list;
    for (const auto& d : drives) list += (list.empty() ? "" : ", ") + d;
    throw Error(
        ErrorCategory::kUsage,
        std::to_string(drives.size()) + " " + board_id + " drives are mounted (" + list + ")",
        ErrorContext{}, "choose one with --mount DIR");
  }
  if (drives.empty()) return;
  s.mount = drives.front();
  s.mount_found = true;
}

}  // namespace

std::string Uf2DriveBoardId(uint32_t family) {
  if (family == 0xe48bff56u) return "RPI-RP2";
  if (family >= 0xe48bff57u && family <= 0xe48bff5bu && family != 0xe48bff58u) return "RP2350";
  return "";
}

std::vector<std::string> FindUf2Drives(const std::string& mount_table,
                                       const std::string& board_id) {
  std::vector<std::string> drives;
  std::ifstream table(mount_table);
  for (std::string line; std::getline(table, line);) {
    std::istringstream fields(line);
    std::string device;
    std::string mount_point;
    if (!(fields >> device >> mount_point)) continue;
    mount_point = UnescapeMountField(mount_point);
    if (DriveSays(mount_point, board_id)) drives.push_back(mount_point);
  }
  return drives;
}

uint32_t ParseUf2MethodFamily(const nlohmann::ordered_json& method) {
  MethodSettingsReader r(method, "uf2");
  const auto& v = method.contains("family_id") ? method["family_id"] : nlohmann::ordered_json();
  if (v.is_null())
    throw Error(ErrorCategory::kInvalidInput, "the uf2 flash method needs \"family_id\"",
                PointerContext("/family_id"),
                "add \"family_id\": \"0xe48bff56\" (RP2040) or \"0xe48bff59\" (RP2350 Arm)");
  if (v.is_number_unsigned()) return static_cast<uint32_t>(v.get<uint64_t>());
  if (!v.is_string())
    throw Error(ErrorCategory::kInvalidInput,
                "\"family_id\" in the uf2 flash method must be a string",
                PointerContext("/family_id"));
  return ParseUf2Family(v.get<std::string>());
}

std::string Uf2Destination(const Uf2Settings& s) {
  if (s.output && s.mount)
    throw Error(ErrorCategory::kUsage, "--output and --mount both say where the UF2 file goes",
                ErrorContext{}, "pass only one of them");
  fs::path image(s.image);
  std::string name = image.stem().string() + ".uf2";
  if (s.output) return *s.output;
  if (s.mount) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(*s.mount) / "INFO_UF2.TXT", ec))
      throw Error(
          ErrorCategory::kUsage, *s.mount + " is not a mounted UF2 drive (no INFO_UF2.TXT)",
          ErrorContext{},
          "hold BOOTSEL while plugging the board in; the drive appears as RPI-RP2 or RP2350");
    return (fs::path(*s.mount) / name).string();
  }
  fs::path out = image;
  out.replace_extension(".uf2");
  if (out == image)
    throw Error(ErrorCategory::kUsage, s.image + " is already a UF2 file", ErrorContext{},
                "copy it to the drive, or pass --mount DIR or --output FILE");
  return out.string();
}

Uf2FileBackend::Uf2FileBackend(Uf2Settings settings, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)), log_(std::move(log)) {}

Capabilities Uf2FileBackend::capabilities() const {
  Capabilities c;
  c.write = true;
  c.reset = settings_.mount.has_value();  // the drive reboots the board once the file is in
  return c;
}

void Uf2FileBackend::Connect(ProgressSink& progress) {
  destination_ = Uf2Destination(settings_);
  if (!settings_.mount) CheckWritable(destination_);
  if (settings_.mount_found)
    progress.Message("found the " + Uf2DriveBoardId(settings_.family_id) + " drive at " +
                     *settings_.mount);
  image_ = Image{};
  image_.format = "uf2";
  progress_ = &progress;
}

void Uf2FileBackend::Erase(uint64_t, uint64_t, ProgressSink&) {
  throw Error(ErrorCategory::kInternal, "the uf2 method does not erase");
}

void Uf2FileBackend::Write(const Segment& segment, ProgressSink& progress) {
  image_.segments.push_back(segment);
  progress.Advance(segment.data.size());
}

VerifyResult Uf2FileBackend::Verify(const Segment&, ProgressSink&) {
  throw Error(ErrorCategory::kInternal, "the uf2 method cannot verify");
}

std::vector<uint8_t> Uf2FileBackend::Read(uint64_t, uint64_t) {
  throw Error(ErrorCategory::kUsage, "the uf2 method cannot read memory");
}

void Uf2FileBackend::Start(std::optional<uint64_t>) { Disconnect(); }

void Uf2FileBackend::Disconnect() {
  if (image_.segments.empty()) return;
  auto bytes = WriteUf2(image_, settings_.family_id);
  image_.segments.clear();
  std::string what = fmt::format("{} blocks, family {}", bytes.size() / kUf2BlockSize,
                                 Uf2FamilyName(settings_.family_id));
  if (settings_.mount) {
    WriteToDrive(destination_, bytes, *log_);
    if (progress_)
      progress_->Message("copied " + destination_ + " (" + what +
                         "); the board flashes it and reboots");
  } else {
    WriteFileAtomic(destination_, std::span<const uint8_t>(bytes));
    wrote_file_ = true;
    if (progress_) progress_->Message("wrote " + destination_ + " (" + what + ")");
  }
}

std::optional<WrittenFile> Uf2FileBackend::written_file() const {
  if (!wrote_file_) return std::nullopt;
  const std::string board_id = Uf2DriveBoardId(settings_.family_id);
  if (board_id.empty()) return WrittenFile{destination_, "copy the file to the board's UF2 drive"};
  return WrittenFile{destination_, "no " + board_id +
                                       " drive is mounted; hold BOOTSEL while plugging the board "
                                       "in and copy the file to the " +
                                       board_id + " drive, or run this again then"};
}

std::unique_ptr<FlashBackend> CreateUf2Backend(const BackendOptions& options) {
  Uf2Settings s;
  s.family_id = ParseUf2MethodFamily(options.method_settings ? options.method_settings->settings
                                                             : nlohmann::ordered_json::object());
  s.image = options.image;
  s.output = options.output;
  s.mount = options.mount;
  FindDrive(s);
  return std::make_unique<Uf2FileBackend>(std::move(s), options.log);
}

}  // namespace tockctl::flasher
