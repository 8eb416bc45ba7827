/* Test-side decoder of the trace byte stream: COBS, length and CRC checks,
 * header fields. Used by the host tests to read back what the encoder and
 * the simulated system produced. */
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
  uint8_t payload[TRACE_MAX_PAYLOAD];
  unsigned long corrupt;
  unsigned long records;
} stream_decoder;

/** Decodes COBS `in` into `out`; returns the length or -1 if malformed. */
long cobs_decode(const uint8_t* in, size_t len, uint8_t* out, size_t cap);

void stream_decoder_init(stream_decoder* d);

/** Feeds one byte. Returns 1 and fills `*rec` when it completes a frame
 *  that passes COBS, length and CRC checks; bad frames count as corrupt. */
int stream_decoder_push(stream_decoder* d, uint8_t byte, decoded_record* rec);

uint16_t read_u16(const uint8_t* p);
uint32_t read_u32(const uint8_t* p);

#endif
