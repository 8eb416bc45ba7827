// Host file access with clear errors: the only place tockctl opens files by path for whole reads
// and atomic rewrites.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tockctl {

/// Largest file ReadFile accepts unless told otherwise (64 MiB).
inline constexpr uint64_t kDefaultMaxFileSize = 64ull << 20;

/// Reads a whole regular file. Throws Error(kIo) naming the path when it is missing, a directory,
/// unreadable, or larger than `max_size` (kInvalidInput for the size).
std::string ReadFile(const std::filesystem::path& path, uint64_t max_size = kDefaultMaxFileSize);

/// ReadFile returning bytes.
std::vector<uint8_t> ReadBinaryFile(const std::filesystem::path& path,
                                    uint64_t max_size = kDefaultMaxFileSize);

/// Replaces `path` atomically: writes an unnamed temporary file beside it (O_TMPFILE), fsyncs,
/// links it under a temporary name and renames it over the file, fsyncs the directory; a process
/// killed meanwhile leaves no temporary file. A symbolic link is followed: the file it points to
/// is replaced and the link stays. An existing file keeps its permission bits. A read-only target
/// (no write bit), a directory, or a missing parent directory throws Error(kIo) and leaves
/// everything untouched.
void WriteFileAtomic(const std::filesystem::path& path, std::span<const uint8_t> content);
void WriteFileAtomic(const std::filesystem::path& path, std::string_view content);

/// Throws Error(kIo) if `path` exists and cannot be replaced (directory or read-only).
void CheckWritable(const std::filesystem::path& path);

}  // namespace tockctl
