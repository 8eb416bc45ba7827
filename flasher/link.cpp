#include "flasher/link.h"

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "devices/device_context.h"
#include "devices/serial_port.h"

namespace tockctl::flasher {
namespace {

// A link over a connected TCP socket.
class TcpLink : public Link {
 public:
  TcpLink(devices::UniqueFd socket, std::string description)
      : socket_(std::move(socket)), description_(std::move(description)) {}

  void Write(std::span<const uint8_t> data) override {
    devices::WriteSocket(socket_.get(), data, description_);
  }
  size_t Read(std::span<uint8_t> buffer, std::chrono::milliseconds timeout) override {
    devices::SocketRead got = devices::ReadSocket(socket_.get(), buffer, timeout);
    if (got.status == devices::SocketRead::Status::kClosed) {
      throw Error(ErrorCategory::kTransport, got.why, devices::DeviceContext(description_, "read"));
    }
    return got.bytes;
  }
  std::string Describe() const override { return description_; }

 private:
  devices::UniqueFd socket_;
  std::string description_;
};

// A link over a locked serial port.
class SerialPortLink : public Link {
 public:
  explicit SerialPortLink(std::unique_ptr<devices::SerialPort> port) : port_(std::move(port)) {}

  void Write(std::span<const uint8_t> data) override { port_->Write(data); }
  size_t Read(std::span<uint8_t> buffer, std::chrono::milliseconds timeout) override {
    devices::SerialRead got = port_->Read(buffer, timeout);
    if (got.status == devices::SerialRead::Status::kGone) {
      throw devices::SerialVanishedError(port_->path());
    }
    return got.bytes;
  }
  std::string Describe() const override { return "serial " + port_->path().string(); }

 private:
  std::unique_ptr<devices::SerialPort> port_;
};

}  // namespace

std::unique_ptr<Link> TryConnectTcp(const std::string& host_port, std::chrono::milliseconds timeout,
                                    std::string* error_text) {
  devices::TcpEndpoint endpoint = devices::ParseTcpEndpoint(host_port);
  std::optional<Error> error;
  devices::UniqueFd socket = devices::ConnectTcpWithin(endpoint, timeout, &error);
  if (!socket.valid()) {
    if (error_text != nullptr && error) *error_text = error->Describe();
    return nullptr;
  }
  return std::make_unique<TcpLink>(std::move(socket), "tcp " + endpoint.ToString());
}

std::unique_ptr<Link> ConnectTcp(const std::string& host_port, std::chrono::milliseconds timeout) {
  devices::TcpEndpoint endpoint = devices::ParseTcpEndpoint(host_port);
  std::optional<Error> error;
  devices::UniqueFd socket = devices::ConnectTcpWithin(endpoint, timeout, &error);
  if (!socket.valid()) throw *error;
  return std::make_unique<TcpLink>(std::move(socket), "tcp " + endpoint.ToString());
}

std::unique_ptr<Link> OpenSerialLink(const std::string& path, uint32_t baud) {
  auto log = spdlog::default_logger();
  return std::make_unique<SerialPortLink>(
      devices::OpenSerialPortOrThrow(path, baud, devices::DefaultSerialLockDir(), *log));
}

}  // namespace tockctl::flasher
