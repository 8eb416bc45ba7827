/* The PICOBOOT interface of an RP2040 in BOOTSEL mode, for the guest checks in tests/usb/, backed
 * by a flash image file. Written from the RP2040 datasheet's "USB PICOBOOT interface" section (not
 * from tockctl's client, flasher/picoboot.cpp, which is what the checks test):
 *
 * - interface 0 is the mass-storage interface (class 8, SCSI, bulk-only; declared, not served:
 *   the guest loads no usb-storage driver), interface 1 the PICOBOOT one (class 0xFF, a bulk OUT
 *   endpoint and a bulk IN endpoint);
 * - a command is a 32-byte packet on bulk OUT: dMagic 0x431fd10b, dToken, bCmdId (bit 7: data
 *   flows IN), bCmdSize, two unused bytes, dTransferLength, 16 bytes of arguments; then
 *   dTransferLength bytes of data, then a zero-length ACK in the direction opposite to the data
 *   (IN when there is none);
 * - EXCLUSIVE_ACCESS (0x01, 1 byte), REBOOT (0x02, pc sp delay), FLASH_ERASE (0x03, address and
 *   size, both 4 KiB aligned), READ (0x84), WRITE (0x05; flash addresses 256-byte aligned, a last
 *   partial page zero-filled), EXIT_XIP (0x06), ENTER_CMD_XIP (0x07); REBOOT2 is the RP2350's and
 *   unknown here;
 * - a failing command stalls both bulk endpoints; GET_COMMAND_STATUS (vendor IN request 0x42,
 *   16 bytes: dToken, dStatusCode, bCmdId, bInProgress) says why, INTERFACE_RESET (vendor OUT
 *   request 0x41) clears the stalls;
 * - the flash is at 0x10000000, SRAM at 0x20000000 (264 KiB), the ROM at 0 (16 KiB, read as
 *   zeros here).
 *
 * The flash is read through XIP, which the datasheet describes ENTER_CMD_XIP as setting up "to
 * make flash easily accessible (i.e. just access addresses in the 0x10... segment)"; the boot ROM's
 * flash erase and program leave the SSI in serial command mode, and BOOTSEL mode starts there.
 * So a READ of flash that is not preceded by ENTER_CMD_XIP (after the last EXIT_XIP, FLASH_ERASE
 * or flash WRITE) returns zeros here, not the flash contents.
 *
 * --rp2350 plays the RP2350 boot ROM as the RP2350 datasheet's "USB PICOBOOT interface" section
 * describes it (the device is 2e8a:000f, set up by the caller's configfs gadget):
 *
 * - REBOOT (0x02), EXEC (0x08) and VECTORIZE_FLASH (0x09) are "not supported on RP2350": with
 *   their RP2040 argument sizes they fail with UNKNOWN_CMD (a stall), as the RP2350 boot ROM does;
 * - REBOOT2 (0x0a, 16 bytes: dFlags, dDelayMS, dParam0, dParam1; the parameters of the boot ROM's
 *   reboot()) reboots; the reboot type in the low four bits of dFlags must be one the datasheet
 *   names (0 normal, 2 BOOTSEL, 3 RAM image, 4 flash update, 0xd PC and SP), with the optional
 *   flags 0x10 (to Arm), 0x20 (to RISC-V) and 0x100 (no return on success, ignored); anything
 *   else is refused with NOT_PERMITTED, which is what the boot ROM reports for a reboot() that
 *   fails;
 * - EXIT_XIP (0x06) and ENTER_CMD_XIP (0x07) are "a no-op provided for compatibility with
 *   RP2040": the XIP setup is done once before the USB bootloader starts, and the RP2350's flash
 *   erase and program do not leave XIP inaccessible, so a READ of flash always shows the flash;
 * - SRAM is 520 KiB at 0x20000000, the ROM 32 KiB at 0.
 *
 *   picoboot_gadget [--rp2350] FFS_DIR FLASH_FILE READY_FILE
 *
 * Prints one line per command ("PICOBOOT 0x05 0x10000000 +4096 status 0") and exits after a
 * REBOOT's or REBOOT2's delay (the chip reboots). */
#include <pthread.h>
#include <stdbool.h>
#include <sys/ioctl.h>

