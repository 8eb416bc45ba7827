// The `gdb` flash back-end: writes images through a GDB Remote Serial Protocol server (QEMU's
// gdbstub, Black Magic Probe, OpenOCD, J-Link GDB server) over TCP or a serial port.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "flasher/backend_registry.h"
#include "flasher/flash_backend.h"
#include "flasher/gdb_memory_map.h"
#include "flasher/gdb_rsp.h"
#include "flasher/link.h"

namespace tockctl::flasher {

/// Where the program counter sits in the server's register file.
struct GdbRegisterLayout {
  std::optional<uint32_t> pc_register;  ///< GDB register number of the PC; unset = unknown.
  uint32_t register_bytes = 4;          ///< Width of the general registers before the PC.
};

/// Layout for a board "arch" (rv32* -> 32/4, rv64* -> 32/8, armv* -> 15/4, i486 -> 8/4) or for a
/// target.xml <architecture> ("riscv:rv32", "arm", "i386"); unknown names give no PC register.
GdbRegisterLayout RegisterLayoutFor(const std::string& arch);

/// Tuning and facts for one GdbRemoteFlasher.
struct GdbFlasherOptions {
  std::string name = "gdb";  ///< Back-end name shown to users.
  GdbRegisterLayout layout;  ///< From the board; target.xml fills it in when unknown.
  std::chrono::milliseconds timeout{5000};       ///< Per reply.
  std::chrono::milliseconds crc_timeout{30000};  ///< Per qCRC reply.
  size_t window = 16;                            ///< Packets in flight while writing and reading.
};

/// What the server said it supports (filled by Connect).
struct GdbServerFeatures {
  size_t packet_size = 400;    ///< PacketSize from qSupported (GDB's default when absent).
  bool no_ack_mode = false;    ///< QStartNoAckMode accepted.
  bool binary_writes = false;  ///< X accepted (else M, hex).
  bool crc = false;            ///< qCRC answered (else read-back with m).
  std::string architecture;    ///< From target.xml, if offered.
  std::vector<GdbFlashRegion> flash_regions;  ///< From the memory map, if offered.
};

/// Flashes through a GDB server. Creating it touches nothing; Connect opens the link with
/// `open_link`. Writes use X (escaped binary) sized to PacketSize, or M when X is unsupported;
/// into flash regions of the server's memory map they use vFlashErase (blocks not yet erased in
/// this session), vFlashWrite and vFlashDone (before verify, read, start or disconnect), as GDB's
/// load does;
/// verify uses qCRC in 64 KiB pieces, or read-back with m; Start writes the PC (P, or g/G) and
/// continues (vCont;c or c); Disconnect closes the link and leaves the target halted.
class GdbRemoteFlasher : public FlashBackend {
 public:
  using LinkOpener = std::function<std::unique_ptr<Link>()>;

  GdbRemoteFlasher(LinkOpener open_link, GdbFlasherOptions options,
                   std::shared_ptr<spdlog::logger> log);
  ~GdbRemoteFlasher() override;

  std::string name() const override { return options_.name; }
  Capabilities capabilities() const override;
  void Connect(ProgressSink& progress) override;
  void Erase(uint64_t address, uint64_t length, ProgressSink& progress) override;
  void Write(const Segment& segment, ProgressSink& progress) override;
  VerifyResult Verify(const Segment& segment, ProgressSink& progress) override;
  std::vector<uint8_t> Read(uint64_t address, uint64_t length) override;
  void Start(std::optional<uint64_t> entry) override;
  void Disconnect() override;
  /// A GDB server's reset command is its own (OpenOCD, J-Link, pyOCD and QEMU differ): resumes the
  /// target and lets go of it, without a reset.
  std::optional<std::string> Restart() override;

  /// What Connect learned; valid after Connect.
  const GdbServerFeatures& features() const { return features_; }

 private:
  GdbRspClient& Client();
  void Handshake(ProgressSink& progress);
  void ReadTargetDescription();
  std::string ReadXfer(const std::string& object, const std::string& annex);
  const GdbFlashRegion* FlashRegionFor(const Segment& segment) const;
  void EraseFlashBlocks(const Segment& segment, const GdbFlashRegion& region);
  void FinishFlash();
  bool ProbeBinaryWrites(uint64_t address);
  std::vector<std::string> WritePackets(const Segment& segment, bool flash,
                                        std::vector<uint64_t>& sizes);
  void ReadRange(uint64_t address, uint64_t length,
                 const std::function<void(uint64_t, const std::vector<uint8_t>&)>& on_chunk);
  std::optional<VerifyResult> VerifyByCrc(const Segment& segment, ProgressSink& progress);
  VerifyResult VerifyByReadBack(const Segment& segment, ProgressSink& progress);
  void WritePc(uint64_t entry);
  void Resume();

  LinkOpener open_link_;
  GdbFlasherOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<Link> link_;
  std::unique_ptr<GdbRspClient> client_;
  GdbServerFeatures features_;
  bool x_probed_ = false;
  bool crc_probed_ = false;
  bool vcont_c_ = false;
  bool flash_pending_ = false;
  std::set<uint64_t> erased_blocks_;
};

/// Back-end factory for "gdb": the server is --tcp HOST:PORT, --serial DEVICE (Black Magic
/// Probe), the method's "remote"/"port" setting, or the QEMU that `tockctl flash` started for a
/// qemu board. Throws Error(kUsage) when none is given.
std::unique_ptr<FlashBackend> CreateGdbBackend(const BackendOptions& options);

}  // namespace tockctl::flasher
