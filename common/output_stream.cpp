#include "common/output_stream.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "common/error.h"

namespace tockctl {
namespace {

[[noreturn]] void ThrowWriteFailed(std::string_view name, int err) {
  ErrorContext where;
  where.file = std::string(name);
  std::string reason = err != 0 ? std::strerror(err) : "an earlier write was lost";
  throw Error(ErrorCategory::kIo, "write failed: " + reason, where,
              "the output is incomplete: free space or send it elsewhere");
}

}  // namespace

void WriteToStream(std::FILE* stream, std::string_view text, std::string_view name) {
  errno = 0;
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), stream) != text.size())
    ThrowWriteFailed(name, errno);
  FlushStream(stream, name);
}

void FlushStream(std::FILE* stream, std::string_view name) {
  errno = 0;
  if (std::fflush(stream) != 0) ThrowWriteFailed(name, errno);
  if (std::ferror(stream) != 0) ThrowWriteFailed(name, 0);
}

}  // namespace tockctl
