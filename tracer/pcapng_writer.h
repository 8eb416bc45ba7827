// pcapng writer: section header, interface descriptions and enhanced packet blocks. Blocks are
// buffered whole and handed to the output only as whole blocks, so the file is a valid pcapng
// file after every Flush() (and after any write the process is interrupted between).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tockctl::tracer {

/// Where pcapng bytes go. Each Write holds one or more whole blocks.
class BlockOutput {
 public:
  virtual ~BlockOutput() = default;
  /// Writes all of `bytes` or throws Error(kIo).
  virtual void Write(std::span<const uint8_t> bytes) = 0;
};

/// A file (or FIFO, or standard output for "-") written with one write() per flushed batch of
/// whole blocks. A batch that does not fit (full disk, file size limit) is cut off again, so the
/// file ends on its last whole block.
class FileBlockOutput : public BlockOutput {
 public:
  /// Creates `path` ("-": standard output). An existing file is replaced only if `overwrite`;
  /// otherwise, and when it cannot be created, throws Error(kUsage or kIo) naming the file.
  explicit FileBlockOutput(std::string path, bool overwrite = false);
  ~FileBlockOutput() override;
  FileBlockOutput(const FileBlockOutput&) = delete;
  FileBlockOutput& operator=(const FileBlockOutput&) = delete;
  /// Writes whole blocks; on failure cuts the file back to the blocks before and throws
  /// Error(kIo) saying so.
  void Write(std::span<const uint8_t> bytes) override;

  /// Bytes of whole blocks in the file.
  uint64_t committed() const { return committed_; }
  /// True once a Write failed; the file then holds committed() bytes.
  bool failed() const { return failed_; }
  /// The file's name for messages ("standard output" for "-").
  const std::string& name() const { return name_; }

 private:
  void CutBackAndThrow(int err);

  std::string name_;
  int fd_ = -1;
  bool owns_fd_ = true;
  uint64_t committed_ = 0;
  bool failed_ = false;
};

/// Throws Error(kUsage) if `path` exists and `overwrite` is false: -w does not replace files
/// unless told to (--force).
void CheckCaptureTarget(const std::string& path, bool overwrite);

/// One interface description block.
struct PcapngInterface {
  uint16_t linktype = 0;
  std::string name;         ///< if_name option.
  std::string description;  ///< if_description option.
  uint32_t snaplen = 0;     ///< 0 = no limit.
};

/// EPB flags (pcapng epb_flags option): direction bits.
inline constexpr uint32_t kEpbInbound = 1;
inline constexpr uint32_t kEpbOutbound = 2;

inline constexpr uint32_t kShbType = 0x0A0D0D0A;
inline constexpr uint32_t kIdbType = 0x00000001;
inline constexpr uint32_t kEpbType = 0x00000006;
inline constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;

/// Writes a pcapng stream with nanosecond timestamps (if_tsresol = 9 on every interface).
class PcapngWriter {
 public:
  /// Starts a section whose shb_userappl option is `application`. Nothing is written until Flush.
  PcapngWriter(BlockOutput& out, const std::string& application);

  /// Adds an interface and returns its id (0, 1, ...).
  uint32_t AddInterface(const PcapngInterface& interface);
  /// Adds one packet on interface `iface` at `timestamp_ns` since the Unix epoch, with the
  /// epb_flags option if `epb_flags` is not 0 and an opt_comment if `comment` is not empty.
  void WritePacket(uint32_t iface, uint64_t timestamp_ns, std::span<const uint8_t> data,
                   uint32_t orig_len, uint32_t epb_flags = 0, std::string_view comment = {});
  /// Hands all buffered blocks to the output in one Write.
  void Flush();

  uint32_t interface_count() const { return interface_count_; }
  /// Bytes waiting for Flush.
  size_t buffered() const { return buffer_.size(); }

  /// Buffered bytes above which WritePacket flushes by itself.
  static constexpr size_t kFlushThreshold = size_t{256} * 1024;

 private:
  BlockOutput& out_;
  std::vector<uint8_t> buffer_;
  uint32_t interface_count_ = 0;
};

}  // namespace tockctl::tracer
