/* The demo kernel's process console; see proc_console.h. */
#include "proc_console.h"

#include "demo_config.h"

#define VALID_COMMANDS                                                                         \
  "help status list stop start fault boot terminate process kernel reset panic console-start " \
  "console-stop\r\n"

enum { BS = 0x08, ESC = 0x1B, DEL = 0x7F, CR = '\r', LF = '\n', GRANTS_TOTAL = 8 };

static void out(proc_console* c, const char* text) {
  while (*text && c->out_len < PROC_CONSOLE_OUT) c->out[c->out_len++] = *text++;
}

static void out_char(proc_console* c, char ch) {
  char s[2] = {ch, 0};
  out(c, s);
}

/* `v` in decimal, right-aligned in `width` columns (or left with `left`). */
static void out_num(proc_console* c, uint32_t v, int width, int left) {
  char digits[11];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  const int used = n;
  if (!left)
    for (int i = used; i < width; i++) out_char(c, ' ');
  while (n) out_char(c, digits[--n]);
  for (int i = used; left && i < width; i++) out_char(c, ' ');
}

/* `text` left-aligned in `width` columns (UTF-8: continuation bytes take none). */
static void out_padded(proc_console* c, const char* text, int width) {
  int columns = 0;
  for (; *text; text++) {
    out_char(c, *text);
    if (((uint8_t)*text & 0xC0) != 0x80) columns++;
  }
  for (; columns < width; columns++) out_char(c, ' ');
}

/* "0x" and eight uppercase hex digits, as Rust's {:#010X}. */
static void out_hex(proc_console* c, uint32_t v) {
  out(c, "0x");
  for (int shift = 28; shift >= 0; shift -= 4) out_char(c, "0123456789ABCDEF"[(v >> shift) & 0xF]);
}

static int starts_with(const char* s, const char* prefix) {
  while (*prefix)
    if (*s++ != *prefix++) return 0;
  return 1;
}

static void list_processes(proc_console* c, const tock_sim* sim) {
  out(c, " PID    ShortID    Name                Quanta  Syscalls  Restarts  Grants  State\r\n");
  for (uint16_t pid = 0; pid < TOCK_SIM_PROCS; pid++) {
    tock_sim_proc_view v;
    tock_sim_describe(sim, pid, &v);
    out_char(c, ' ');
    out_num(c, pid, 7, 1);
    out(c, "Unique     ");
    out_padded(c, v.name, 20);
    out_num(c, 0, 6, 0);
    out_num(c, v.upcalls, 10, 0);
    out_num(c, v.restarts, 10, 0);
    out(c, "  ");
    out_num(c, v.running ? 1u + v.connections : 0u, 2, 0);
    out_char(c, '/');
    out_num(c, GRANTS_TOTAL, 2, 0);
    out(c, "   ");
    out(c, v.running ? "Yielded" : "Faulted");
    out(c, "\r\n");
  }
}

static void status(proc_console* c, const tock_sim* sim) {
  uint32_t active = 0;
  for (uint16_t pid = 0; pid < TOCK_SIM_PROCS; pid++) active += sim->running[pid] ? 1u : 0u;
  out(c, "Total processes: ");
  out_num(c, TOCK_SIM_PROCS, 0, 0);
  out(c, "\r\nActive processes: ");
  out_num(c, active, 0, 0);
  out(c, "\r\nTimeslice expirations: 0\r\n");
}

/* One "address ┼──── letter" rule of the memory map. */
static void map_rule(proc_console* c, uint32_t address, const char* letter) {
  out(c, "\r\n  ");
  out_hex(c, address);
  out(c,
      " \xe2\x94\xbc\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
      "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
      "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
      "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
      "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80");
  out(c, letter);
}

/* One "│   Name   size   letter" region line of the memory map. */
static void map_region(proc_console* c, const char* name, uint32_t size, const char* letter) {
  out(c, "\r\n             \xe2\x94\x82 ");
  out_padded(c, name, 13);
  out_num(c, size, 6, 0);
  out(c, letter);
}

