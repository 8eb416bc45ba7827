/* Device side of the trace link; see trace_link.h. */
#include "trace_link.h"

void trace_link_init(trace_link* l, uint8_t* ring, size_t cap) {
  l->ring = ring;
  l->cap = cap;
  l->head = 0;
  l->used = 0;
  l->next_seq = 0;
  l->dropped_pending = 0;
  l->dropped_total = 0;
}

static void ring_push(trace_link* l, const uint8_t* p, size_t n) {
  size_t tail = l->head + l->used;
  if (tail >= l->cap) tail -= l->cap;
  for (size_t i = 0; i < n; i++) {
    l->ring[tail] = p[i];
    if (++tail == l->cap) tail = 0;
  }
  l->used += n;
}

int trace_link_console(trace_link* l, const char* text, size_t n) {
  if (n > l->cap - l->used) return 0;
  ring_push(l, (const uint8_t*)text, n);
  return 1;
}

/* Frames `r` into l->frame and queues it if it fits; no drop accounting. */
static int queue_record(trace_link* l, trace_rec* r, uint32_t* seq_out) {
  size_t n = trace_rec_frame(r, l->next_seq, l->frame, sizeof l->frame);
  if (n == 0 || n > l->cap - l->used) return 0;
  ring_push(l, l->frame, n);
  if (seq_out) *seq_out = l->next_seq;
  l->next_seq++;
  return 1;
}

int trace_link_flush_overflow(trace_link* l, uint64_t ticks) {
  if (l->dropped_pending == 0) return 1;
  trace_build_overflow(&l->overflow, ticks, l->dropped_pending, l->dropped_total);
  if (!queue_record(l, &l->overflow, 0)) return 0;
  l->dropped_pending = 0;
  return 1;
}

int trace_link_submit(trace_link* l, trace_rec* r, uint32_t* seq_out) {
  if (trace_link_flush_overflow(l, trace_rec_ticks(r)) && queue_record(l, r, seq_out)) return 1;
  l->dropped_pending++;
  l->dropped_total++;
  return 0;
}

size_t trace_link_peek(const trace_link* l, const uint8_t** bytes) {
  size_t n = l->cap - l->head;
  if (n > l->used) n = l->used;
  *bytes = &l->ring[l->head];
  return n;
}

void trace_link_consume(trace_link* l, size_t n) {
  if (n > l->used) n = l->used;
  l->head += n;
  if (l->head >= l->cap) l->head -= l->cap;
  l->used -= n;
}

size_t trace_link_pending(const trace_link* l) { return l->used; }