#include "ffs_common.h"

enum {
  kOk = 0,
  kUnknownCmd = 1,
  kInvalidCmdLength = 2,
  kInvalidTransferLength = 3,
  kInvalidAddress = 4,
  kBadAlignment = 5,
};
enum {
  kExclusiveAccess = 0x01,
  kReboot = 0x02,
  kFlashErase = 0x03,
  kRead = 0x84,
  kWrite = 0x05,
  kExitXip = 0x06,
  kEnterCmdXip = 0x07,
  kExec = 0x08,
  kVectorizeFlash = 0x09,
  kReboot2 = 0x0a,
};
enum { kNotPermitted = 10 };

#define FLASH_BASE 0x10000000u
#define SRAM_BASE 0x20000000u
#define MAX_TRANSFER (64u * 1024)

struct command {
  uint32_t magic, token;
  uint8_t id, size;
  uint16_t unused;
  uint32_t transfer_length;
  uint32_t args[4];
} __attribute__((packed));

static struct {
  pthread_mutex_t lock;
  uint32_t token, code;
  uint8_t command;
} status = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int out_fd, in_fd;
static uint8_t* flash;
static size_t flash_size;
static uint8_t sram[520u * 1024];
static bool xip; /* reads of 0x10... show the flash */
static uint8_t exclusive;
static bool rp2350;
static uint32_t sram_size = 264u * 1024, rom_size = 16u * 1024;

static void SetStatus(const struct command* c, uint32_t code) {
  pthread_mutex_lock(&status.lock);
  status.token = c->token;
  status.code = code;
  status.command = c->id;
  pthread_mutex_unlock(&status.lock);
}

/* Halts both bulk endpoints: I/O in the wrong direction on a FunctionFS endpoint halts it. */
static void StallBoth(void) {
  uint8_t byte = 0;
  (void)!write(out_fd, &byte, 1);
  (void)!read(in_fd, &byte, 1);
}

static bool Within(uint32_t address, uint32_t size, uint32_t base, uint32_t length) {
  return address >= base && (uint64_t)address + size <= (uint64_t)base + length;
}

/* Where [address, address + size) lives: a pointer into flash, SRAM or NULL. */
static uint8_t* Memory(uint32_t address, uint32_t size, bool* in_flash) {
  *in_flash = Within(address, size, FLASH_BASE, (uint32_t)flash_size);
  if (*in_flash) return flash + (address - FLASH_BASE);
  if (Within(address, size, SRAM_BASE, sram_size)) return sram + (address - SRAM_BASE);
  return NULL;
}

static uint32_t CheckShape(const struct command* c) {
  static const struct {
    uint8_t id, size;
    bool data;
  } kShapes[] = {{kExclusiveAccess, 1, false},
                 {kReboot, 12, false},
                 {kFlashErase, 8, false},
                 {kRead, 8, true},
                 {kWrite, 8, true},
                 {kExitXip, 0, false},
                 {kEnterCmdXip, 0, false},
                 {kExec, 4, false},
                 {kVectorizeFlash, 4, false},
                 {kReboot2, 16, false}};
  for (size_t i = 0; i < sizeof kShapes / sizeof kShapes[0]; ++i) {
    if (kShapes[i].id != c->id) continue;
    if (!rp2350 && c->id == kReboot2) return kUnknownCmd; /* past the RP2040's command table */
    if (kShapes[i].size != c->size) return kInvalidCmdLength;
    uint32_t wanted = kShapes[i].data ? c->args[1] : 0;
    if (c->transfer_length != wanted || wanted > MAX_TRANSFER) return kInvalidTransferLength;
    /* EXEC and VECTORIZE_FLASH are not served here (the RP2350 does not support them either);
     * the RP2350 boot ROM answers its RP2040-only commands with UNKNOWN_CMD after the size
     * checks. */
    if (c->id == kExec || c->id == kVectorizeFlash || (rp2350 && c->id == kReboot))
      return kUnknownCmd;
    return kOk;
  }
  return kUnknownCmd;
}

