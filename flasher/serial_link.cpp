#include "flasher/serial_link.h"

#include <spdlog/spdlog.h>

#include "common/error.h"

namespace tockctl::flasher {

std::unique_ptr<SerialLink> TermiosSerialLink::Open(const std::string& path, uint32_t baud) {
  auto log = spdlog::default_logger();
  return std::make_unique<TermiosSerialLink>(
      devices::OpenSerialPortOrThrow(path, baud, devices::DefaultSerialLockDir(), *log));
}

TermiosSerialLink::TermiosSerialLink(std::unique_ptr<devices::SerialPort> port)
    : port_(std::move(port)), path_(port_->path().string()) {}

void TermiosSerialLink::ThrowVanished() const { throw devices::SerialVanishedError(path_); }

void TermiosSerialLink::Write(std::span<const uint8_t> bytes) {
  if (!port_->GoneReason().empty()) ThrowVanished();
  port_->Write(bytes);
}

size_t TermiosSerialLink::Read(std::span<uint8_t> out, std::chrono::milliseconds timeout) {
  if (out.empty()) return 0;
  devices::SerialRead got = port_->Read(out, timeout);
  if (got.status == devices::SerialRead::Status::kGone) ThrowVanished();
  return got.bytes;
}

void TermiosSerialLink::SetBaudRate(uint32_t baud) { port_->SetBaud(baud); }

bool TermiosSerialLink::SetModemLines(bool dtr, bool rts) { return port_->SetModemLines(dtr, rts); }

void TermiosSerialLink::DiscardInput() { port_->DiscardInput(); }

bool TermiosSerialLink::StillPresent() { return port_->GoneReason().empty(); }

}  // namespace tockctl::flasher
