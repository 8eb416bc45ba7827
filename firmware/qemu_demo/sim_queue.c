/* Pending-event queue; see sim_queue.h. */
#include "sim_queue.h"

void sim_queue_init(sim_queue* q) {
  for (size_t i = 0; i < SIM_QUEUE_CAP; i++) q->ev[i].kind = SIM_EV_NONE;
  q->next_order = 0;
}

int sim_queue_push(sim_queue* q, const sim_event* e) {
  for (size_t i = 0; i < SIM_QUEUE_CAP; i++) {
    if (q->ev[i].kind != SIM_EV_NONE) continue;
    q->ev[i] = *e;
    q->ev[i].order = q->next_order++;
    return 1;
  }
  return 0;
}

static int earlier(const sim_event* a, const sim_event* b) {
  if (a->due != b->due) return a->due < b->due;
  return (int32_t)(a->order - b->order) < 0;
}

/* Index of the earliest matching event, or SIM_QUEUE_CAP. */
static size_t find_first(const sim_queue* q, int (*match)(const sim_event*, const void*),
                         const void* ctx) {
  size_t best = SIM_QUEUE_CAP;
  for (size_t i = 0; i < SIM_QUEUE_CAP; i++) {
    const sim_event* e = &q->ev[i];
    if (e->kind == SIM_EV_NONE || (match && !match(e, ctx))) continue;
    if (best == SIM_QUEUE_CAP || earlier(e, &q->ev[best])) best = i;
  }
  return best;
}

uint64_t sim_queue_next_due(const sim_queue* q) {
  size_t i = find_first(q, 0, 0);
  return i == SIM_QUEUE_CAP ? UINT64_MAX : q->ev[i].due;
}

static void take_at(sim_queue* q, size_t i, sim_event* out) {
  *out = q->ev[i];
  q->ev[i].kind = SIM_EV_NONE;
}

int sim_queue_pop_due(sim_queue* q, uint64_t now, sim_event* out) {
  size_t i = find_first(q, 0, 0);
  if (i == SIM_QUEUE_CAP || q->ev[i].due > now) return 0;
  take_at(q, i, out);
  return 1;
}

int sim_queue_take(sim_queue* q, int (*match)(const sim_event*, const void*), const void* ctx,
                   sim_event* out) {
  size_t i = find_first(q, match, ctx);
  if (i == SIM_QUEUE_CAP) return 0;
  take_at(q, i, out);
  return 1;
}

size_t sim_queue_count(const sim_queue* q, uint8_t kind) {
  size_t n = 0;
  for (size_t i = 0; i < SIM_QUEUE_CAP; i++) n += q->ev[i].kind == kind;
  return n;
}

size_t sim_queue_size(const sim_queue* q) {
  size_t n = 0;
  for (size_t i = 0; i < SIM_QUEUE_CAP; i++) n += q->ev[i].kind != SIM_EV_NONE;
  return n;
}
