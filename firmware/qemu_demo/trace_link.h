/* Device side of the trace link: sequence numbers, a byte ring of whole
 * frames waiting for the UART, and overflow accounting.
 *
 * A record that does not fit in the ring is dropped whole and does not
 * consume a sequence number; the next record that fits is preceded by an
 * OVERFLOW record carrying the count. Plain C99, no hardware access. */
#ifndef TOCKCTL_TRACE_LINK_H
#define TOCKCTL_TRACE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "trace_enc.h"

typedef struct trace_link {
  uint8_t* ring;
  size_t cap;
  size_t head; /* next byte to send */
  size_t used;
  uint32_t next_seq;
  uint32_t dropped_pending; /* dropped since the last OVERFLOW was queued */
  uint32_t dropped_total;
  trace_rec overflow;
  uint8_t frame[TRACE_MAX_FRAME];
} trace_link;

/** Uses `ring` (`cap` bytes) as the send queue; the first record gets seq 0. */
void trace_link_init(trace_link* l, uint8_t* ring, size_t cap);

/** Queues console text (the kernel's console writing through the same UART
 *  mux as the tracer, protocol v2): between whole frames, never inside one.
 *  Returns 0, queuing nothing, if the ring has no room for all `n` bytes. */
int trace_link_console(trace_link* l, const char* text, size_t n);

/** Frames `r` with the next sequence number and queues it, preceded by an
 *  OVERFLOW record if records were dropped. Returns 1 and stores the seq
 *  in `*seq_out` (may be NULL) when queued; returns 0 and counts a drop when
 *  the ring has no room or the record is malformed. */
int trace_link_submit(trace_link* l, trace_rec* r, uint32_t* seq_out);

/** Queues the OVERFLOW record for drops not yet reported, stamped `ticks`.
 *  Returns 0 only if one is pending and does not fit yet. Call it after
 *  draining so drops are reported even when no new record comes. */
int trace_link_flush_overflow(trace_link* l, uint64_t ticks);

/** Contiguous queued bytes starting at the send position; 0 when empty. */
size_t trace_link_peek(const trace_link* l, const uint8_t** bytes);

/** Marks `n` bytes returned by trace_link_peek() as sent. */
void trace_link_consume(trace_link* l, size_t n);

/** Bytes waiting to be sent. */
size_t trace_link_pending(const trace_link* l);

#endif
