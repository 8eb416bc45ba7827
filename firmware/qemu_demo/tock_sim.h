/* The small Tock system the demo firmware plays: four processes, two IPC
 * services, an Ethernet and an 802.15.4 interface. It writes what such a
 * kernel would trace into a trace_link, driven only by the time passed in,
 * so it runs the same on the device and in host tests. Plain C99.
 *
 * README.md describes the processes, services and the scripted cycle. */
#ifndef TOCKCTL_TOCK_SIM_H
#define TOCKCTL_TOCK_SIM_H

#include <stdint.h>

#include "prng.h"
#include "sim_queue.h"
#include "trace_enc.h"
#include "trace_link.h"

/* Frame buffers hold the 1622-byte oversized send (act_tx_too_big) too. */
enum { TOCK_SIM_PROCS = 4, TOCK_SIM_FRAME_MAX = 1664 };

typedef struct tock_sim {
  trace_link* link;
  prng rng;
  sim_queue queue;
  uint64_t clock;       /* time of the event being handled; never goes back */
  uint64_t cycle_start; /* start of the current scripted cycle */
  uint64_t next_hello;
  uint64_t next_activity;
  uint64_t next_timeline;
  uint32_t timeline_step;
  uint32_t cycle;
  uint16_t restarts[TOCK_SIM_PROCS];
  uint32_t upcalls[TOCK_SIM_PROCS]; /* delivered, i.e. yields that returned one */
  uint8_t running[TOCK_SIM_PROCS];
  uint8_t conn_open[TOCK_SIM_PROCS]; /* indexed by client pid */
  uint16_t conn_id[TOCK_SIM_PROCS];
  uint8_t services_up;
  uint8_t wpan_up;
  uint8_t wpan_seq;
  uint8_t coord_seq;
  uint16_t next_conn_id;
  uint16_t coap_msg_id;
  uint32_t next_msg_id;
  uint32_t next_call_id;
  uint32_t rpc_outstanding;
  int32_t temperature; /* tenths of a degree, random walk */
  uint32_t grant_slot;
  trace_rec rec;
  uint8_t frame[TOCK_SIM_FRAME_MAX];
  uint8_t payload[TOCK_SIM_FRAME_MAX];
  char text[200];
} tock_sim;

/** Boots the simulated system at `now` (ticks): resync byte, HELLO,
 *  process starts, service registration; schedules everything after. */
void tock_sim_init(tock_sim* s, trace_link* link, uint64_t now);

/** Handles every event due at or before `now`. */
void tock_sim_run(tock_sim* s, uint64_t now);

/** What the process console's `list` shows of process `pid`. */
typedef struct tock_sim_proc_view {
  const char* name;
  uint32_t upcalls;
  uint16_t restarts;
  uint8_t running;
  uint8_t connections; /* open IPC connections (as a client) or services (server) */
} tock_sim_proc_view;

/** Fills `v` for process `pid` (< TOCK_SIM_PROCS). */
void tock_sim_describe(const tock_sim* s, uint16_t pid, tock_sim_proc_view* v);

/** When the next event is due (ticks). */
uint64_t tock_sim_next_due(const tock_sim* s);

#endif
