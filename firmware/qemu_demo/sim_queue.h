/* Time-ordered queue of pending events of the simulated Tock system
 * (deferred RPC returns, message deliveries, restarts, ...). Fixed size,
 * no allocation; events with equal due times pop in insertion order.
 * Plain C99. */
#ifndef TOCKCTL_SIM_QUEUE_H
#define TOCKCTL_SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "trace_enc.h"

enum { SIM_QUEUE_CAP = 64 };

typedef enum sim_event_kind {
  SIM_EV_NONE = 0,
  SIM_EV_IPC_RECV,       /* u.msg */
  SIM_EV_FORWARD,        /* u.msg: net_service turns a received message into a frame */
  SIM_EV_RPC_RETURN,     /* u.rpc */
  SIM_EV_MEM_REVOKE,     /* u.mem */
  SIM_EV_PROC_RESTART,   /* u.pid */
  SIM_EV_CLIENT_CONNECT, /* u.pid */
  SIM_EV_COAP_REPLY,     /* u.reply */
  SIM_EV_RADIO_TX,       /* u.pid: a process sends on the 802.15.4 radio */
  SIM_EV_UPCALL,         /* u.upcall */
} sim_event_kind;

typedef struct sim_reply {
  uint16_t msg_id; /* CoAP message id and token being answered */
  uint16_t token;
  uint16_t port; /* the requester's UDP port */
} sim_reply;

typedef struct sim_event {
  uint64_t due;
  uint32_t order; /* insertion counter, breaks ties */
  uint8_t kind;   /* sim_event_kind; SIM_EV_NONE = free slot */
  union {
    uint16_t pid;
    trace_ipc_msg msg;
    trace_rpc rpc;
    trace_mem mem;
    trace_upcall upcall;
    sim_reply reply;
  } u;
} sim_event;

typedef struct sim_queue {
  sim_event ev[SIM_QUEUE_CAP];
  uint32_t next_order;
} sim_queue;

void sim_queue_init(sim_queue* q);
/** Adds a copy of `e` (its `order` is assigned here). Returns 0 if full. */
int sim_queue_push(sim_queue* q, const sim_event* e);
/** Due time of the earliest event, UINT64_MAX if none. */
uint64_t sim_queue_next_due(const sim_queue* q);
/** Removes the earliest event due at or before `now` into `*out`; 0 if none. */
int sim_queue_pop_due(sim_queue* q, uint64_t now, sim_event* out);
/** Removes the earliest event for which `match(e, ctx)` is non-zero; 0 if none. */
int sim_queue_take(sim_queue* q, int (*match)(const sim_event*, const void*), const void* ctx,
                   sim_event* out);
/** Number of queued events. */
size_t sim_queue_size(const sim_queue* q);
/** Number of queued events of `kind`. */
size_t sim_queue_count(const sim_queue* q, uint8_t kind);

#endif
