#include "tracer/pcapng_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/utf8.h"

namespace tockctl::tracer {
namespace {

constexpr uint16_t kOptEndOfOpt = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kOptShbUserAppl = 4;
constexpr uint16_t kOptIfName = 2;
constexpr uint16_t kOptIfDescription = 3;
constexpr uint16_t kOptIfTsresol = 9;
constexpr uint16_t kOptEpbFlags = 2;

size_t Padded(size_t n) { return (n + 3) & ~size_t{3}; }

// Appends to a byte buffer in little-endian order (pcapng files are written in host order and
// declare it with the byte-order magic; tockctl always writes little-endian).
class BlockBuilder {
 public:
  explicit BlockBuilder(std::vector<uint8_t>& buf, uint32_t type) : buf_(buf), start_(buf.size()) {
    U32(type);
    U32(0);  // total length, patched by Finish
  }
  void U16(uint16_t v) {
    const size_t at = Grow(2);
    StoreU16Le(&buf_[at], v);
  }
  void U32(uint32_t v) {
    const size_t at = Grow(4);
    StoreU32Le(&buf_[at], v);
  }
  void Bytes(std::span<const uint8_t> b) {
    const size_t at = Grow(Padded(b.size()));
    if (!b.empty()) std::memcpy(&buf_[at], b.data(), b.size());
  }
  void Option(uint16_t code, std::span<const uint8_t> value) {
    U16(code);
    U16(static_cast<uint16_t>(value.size()));
    Bytes(value);
  }
  // pcapng string options are UTF-8: device bytes that are not become U+FFFD.
  void Option(uint16_t code, const std::string& text) {
    const std::string valid = ValidUtf8(text);
    const std::string_view fits = Utf8Prefix(valid, 0xFFFC);
    Option(code, {reinterpret_cast<const uint8_t*>(fits.data()), fits.size()});
  }
  void Finish() {
    Option(kOptEndOfOpt, std::span<const uint8_t>());
    const auto total = static_cast<uint32_t>(buf_.size() - start_ + 4);
    U32(total);
    StoreU32Le(&buf_[start_ + 4], total);
  }

 private:
  size_t Grow(size_t n) {
    const size_t at = buf_.size();
    buf_.resize(at + n, 0);
    return at;
  }
  std::vector<uint8_t>& buf_;
  size_t start_;
};

}  // namespace

namespace {

ErrorContext FileContext(const std::string& name) {
  ErrorContext ctx;
  ctx.file = name;
  return ctx;
}

int OpenCapture(const std::string& path, bool overwrite) {
  if (path == "-") return STDOUT_FILENO;
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd >= 0) return fd;
  if (errno == EEXIST) CheckCaptureTarget(path, false);
  throw Error(ErrorCategory::kIo,
              std::string("cannot create capture file: ") + std::strerror(errno), FileContext(path),
              "check that the directory exists and is writable");
}

}  // namespace

void CheckCaptureTarget(const std::string& path, bool overwrite) {
  struct stat st {};
  if (overwrite || path == "-" || ::stat(path.c_str(), &st) != 0) return;
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return;  // /dev/null, a Wireshark FIFO
  throw Error(ErrorCategory::kUsage, "already exists; not overwriting it", FileContext(path),
              "use --force to replace it, or choose another -o FILE");
}

FileBlockOutput::FileBlockOutput(std::string path, bool overwrite)
    : name_(path == "-" ? "standard output" : path),
      fd_(OpenCapture(path, overwrite)),
      owns_fd_(path != "-") {}

FileBlockOutput::~FileBlockOutput() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

void FileBlockOutput::Write(std::span<const uint8_t> bytes) {
  if (failed_) return;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) CutBackAndThrow(n < 0 ? errno : ENOSPC);
    done += static_cast<size_t>(n);
  }
  committed_ += bytes.size();
}