static void kernel_info(proc_console* c) {
  const kernel_layout* k = &c->layout;
  out(c, "Kernel version: " DEMO_KERNEL_MAJOR_MINOR " (build " DEMO_KERNEL_BUILD ")\r\n");
  out(c,
      "\r\n \xe2\x95\x94\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90"
      "\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90\xe2\x95\x90\xe2\x95\xa4");
  for (int i = 0; i < 30; i++) out(c, "\xe2\x95\x90");
  out(c,
      "\xe2\x95\x97\r\n \xe2\x95\x91  Address  \xe2\x94\x82 Region Name    Used (bytes)  "
      "\xe2\x95\x91\r\n \xe2\x95\x9a");
  out_hex(c, k->bss_end);
  out(c, "\xe2\x95\x90\xe2\x95\xaa");
  for (int i = 0; i < 30; i++) out(c, "\xe2\x95\x90");
  out(c, "\xe2\x95\x9d");
  map_region(c, "  BSS", k->bss_end - k->bss_start, "");
  map_rule(c, k->relocate_end, " S");
  map_region(c, "  Relocate", k->relocate_end - k->relocate_start, "            R");
  map_rule(c, k->stack_end, " A");
  map_region(c, "\xe2\x96\xbc Stack", k->stack_end - k->stack_start, "            M");
  map_rule(c, k->stack_start, "");
  out(c, "\r\n             .....");
  map_rule(c, k->text_end, " F");
  map_region(c, "  RoData", k->text_end - k->rodata_start, "            L");
  map_rule(c, k->rodata_start, " A");
  map_region(c, "  Code", k->rodata_start - k->text_start, "            S");
  map_rule(c, k->text_start, " H");
  out(c, "\r\n");
}

static const char* const kNotSimulated[] = {"start", "stop",    "fault", "terminate",
                                            "boot",  "process", "reset", "panic"};

static void run_command(proc_console* c, const char* cmd, const tock_sim* sim) {
  if (starts_with(cmd, "console-start")) {
    c->hibernating = 0;
  } else if (c->hibernating) {
    /* Tock ignores every other command while hibernating. */
  } else if (starts_with(cmd, "help")) {
    out(c, "Welcome to the process console.\r\nValid commands are: " VALID_COMMANDS);
  } else if (starts_with(cmd, "console-stop")) {
    out(c, "Disabling the process console.\r\nRun console-start to reactivate.\r\n");
    c->hibernating = 1;
  } else if (starts_with(cmd, "list")) {
    list_processes(c, sim);
  } else if (starts_with(cmd, "status")) {
    status(c, sim);
  } else if (starts_with(cmd, "kernel")) {
    kernel_info(c);
  } else {
    for (size_t i = 0; i < sizeof kNotSimulated / sizeof kNotSimulated[0]; i++) {
      if (starts_with(cmd, kNotSimulated[i])) {
        out(c, "qemu_demo: ");
        out(c, kNotSimulated[i]);
        out(c, " is not simulated\r\n");
        return;
      }
    }
    out(c, "Valid commands are: " VALID_COMMANDS);
  }
}

static void end_line(proc_console* c, const tock_sim* sim) {
  out(c, "\r\n");
  c->line[c->len] = 0;
  const char* cmd = c->line;
  while (*cmd == ' ' || *cmd == '\t') cmd++;
  if (c->len > 0) run_command(c, cmd, sim);
  c->len = 0;
  if (!c->hibernating) out(c, "tock$ ");
}

/* Arrow and other keys send ESC [ ... final byte; Tock keeps them out of the
 * command (history and cursor keys are not simulated here). */
static int skip_escape(proc_console* c, uint8_t byte) {
  if (byte == ESC) {
    c->escape = 1;
  } else if (c->escape == 1) {
    c->escape = byte == '[' ? 2 : 0;
  } else if (c->escape == 2) {
    if (byte >= 0x40 && byte <= 0x7E) c->escape = 0;
  } else {
    return 0;
  }
  return 1;
}

void proc_console_init(proc_console* c, const kernel_layout* layout) {
  uint8_t* bytes = (uint8_t*)c;
  for (size_t i = 0; i < sizeof *c; i++) bytes[i] = 0;
  if (layout) c->layout = *layout;
}

void proc_console_receive(proc_console* c, uint8_t byte, const tock_sim* sim) {
  const uint8_t previous = c->previous;
  c->previous = byte;
  if (skip_escape(c, byte)) return;
  if (byte == CR || byte == LF) {
    if ((previous == CR || previous == LF) && previous != byte) {
      c->previous = 0; /* the second half of CR LF (or LF CR) */
    } else {
      end_line(c, sim);
    }
  } else if (byte == BS || byte == DEL) {
    if (c->len == 0) return;
    c->len--;
    out(c, "\b \b \b");
  } else if (byte >= 0x20 && byte < 0x7F && c->len < PROC_CONSOLE_LINE - 1) {
    c->line[c->len++] = (char)byte;
    out_char(c, (char)byte);
  }
}

size_t proc_console_pending(const proc_console* c, const char** bytes) {
  *bytes = c->out;
  return c->out_len;
}

void proc_console_consume(proc_console* c, size_t n) {
  if (n > c->out_len) n = c->out_len;
  for (size_t i = n; i < c->out_len; i++) c->out[i - n] = c->out[i];
  c->out_len -= (uint32_t)n;
}