static uint32_t Erase(const struct command* c) {
  uint32_t address = c->args[0], size = c->args[1];
  if (address % 4096 || size % 4096) return kBadAlignment;
  if (!Within(address, size, FLASH_BASE, (uint32_t)flash_size)) return kInvalidAddress;
  memset(flash + (address - FLASH_BASE), 0xFF, size);
  if (!rp2350) xip = false; /* the RP2040 boot ROM leaves the flash in serial command mode */
  return kOk;
}

static bool ReadAll(int fd, uint8_t* data, size_t size) {
  for (size_t done = 0; done < size;) {
    ssize_t n = read(fd, data + done, size - done);
    if (n <= 0) return false;
    done += (size_t)n;
  }
  return true;
}

static uint32_t Write(const struct command* c) {
  static uint8_t data[MAX_TRANSFER + 256];
  uint32_t address = c->args[0], size = c->args[1];
  bool in_flash;
  uint8_t* target = Memory(address, size, &in_flash);
  if (target == NULL) return kInvalidAddress;
  if (in_flash && address % 256) return kBadAlignment;
  if (!ReadAll(out_fd, data, size)) return kInvalidTransferLength;
  if (!in_flash) {
    memcpy(target, data, size);
    return kOk;
  }
  uint32_t padded = (size + 255) / 256 * 256;
  if (!Within(address, padded, FLASH_BASE, (uint32_t)flash_size)) return kInvalidAddress;
  memset(data + size, 0, padded - size);
  Program(target, data, padded);
  if (!rp2350) xip = false;
  return kOk;
}

static uint32_t Read(const struct command* c) {
  static const uint8_t kZeros[MAX_TRANSFER];
  uint32_t address = c->args[0], size = c->args[1];
  bool in_flash;
  const uint8_t* source = Memory(address, size, &in_flash);
  if (source == NULL && Within(address, size, 0, rom_size)) source = kZeros;
  if (source == NULL) return kInvalidAddress;
  if (in_flash && !xip) source = kZeros;
  return write(in_fd, source, size) == (ssize_t)size ? kOk : kInvalidTransferLength;
}

/* REBOOT2's dFlags: a reboot type the datasheet names, and only the flags it names. */
static bool Reboot2Allowed(uint32_t flags) {
  uint32_t type = flags & 0xFu;
  bool known_type = type == 0x0 || type == 0x2 || type == 0x3 || type == 0x4 || type == 0xd;
  return known_type && (flags & ~(0xFu | 0x10u | 0x20u | 0x100u)) == 0;
}

static uint32_t Execute(const struct command* c) {
  uint32_t shape = CheckShape(c);
  if (shape != kOk) return shape;
  switch (c->id) {
    case kExclusiveAccess:
      exclusive = (uint8_t)c->args[0];
      return kOk;
    case kFlashErase:
      return Erase(c);
    case kWrite:
      return Write(c);
    case kRead:
      return Read(c);
    case kExitXip:
      if (!rp2350) xip = false; /* RP2350: a no-op */
      return kOk;
    case kEnterCmdXip:
      xip = true;
      return kOk;
    case kReboot2:
      return Reboot2Allowed(c->args[0]) ? kOk : kNotPermitted;
    default: /* kReboot: acknowledged first, then the chip reboots */
      return kOk;
  }
}

static void Acknowledge(const struct command* c) {
  uint8_t packet[512];
  if (c->id & 0x80) {
    (void)!read(out_fd, packet, sizeof packet);
  } else {
    (void)!write(in_fd, packet, 0);
  }
}

static void Serve(void) {
  for (;;) {
    uint8_t packet[512];
    ssize_t n = read(out_fd, packet, sizeof packet);
    if (n < 0) {
      usleep(10000); /* halted, disabled or unbound: wait for the host */
      continue;
    }
    struct command c;
    memset(&c, 0, sizeof c);
    memcpy(&c, packet, n < (ssize_t)sizeof c ? (size_t)n : sizeof c);
    uint32_t code = n != 32 || c.magic != 0x431fd10bu ? kInvalidCmdLength : Execute(&c);
    printf("PICOBOOT 0x%02x 0x%08x +%u status %u\n", c.id, c.args[0], c.args[1], code);
    fflush(stdout);
    SetStatus(&c, code);
    if (code != kOk) {
      StallBoth();
      continue;
    }
    Acknowledge(&c);
    if (c.id == kReboot) {
      printf("PICOBOOT reboot pc=0x%08x sp=0x%08x delay=%u exclusive=%u\n", c.args[0], c.args[1],
             c.args[2], exclusive);
      fflush(stdout);
      usleep(c.args[2] * 1000u);
      exit(0);
    }
    if (c.id == kReboot2) {
      printf("PICOBOOT reboot2 flags=0x%08x delay=%u p0=0x%08x p1=0x%08x exclusive=%u\n", c.args[0],
             c.args[1], c.args[2], c.args[3], exclusive);
      fflush(stdout);
      usleep(c.args[1] * 1000u);
      exit(0);
    }
  }
}

