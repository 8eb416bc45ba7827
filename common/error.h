// The one error type of tockctl. Libraries throw it; only main() catches it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace tockctl {

/// What kind of failure happened; each maps to one documented exit code (docs/exit-codes.md).
enum class ErrorCategory {
  kUsage,           ///< The command line is wrong (exit 2).
  kInvalidInput,    ///< A file or document is malformed or an impossible configuration (exit 3).
  kIo,              ///< A host file could not be read or written (exit 4).
  kTransport,       ///< The link to a device failed: timeout, vanished, refused (exit 5).
  kDeviceReported,  ///< The device answered with an error or a wrong checksum (exit 6).
  kToolFailed,      ///< An external tool (make, cargo, openocd, ...) is missing or failed (exit 7).
  kInterrupted,     ///< The user interrupted the command (exit 130).
  kInternal,        ///< A bug in tockctl (exit 70).
};

/// Exit code documented for a category.
int ExitCodeFor(ErrorCategory category);

/// Short lowercase name of a category ("invalid input", "transport", ...).
const char* CategoryName(ErrorCategory category);

/// Where an error happened: any subset of these is set.
struct ErrorContext {
  std::string file;                ///< Host file the error is about.
  std::optional<uint64_t> line;    ///< 1-based line in `file`.
  std::optional<uint64_t> column;  ///< 1-based column in `file`.
  std::optional<uint64_t> offset;  ///< Byte offset in `file` or in a binary stream.
  std::string json_pointer;        ///< RFC 6901 pointer into a JSON document.
  std::string device;              ///< Device or endpoint ("/dev/ttyACM0", "127.0.0.1:1234").
  std::string operation;           ///< What was being done ("write page 0x80000200").
};

/// tockctl's error: a category, a one-line message, where it happened, and what to do about it.
class Error : public std::runtime_error {
 public:
  /// Creates an error; `hint` says what the user can do ("install it with: apt-get install ...").
  Error(ErrorCategory category, std::string message, ErrorContext context = {},
        std::string hint = {});

  ErrorCategory category() const { return category_; }
  const std::string& message() const { return message_; }
  const ErrorContext& context() const { return context_; }
  const std::string& hint() const { return hint_; }

  /// The single line shown to users: "FILE:LINE:COL: /pointer: message (device: operation); hint".
  std::string Describe() const;

  /// A copy with extra context filled in where this error has none.
  Error WithContext(const ErrorContext& outer) const;

 private:
  ErrorCategory category_;
  std::string message_;
  ErrorContext context_;
  std::string hint_;
};

}  // namespace tockctl
