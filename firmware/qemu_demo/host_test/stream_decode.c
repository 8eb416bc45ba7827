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
  d->in_candidate = 1;
  d->opening_is_text = 0;
  d->is_frame = 0;
  d->corrupt = 0;
  d->records = 0;
  d->console_bytes = 0;
}

static int finish_frame(stream_decoder* d, decoded_record* rec) {
  long n = cobs_decode(d->frame, d->len, d->payload, sizeof d->payload);
  if (n < 2 + TRACE_HEADER_LEN + TRACE_CRC_LEN) return 0;
  const uint8_t* p = d->payload + 2;
  size_t body_end = (size_t)n - 2 - TRACE_CRC_LEN;
  if (trace_crc32c(p, body_end) != read_u32(&p[body_end])) return 0;
  rec->version = p[0];
  rec->type = p[1];
  rec->flags = read_u16(&p[2]);
  rec->seq = read_u32(&p[4]);
  rec->ticks = read_u32(&p[8]) | (uint64_t)read_u32(&p[12]) << 32;
  rec->body = &p[TRACE_HEADER_LEN];
  rec->body_len = body_end - TRACE_HEADER_LEN;
  return 1;
}

static void text(stream_decoder* d, uint8_t byte) {
  if (d->console_bytes < sizeof d->console) d->console[d->console_bytes] = byte;
  d->console_bytes++;
}

static void release_as_text(stream_decoder* d) {
  if (d->opening_is_text) text(d, 0);
  for (size_t i = 0; i < d->len; i++) text(d, d->frame[i]);
  d->len = 0;
  d->in_candidate = 0;
}

static void start_candidate(stream_decoder* d, int opening_is_text) {
  d->in_candidate = 1;
  d->opening_is_text = opening_is_text;
  d->is_frame = 0;
  d->len = 0;
  d->oversize = 0;
}

static int close_candidate(stream_decoder* d, decoded_record* rec) {
  if (!d->is_frame) {
    release_as_text(d);
    start_candidate(d, 1);
    return 0;
  }
  int ok = !d->oversize && finish_frame(d, rec);
  if (!ok) d->corrupt++;
  if (ok) d->records++;
  start_candidate(d, 0);
  return ok;
}

int stream_decoder_push(stream_decoder* d, uint8_t byte, decoded_record* rec) {
  if (!d->in_candidate) {
    if (byte == 0)
      start_candidate(d, 1);
    else
      text(d, byte);
    return 0;
  }
  if (byte == 0) return close_candidate(d, rec);
  if (d->len == sizeof d->frame) d->oversize = 1;
  if (!d->oversize) d->frame[d->len++] = byte;
  if (!d->is_frame) {
    const uint8_t* c = d->frame;
    int maybe = c[0] >= 3 && (d->len < 2 || c[1] == TRACE_MARKER_0) &&
                (d->len < 3 || c[2] == TRACE_MARKER_1);
    if (!maybe)
      release_as_text(d);
    else if (d->len >= 3)
      d->is_frame = 1;
  }
  return 0;
}
