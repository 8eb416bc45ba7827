// Choosing and opening the trace source from the `tockctl trace` flags: --serial, --usb, --tcp,
// --qemu, --replay (exactly one), with --baud, --save-raw and the reconnect options.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "devices/serial_port.h"
#include "devices/tcp_connector.h"
#include "devices/usb_selector.h"
#include "tracer/byte_source.h"

namespace tockctl::tracer {

/// The source flags exactly as the command line gave them (unset = not given).
struct SourceFlags {
  std::optional<std::string> serial;     ///< --serial PATH
  std::optional<int64_t> baud;           ///< --baud N (serial line rate, or replay pacing)
  std::optional<std::string> usb;        ///< --usb VID:PID[:SERIAL]
  std::optional<int64_t> usb_interface;  ///< --usb-interface N (instead of the "trace" search)
  std::optional<std::string> tcp;        ///< --tcp HOST:PORT
  std::optional<std::string> replay;     ///< --replay FILE
  bool qemu = false;                     ///< --qemu: the QEMU that `tockctl flash` started
  std::optional<std::string> qemu_name;  ///< --qemu-name NAME: that named QEMU (implies --qemu)
  std::optional<std::string> save_raw;   ///< --save-raw FILE
  bool overwrite_raw = false;            ///< --overwrite-raw: let --save-raw replace a file.
  bool wait = false;                     ///< --wait: wait for the device instead of failing
  bool no_reconnect = false;             ///< --no-reconnect: end when the device goes away
};

/// Which kind of source.
enum class SourceKind { kSerial, kUsb, kTcp, kQemu, kReplay };

/// A validated source choice with its parameters.
struct SourceSpec {
  SourceKind kind = SourceKind::kReplay;
  std::filesystem::path path;  ///< kSerial: the port; kReplay: the file.
  /// kSerial: line rate (default 115200). kReplay: pacing rate, 0 = as fast as possible (default).
  uint32_t baud = 0;
  devices::UsbSelector usb;              ///< kUsb
  std::optional<uint8_t> usb_interface;  ///< kUsb
  devices::TcpEndpoint tcp;              ///< kTcp
  /// kQemu: where its state file is (read again on every reconnect, to follow a restart).
  std::filesystem::path qemu_state_dir;
  std::string qemu_name = "default";  ///< kQemu: which instance (devices/qemu_instance.h).
  bool wait_for_device = false;       ///< kSerial, kUsb, kTcp, kQemu
  bool reconnect = true;              ///< kSerial, kUsb, kTcp, kQemu
  std::chrono::milliseconds reconnect_interval{250};
  /// kSerial: lend the port to a `tockctl flash` that asks, as this command ("console", "trace");
  /// empty: never lend (SerialOptions::lends_as).
  std::string lends_as;
  std::optional<std::filesystem::path> save_raw;
  bool overwrite_raw = false;
};

/// Line rate used for --serial without --baud.
inline constexpr uint32_t kDefaultSerialBaud = 115200;
/// Largest --baud accepted.
inline constexpr uint32_t kMaxBaud = devices::kMaxSerialBaud;

/// `baud` as a line rate; Error(kUsage) naming --baud when it is outside 1..kMaxBaud.
uint32_t CheckedBaud(int64_t baud);
/// `number` as a USB interface number; Error(kUsage) naming --usb-interface outside 0..255.
uint8_t CheckedUsbInterface(int64_t number);

/// Checks the flags and builds the spec. Throws Error(kUsage) naming the flag when no source or
/// several are given, a value is empty or malformed (VID:PID, HOST:PORT, baud range), or an
/// option does not apply to the chosen source.
SourceSpec ParseSourceSpec(const SourceFlags& flags);

/// Opens the source (wrapped in a RawRecorder when save_raw is set). Throws what the source's
/// constructor throws (Error kTransport/kIo/kUsage with a hint); an existing --save-raw file is
/// refused before the device is touched.
std::unique_ptr<ByteSource> OpenTraceSource(const SourceSpec& spec,
                                            std::shared_ptr<spdlog::logger> log);

}  // namespace tockctl::tracer
