/* Test-side decoder of a v2 trace byte stream (docs/trace-protocol.md 2.4):
 * console text between frames, COBS, marker, length and CRC checks, header
 * fields. Used by the host tests to read back what the encoder and the
 * simulated system produced. */
#ifndef TOCKCTL_STREAM_DECODE_H
#define TOCKCTL_STREAM_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../trace_enc.h"

typedef struct decoded_record {
  uint8_t version;
  uint8_t type;
  uint16_t flags;
  uint32_t seq;
  uint64_t ticks;
  const uint8_t* body; /* valid until the next stream_decoder_push() */
  size_t body_len;
} decoded_record;

typedef struct stream_decoder {
  uint8_t frame[TRACE_MAX_FRAME];
  size_t len;
  int oversize;
  int in_candidate;    /* after a 0x00 that may open a frame */
  int opening_is_text; /* that 0x00 is console text if no frame follows */
  int is_frame;        /* the candidate began 00 c C0 C1 */
  uint8_t payload[TRACE_MAX_PAYLOAD + 2];
  unsigned long corrupt;
  unsigned long records;
  unsigned long console_bytes;
  uint8_t console[256]; /* the first console bytes, for the tests */
} stream_decoder;

/** Decodes COBS `in` into `out`; returns the length or -1 if malformed. */
long cobs_decode(const uint8_t* in, size_t len, uint8_t* out, size_t cap);

void stream_decoder_init(stream_decoder* d);

/** Feeds one byte. Returns 1 and fills `*rec` when it completes a frame
 *  that passes COBS, marker, length and CRC checks; bad frames count as
 *  corrupt; bytes that are not a frame count as console text. */
int stream_decoder_push(stream_decoder* d, uint8_t byte, decoded_record* rec);

uint16_t read_u16(const uint8_t* p);
uint32_t read_u32(const uint8_t* p);

#endif