/* ep0: INTERFACE_RESET and GET_COMMAND_STATUS to the PICOBOOT interface; the rest stalls. */
static void* Control(void* arg) {
  int ep0 = *(int*)arg;
  struct usb_functionfs_event events[4];
  for (;;) {
    ssize_t n = read(ep0, events, sizeof events);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) exit(1);
    for (size_t i = 0; i < (size_t)n / sizeof events[0]; ++i) {
      if (events[i].type != FUNCTIONFS_SETUP) continue;
      const struct usb_ctrlrequest* s = &events[i].u.setup;
      bool vendor = (s->bRequestType & USB_TYPE_MASK) == USB_TYPE_VENDOR;
      if (vendor && s->bRequest == 0x41 && !(s->bRequestType & USB_DIR_IN)) {
        ioctl(out_fd, FUNCTIONFS_CLEAR_HALT);
        ioctl(in_fd, FUNCTIONFS_CLEAR_HALT);
        Ep0Out(ep0, NULL, 0);
      } else if (vendor && s->bRequest == 0x42 && (s->bRequestType & USB_DIR_IN)) {
        uint8_t reply[16] = {0};
        pthread_mutex_lock(&status.lock);
        memcpy(reply, &status.token, 4);
        memcpy(reply + 4, &status.code, 4);
        reply[8] = status.command;
        pthread_mutex_unlock(&status.lock);
        Ep0In(ep0, reply, le16toh(s->wLength) < 16 ? le16toh(s->wLength) : 16);
      } else {
        Ep0Stall(ep0, s);
      }
    }
  }
  return NULL;
}

static int OpenEndpoint(const char* dir, const char* name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDWR);
  if (fd < 0) {
    fprintf(stderr, "picoboot_gadget: open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  return fd;
}

static void Descriptors(struct blob* b, uint16_t max_packet) {
  PutInterface(b, 0, 0, 2, 0x08, 0x06, 0x50, 1);
  PutBulkEndpoint(b, 0x01, max_packet);
  PutBulkEndpoint(b, 0x82, max_packet);
  PutInterface(b, 1, 0, 2, 0xFF, 0x00, 0x00, 2);
  PutBulkEndpoint(b, 0x03, max_packet);
  PutBulkEndpoint(b, 0x84, max_packet);
}

int main(int argc, char** argv) {
  rp2350 = argc == 5 && strcmp(argv[1], "--rp2350") == 0;
  if (argc != 4 && !rp2350) {
    fprintf(stderr, "usage: picoboot_gadget [--rp2350] FFS_DIR FLASH_FILE READY_FILE\n");
    return 2;
  }
  argv += rp2350;
  if (rp2350) {
    sram_size = 520u * 1024;
    rom_size = 32u * 1024;
    xip = true; /* set up once before the USB bootloader starts */
  }
  flash = MapFlash(argv[2], &flash_size);
  struct blob fs = {.size = 0}, hs = {.size = 0};
  Descriptors(&fs, 64);
  Descriptors(&hs, 512);
  const char* strings[] = {"RP2 Boot MSC", "RP2 Boot PICOBOOT"};
  static int ep0;
  ep0 = OpenFunction(argv[1], &fs, &hs, 6, strings, 2);
  out_fd = OpenEndpoint(argv[1], "ep3");
  in_fd = OpenEndpoint(argv[1], "ep4");
  pthread_t control;
  pthread_create(&control, NULL, Control, &ep0);
  Touch(argv[3]);
  Serve();
}
