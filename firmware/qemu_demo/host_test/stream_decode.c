/* Test-side trace stream decoder; see stream_decode.h. */
#include "stream_decode.h"

long cobs_decode(const uint8_t* in, size_t len, uint8_t* out, size_t cap) {
  size_t i = 0, o = 0;
  while (i < len) {
    uint8_t code = in[i++];
    if (code == 0 || i + code - 1 > len) return -1;
    for (uint8_t k = 1; k < code; k++) {
      if (o >= cap) return -1;
      out[o++] = in[i++];
    }
    if (code < 0xFF && i < len) {
      if (o >= cap) return -1;
      out[o++] = 0;
    }
  }
  return (long)o;
}

uint16_t read_u16(const uint8_t* p) { return (uint16_t)(p[0] | p[1] << 8); }

uint32_t read_u32(const uint8_t* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void stream_decoder_init(stream_decoder* d) {
  d->len = 0;
  d->oversize = 0;
  d->corrupt = 0;
  d->records = 0;
}

static int finish_frame(stream_decoder* d, decoded_record* rec) {
  long n = cobs_decode(d->frame, d->len, d->payload, sizeof d->payload);
  if (n < TRACE_HEADER_LEN + TRACE_CRC_LEN) return 0;
  size_t body_end = (size_t)n - TRACE_CRC_LEN;
  if (trace_crc32c(d->payload, body_end) != read_u32(&d->payload[body_end])) return 0;
  const uint8_t* p = d->payload;
  rec->version = p[0];
  rec->type = p[1];
  rec->flags = read_u16(&p[2]);
  rec->seq = read_u32(&p[4]);
  rec->ticks = read_u32(&p[8]) | (uint64_t)read_u32(&p[12]) << 32;
  rec->body = &p[TRACE_HEADER_LEN];
  rec->body_len = body_end - TRACE_HEADER_LEN;
  return 1;
}

int stream_decoder_push(stream_decoder* d, uint8_t byte, decoded_record* rec) {
  if (byte != 0) {
    if (d->len == sizeof d->frame) d->oversize = 1;
    if (!d->oversize) d->frame[d->len++] = byte;
    return 0;
  }
  int had_bytes = d->len > 0 || d->oversize;
  int ok = had_bytes && !d->oversize && finish_frame(d, rec);
  if (had_bytes && !ok) d->corrupt++;
  if (ok) d->records++;
  d->len = 0;
  d->oversize = 0;
  return ok;
}
