#include "common/error.h"

#include "common/one_line.h"

namespace tockctl {

int ExitCodeFor(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kUsage:
      return 2;
    case ErrorCategory::kInvalidInput:
      return 3;
    case ErrorCategory::kIo:
      return 4;
    case ErrorCategory::kTransport:
      return 5;
    case ErrorCategory::kDeviceReported:
      return 6;
    case ErrorCategory::kToolFailed:
      return 7;
    case ErrorCategory::kInterrupted:
      return 130;
    case ErrorCategory::kInternal:
      return 70;
  }
  return 70;
}

const char* CategoryName(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kUsage:
      return "usage";
    case ErrorCategory::kInvalidInput:
      return "invalid input";
    case ErrorCategory::kIo:
      return "i/o";
    case ErrorCategory::kTransport:
      return "transport";
    case ErrorCategory::kDeviceReported:
      return "device";
    case ErrorCategory::kToolFailed:
      return "tool";
    case ErrorCategory::kInterrupted:
      return "interrupted";
    case ErrorCategory::kInternal:
      return "internal";
  }
  return "internal";
}

Error::Error(ErrorCategory category, std::string message, ErrorContext context, std::string hint)
    : std::runtime_error(message),
      category_(category),
      message_(std::move(message)),
      context_(std::move(context)),
      hint_(std::move(hint)) {}

namespace {

std::string Location(const ErrorContext& c) {
  std::string out = c.file;
  if (!c.file.empty() && c.line) {
    out += ":" + std::to_string(*c.line);
    if (c.column) out += ":" + std::to_string(*c.column);
  } else if (c.offset) {
    out += (out.empty() ? "offset " : ": offset ") + std::to_string(*c.offset);
  }
  return out;
}

}  // namespace

std::string Error::Describe() const {
  std::string out = Location(context_);
  if (!out.empty()) out += ": ";
  if (!context_.json_pointer.empty()) out += context_.json_pointer + ": ";
  out += message_;
  if (!context_.device.empty() || !context_.operation.empty()) {
    out += " (";
    out += context_.device;
    if (!context_.device.empty() && !context_.operation.empty()) out += ": ";
    out += context_.operation + ")";
  }
  if (!hint_.empty()) out += "; " + hint_;
  return OneLine(out);  // messages quote file and device text; the line must not break
}

Error Error::WithContext(const ErrorContext& outer) const {
  ErrorContext merged = context_;
  if (merged.file.empty()) merged.file = outer.file;
  if (!merged.line) merged.line = outer.line;
  if (!merged.column) merged.column = outer.column;
  if (!merged.offset) merged.offset = outer.offset;
  if (merged.json_pointer.empty()) merged.json_pointer = outer.json_pointer;
  if (merged.device.empty()) merged.device = outer.device;
  if (merged.operation.empty()) merged.operation = outer.operation;
  return Error(category_, message_, merged, hint_);
}

}  // namespace tockctl