// A batch written in part would leave a block cut in the middle (tshark: "cut short in the middle
// of a packet"): cut the file back to the whole blocks before it.
void FileBlockOutput::CutBackAndThrow(int err) {
  failed_ = true;
  const bool cut = owns_fd_ && ::ftruncate(fd_, static_cast<off_t>(committed_)) == 0;
  std::string what = std::string("cannot write capture file: ") + std::strerror(err) + "; ";
  what += cut ? "it was cut back to its last whole block (" + std::to_string(committed_) +
                    " bytes) and stays readable"
              : "its last block may be incomplete";
  throw Error(ErrorCategory::kIo, what, FileContext(name_),
              "free space on the disk, or write the capture elsewhere");
}

PcapngWriter::PcapngWriter(BlockOutput& out, const std::string& application) : out_(out) {
  buffer_.reserve(kFlushThreshold + 4096);
  BlockBuilder b(buffer_, kShbType);
  b.U32(kByteOrderMagic);
  b.U16(1);
  b.U16(0);
  b.U32(0xFFFFFFFFu);  // section length unknown (-1 as 64 bits)
  b.U32(0xFFFFFFFFu);
  b.Option(kOptShbUserAppl, application);
  b.Finish();
}

uint32_t PcapngWriter::AddInterface(const PcapngInterface& interface) {
  BlockBuilder b(buffer_, kIdbType);
  b.U16(interface.linktype);
  b.U16(0);
  b.U32(interface.snaplen);
  if (!interface.name.empty()) b.Option(kOptIfName, interface.name);
  if (!interface.description.empty()) b.Option(kOptIfDescription, interface.description);
  const uint8_t tsresol = 9;
  b.Option(kOptIfTsresol, std::span<const uint8_t>(&tsresol, 1));
  b.Finish();
  return interface_count_++;
}

void PcapngWriter::WritePacket(uint32_t iface, uint64_t timestamp_ns, std::span<const uint8_t> data,
                               uint32_t orig_len, uint32_t epb_flags, std::string_view comment) {
  // Hot path: one resize, then fixed stores (the layout BlockBuilder would produce).
  const size_t padded = Padded(data.size());
  comment = comment.substr(0, 0xFFFC);
  const size_t options =
      (epb_flags != 0 ? 8 : 0) + (comment.empty() ? 0 : 4 + Padded(comment.size())) + 4;
  const auto total = static_cast<uint32_t>(28 + padded + options + 4);
  const size_t at = buffer_.size();
  buffer_.resize(at + total);
  uint8_t* p = buffer_.data() + at;
  StoreU32Le(p, kEpbType);
  StoreU32Le(p + 4, total);
  StoreU32Le(p + 8, iface);
  StoreU32Le(p + 12, static_cast<uint32_t>(timestamp_ns >> 32));
  StoreU32Le(p + 16, static_cast<uint32_t>(timestamp_ns));
  StoreU32Le(p + 20, static_cast<uint32_t>(data.size()));
  StoreU32Le(p + 24, orig_len);
  if (!data.empty()) std::memcpy(p + 28, data.data(), data.size());
  uint8_t* o = p + 28 + padded;
  if (!comment.empty()) {
    StoreU16Le(o, kOptComment);
    StoreU16Le(o + 2, static_cast<uint16_t>(comment.size()));
    std::memcpy(o + 4, comment.data(), comment.size());
    o += 4 + Padded(comment.size());
  }
  if (epb_flags != 0) {
    StoreU16Le(o, kOptEpbFlags);
    StoreU16Le(o + 2, 4);
    StoreU32Le(o + 4, epb_flags);
    o += 8;
  }
  StoreU32Le(o, 0);  // opt_endofopt
  StoreU32Le(o + 4, total);
  if (buffer_.size() >= kFlushThreshold) Flush();
}

void PcapngWriter::Flush() {
  if (buffer_.empty()) return;
  out_.Write(buffer_);
  buffer_.clear();
}

}  // namespace tockctl::tracer
