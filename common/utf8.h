// UTF-8 checking and repair for text that comes from devices (HELLO names, console lines): the
// JSON output and pcapng options must carry valid UTF-8 whatever bytes the device sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tockctl {

/// The UTF-8 encoding of U+FFFD REPLACEMENT CHARACTER.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

/// Length (2 to 4) of the valid multi-byte UTF-8 sequence at `p` (n > 0 bytes, p[0] >= 0x80), or
/// 0 with `*bad` set to the length of its maximal invalid subpart (at least 1).
size_t Utf8Sequence(const uint8_t* p, size_t n, size_t* bad);

/// `text` with each maximal invalid subpart replaced by U+FFFD (as the Unicode standard and
/// WHATWG recommend), so the result is valid UTF-8.
std::string ValidUtf8(std::string_view text);

/// The longest prefix of valid UTF-8 `text` that has at most `max_bytes` and does not split a
/// character.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace tockctl
