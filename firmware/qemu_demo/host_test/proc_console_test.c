/* The demo's process console against Tock's output formats: echo, line
 * ends, backspace, and the replies of help, list, status, kernel, an unknown
 * command and console-stop/start, byte for byte. */
#include "proc_console.h"

#include <stdlib.h>

#include "check.h"
#include "tock_sim.h"

static trace_link g_link;
static uint8_t g_ring[8192];
static tock_sim g_sim;
static proc_console g_console;

/* Types `keys` and returns everything the console answered (and forgets it). */
static const char* type(const char* keys) {
  static char out[PROC_CONSOLE_OUT + 1];
  for (const char* k = keys; *k; k++) proc_console_receive(&g_console, (uint8_t)*k, &g_sim);
  const char* bytes;
  size_t n = proc_console_pending(&g_console, &bytes);
  memcpy(out, bytes, n);
  out[n] = 0;
  proc_console_consume(&g_console, n);
  return out;
}

#define EXPECT_REPLY(keys, expected)                              \
  do {                                                            \
    const char* got_ = type(keys);                                \
    EXPECT_BYTES(got_, strlen(got_), expected, strlen(expected)); \
  } while (0)

#define VALID                                                                    \
  "help status list stop start fault boot terminate process kernel reset panic " \
  "console-start console-stop\r\n"

static void test_commands(void) {
  EXPECT_REPLY("help\r",
               "help\r\nWelcome to the process console.\r\nValid commands are: " VALID "tock$ ");
  EXPECT_REPLY("status\r\n",
               "status\r\nTotal processes: 4\r\nActive processes: 4\r\nTimeslice expirations: "
               "0\r\ntock$ ");
  EXPECT_REPLY(
      "list\n",
      "list\r\n PID    ShortID    Name                Quanta  Syscalls  Restarts  Grants  "
      "State\r\n"
      " 0      Unique     net_service              0         0         0   3/ 8   Yielded\r\n"
      " 1      Unique     sensor_client            0         0         0   1/ 8   Yielded\r\n"
      " 2      Unique     logger_client            0         0         0   1/ 8   Yielded\r\n"
      " 3      Unique     rpc_client               0         0         0   1/ 8   Yielded\r\n"
      "tock$ ");
  EXPECT_REPLY("lsx\b\x7fs\r", "lsx\b \b \b\b \b \bs\r\nValid commands are: " VALID "tock$ ");
  EXPECT_REPLY("\r", "\r\ntock$ ");
  EXPECT_REPLY("\x1b[Astop net_service\r",
               "stop net_service\r\nqemu_demo: stop is not simulated\r\ntock$ ");
  EXPECT_REPLY(
      "console-stop\r",
      "console-stop\r\nDisabling the process console.\r\nRun console-start to reactivate.\r\n");
  EXPECT_REPLY("list\r", "list\r\n");
  EXPECT_REPLY("console-start\r", "console-start\r\ntock$ ");
}

static void test_kernel(void) {
  const kernel_layout layout = {0x80000000u, 0x8000446Cu, 0x80004EDCu, 0x80200000u, 0x80200000u,
                                0x80200000u, 0x8020511Cu, 0x80205120u, 0x80209120u};
  proc_console_init(&g_console, &layout);
  EXPECT_REPLY("kernel\r",
               "kernel\r\nKernel version: 2.2 (build tockctl-demo)\r\n"
               "\r\n ╔═══════════╤══════════════════════════════╗"
               "\r\n ║  Address  │ Region Name    Used (bytes)  ║"
               "\r\n ╚0x8020511C═╪══════════════════════════════╝"
               "\r\n             │   BSS         20764"
               "\r\n  0x80200000 ┼─────────────────────────────── S"
               "\r\n             │   Relocate        0            R"
               "\r\n  0x80209120 ┼─────────────────────────────── A"
               "\r\n             │ ▼ Stack       16384            M"
               "\r\n  0x80205120 ┼───────────────────────────────"
               "\r\n             ....."
               "\r\n  0x80004EDC ┼─────────────────────────────── F"
               "\r\n             │   RoData       2672            L"
               "\r\n  0x8000446C ┼─────────────────────────────── A"
               "\r\n             │   Code        17516            S"
               "\r\n  0x80000000 ┼─────────────────────────────── H"
               "\r\ntock$ ");
}

int main(void) {
  trace_link_init(&g_link, g_ring, sizeof g_ring);
  tock_sim_init(&g_sim, &g_link, 0);
  proc_console_init(&g_console, 0);
  test_commands();
  test_kernel();
  return check_exit_code("proc_console_test");
}
