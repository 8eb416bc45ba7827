/* A USB DFU 1.1 device and an STM32 DfuSe device for the guest checks in tests/usb/, backed by a
 * flash image file. Written from the USB Device Firmware Upgrade specification 1.1 (the DFU-mode
 * interface class 0xFE subclass 1 protocol 2, the functional descriptor, the requests and the
 * state table of its appendix A) and ST's AN3156 (DfuSe: alternate settings named
 * "@name/address/sectors", DNLOAD wValue 0 commands 0x21 set address pointer and 0x41 erase,
 * data at wValue >= 2 placed at (wValue - 2) * wTransferSize + pointer, commands executed at the
 * first GETSTATUS (dfuDNBUSY) and their result reported by the second, leave with a zero-length
 * DNLOAD). Not from tockctl's client (flasher/dfu.cpp), which is what the checks test.
 *
 *   dfu_gadget FFS_DIR dfu|dfuse FLASH_FILE READY_FILE
 *   dfu_gadget --runtime=will-detach|needs-reset RT_FFS_DIR RT_GADGET FFS_DIR GADGET FLASH_FILE
 *              READY_FILE
 *
 * dfu: one alternate setting "Flash" whose blocks fill FLASH_FILE from offset 0, erased in 4 KiB
 * pages as the download reaches them; bitCanDnload, bitCanUpload, bitManifestationTolerant;
 * 1024-byte transfers. A block past the end of the file is stalled (errADDRESS).
 * dfuse: alternate setting 0 "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg" (FLASH_FILE,
 * 1 MiB, like an STM32F4's first bank), setting 1 the option bytes (listed, not served); 2048-byte
 * transfers; attributes 0x0B like the STM32 system bootloader.
 *
 * --runtime: firmware in run-time mode (DFU 1.1 sections 4.1 and 5.1) on the configfs gadget
 * RT_GADGET (FunctionFS RT_FFS_DIR): interface 0 the firmware's own (vendor class, no endpoints),
 * interface 1 the run-time DFU interface (class 0xFE, subclass 1, protocol 1) with a functional
 * descriptor saying download, upload, manifestation tolerant, bitWillDetach for will-detach (0x0F)
 * and not for needs-reset (0x07), wDetachTimeOut 1000 ms. In appIDLE it answers GETSTATUS and
 * GETSTATE and takes DFU_DETACH (wValue: how long to wait for the reset, at most wDetachTimeOut),
 * which moves it to appDETACH; everything else stalls. will-detach then leaves the bus by itself;
 * needs-reset waits for a USB reset (FunctionFS reports it as FUNCTIONFS_DISABLE) and goes back to
 * appIDLE when none comes within the timeout. Leaving is unbinding RT_GADGET from its UDC and
 * binding GADGET (FunctionFS FFS_DIR, opened at start) in its place: the plain DFU device above,
 * on the same flash file, enumerates on the same port with another identity. It prints "DFU detach
 * wValue=N", then "DFU re-enumerated in DFU mode by itself|after a USB reset" or "DFU detach timed
 * out".
 *
 * Both enforce bwPollTimeout: a request while dfuDNBUSY or dfuMANIFEST has not timed out is
 * stalled (dfuERROR, errSTALLEDPKT), as is every request the state table does not allow.
 * Programming clears bits only (NOR flash). The gadget prints one line per manifestation ("DFU
 * manifested bytes=N") or leave ("DFUSE left address=0x..."), and exits after a DfuSe leave (the
 * chip resets).
 */
#include <poll.h>
#include <stdbool.h>

#include "ffs_common.h"

enum {
  kAppIdle,
  kAppDetach,
  kIdle,
  kDnloadSync,
  kDnBusy,
  kDnloadIdle,
  kManifestSync,
  kManifest,
  kManifestWaitReset,
  kUploadIdle,
  kError
};
enum { kOk = 0, kErrTarget = 1, kErrAddress = 8, kErrUnknown = 14, kErrStalledPkt = 15 };
enum { kDetach, kDnload, kUpload, kGetStatus, kClrStatus, kGetState, kAbort };

#define MAX_TRANSFER 2048
#define PAGE 4096
#define DFUSE_BASE 0x08000000u

struct sector_run {
  uint32_t count, size;
};
static const struct sector_run kSectors[] = {{4, 16 * 1024}, {1, 64 * 1024}, {7, 128 * 1024}};

struct dfu {
  bool dfuse;
  uint16_t transfer_size;
  uint8_t* flash;
  size_t flash_size;
  uint8_t state, status;
  uint32_t poll_ms;  /* bwPollTimeout of the busy state just entered */
  double busy_until; /* when dfuDNBUSY / dfuMANIFEST may be left */
  uint8_t result;    /* the executed block's status, reported by the next GETSTATUS */
  bool has_pending;  /* a downloaded block waits for GETSTATUS to execute it */
  uint16_t pending_value;
  size_t pending_length;
  uint8_t pending[MAX_TRANSFER];
  size_t offset;        /* plain DFU: where the next block goes */
  size_t erased_to;     /* plain DFU: pages below this are erased in this download */
  size_t upload_offset; /* plain DFU */
  uint32_t pointer;     /* DfuSe address pointer */
  bool manifested;      /* the zero-length DNLOAD's manifestation has run */
};

static void Stall(struct dfu* d, int ep0, const struct usb_ctrlrequest* setup, uint8_t status) {
  d->state = kError;
  d->status = status;
  Ep0Stall(ep0, setup);
}

/* The sector of the DfuSe flash holding `address`: [*start, *start + *size). */
static bool SectorAt(uint32_t address, uint32_t* start, uint32_t* size) {
  uint32_t at = DFUSE_BASE;
  for (size_t r = 0; r < sizeof kSectors / sizeof kSectors[0]; ++r) {
    for (uint32_t i = 0; i < kSectors[r].count; ++i, at += kSectors[r].size) {
      if (address >= at && address - at < kSectors[r].size) {
        *start = at;
        *size = kSectors[r].size;
        return true;
      }
    }
  }
  return false;
}

static bool InFlash(const struct dfu* d, uint64_t address, size_t length) {
  return address >= DFUSE_BASE && address + length <= DFUSE_BASE + (uint64_t)d->flash_size;
}

static uint8_t ExecuteDfuseCommand(struct dfu* d) {
  const uint8_t* c = d->pending;
  uint32_t address = 0;
  if (d->pending_length == 5) memcpy(&address, c + 1, 4); /* little-endian host and wire */
  if (c[0] == 0x21 && d->pending_length == 5) {
    if (!InFlash(d, address, 1)) return kErrTarget;
    d->pointer = address;
    return kOk;
  }
  if (c[0] == 0x41 && d->pending_length == 1) {
    memset(d->flash, 0xFF, d->flash_size);
    return kOk;
  }
  if (c[0] == 0x41 && d->pending_length == 5) {
    uint32_t start, size;
    if (!SectorAt(address, &start, &size) || !InFlash(d, start, size)) return kErrTarget;
    memset(d->flash + (start - DFUSE_BASE), 0xFF, size);
    return kOk;
  }
  return kErrUnknown;
}

static uint8_t ExecuteBlock(struct dfu* d) {
  if (d->dfuse && d->pending_value == 0) return ExecuteDfuseCommand(d);
  if (d->dfuse) {
    uint64_t address = (uint64_t)(d->pending_value - 2) * d->transfer_size + d->pointer;
    if (!InFlash(d, address, d->pending_length)) return kErrTarget;
    Program(d->flash + (address - DFUSE_BASE), d->pending, d->pending_length);
    return kOk;
  }
  while (d->erased_to < d->offset + d->pending_length) {
    memset(d->flash + d->erased_to, 0xFF, PAGE);
    d->erased_to += PAGE;
  }
  Program(d->flash + d->offset, d->pending, d->pending_length);
  d->offset += d->pending_length;
  return kOk;
}

/* Leaves the busy states whose bwPollTimeout has passed; true while still busy. */
static bool StillBusy(struct dfu* d) {
  if (d->state != kDnBusy && d->state != kManifest) return false;
  if (Now() < d->busy_until) return true;
  if (d->state == kDnBusy) d->state = kDnloadSync;
  if (d->state == kManifest) d->state = d->dfuse ? kManifestWaitReset : kManifestSync;
  return false;
}

static void EnterBusy(struct dfu* d, uint8_t state, uint32_t poll_ms) {
  d->state = state;
  d->poll_ms = poll_ms;
  d->busy_until = Now() + poll_ms / 1000.0;
}

static void Manifest(struct dfu* d) {
  if (d->dfuse) {
    printf("DFUSE left address=0x%08x\n", d->pointer);
  } else {
    printf("DFU manifested bytes=%zu\n", d->offset);
  }
  fflush(stdout);
  EnterBusy(d, kManifest, 10);
}

/* The bwPollTimeout of the block just executed: an erase takes longest. Real chips ask for more
 * (an STM32F4 128 KiB sector erase takes about a second); these keep the checks short. */
static uint32_t PollMs(const struct dfu* d) {
  if (d->dfuse && d->pending_value == 0) return d->pending[0] == 0x41 ? 10 : 1;
  return 2;
}

/* GETSTATUS: the state table's transitions on a status poll, then the 6-byte reply. */
static void GetStatus(struct dfu* d, int ep0) {
  d->poll_ms = 0;
  if (d->state == kDnloadSync && d->has_pending) {
    d->result = ExecuteBlock(d);
    d->has_pending = false;
    EnterBusy(d, kDnBusy, PollMs(d));
  } else if (d->state == kDnloadSync) {
    d->state = d->result == kOk ? kDnloadIdle : kError;
    d->status = d->result;
  } else if (d->state == kManifestSync && !d->manifested) {
    Manifest(d);
    d->manifested = true;
  } else if (d->state == kManifestSync) {
    d->state = kIdle;
  }
  uint8_t reply[6] = {d->status,
                      (uint8_t)d->poll_ms,
                      (uint8_t)(d->poll_ms >> 8),
                      (uint8_t)(d->poll_ms >> 16),
                      d->state,
                      0};
  Ep0In(ep0, reply, sizeof reply);
  if (d->dfuse && d->state == kManifest) {
    usleep(50000); /* let the status stage finish, then reset as the chip does */
    exit(0);
  }
}

static void Download(struct dfu* d, int ep0, const struct usb_ctrlrequest* setup) {
  uint16_t value = le16toh(setup->wValue), length = le16toh(setup->wLength);
  bool idle = d->state == kIdle, dnload_idle = d->state == kDnloadIdle;
  if (!idle && !dnload_idle) return Stall(d, ep0, setup, kErrStalledPkt);
  if (length == 0) {
    /* DFU 1.1: the end of a download; DfuSe also leaves from dfuIDLE (after SET_ADDRESS). */
    if (idle && !d->dfuse) return Stall(d, ep0, setup, kErrStalledPkt);
    Ep0Out(ep0, NULL, 0);
    d->manifested = false;
    d->state = kManifestSync;
    return;
  }
  if (length > d->transfer_size || (d->dfuse && value == 1))
    return Stall(d, ep0, setup, kErrStalledPkt);
  if (!d->dfuse && idle) {
    d->offset = 0;
    d->erased_to = 0;
  }
  if (!d->dfuse && d->offset + length > d->flash_size) return Stall(d, ep0, setup, kErrAddress);
  d->pending_length = Ep0Out(ep0, d->pending, length);
  d->pending_value = value;
  d->has_pending = true;
  d->state = kDnloadSync;
}

static void Upload(struct dfu* d, int ep0, const struct usb_ctrlrequest* setup) {
  uint16_t value = le16toh(setup->wValue), length = le16toh(setup->wLength);
  if ((d->state != kIdle && d->state != kUploadIdle) || length > d->transfer_size)
    return Stall(d, ep0, setup, kErrStalledPkt);
  if (d->dfuse && value == 0) {
    static const uint8_t kCommands[] = {0x00, 0x21, 0x41, 0x92};
    d->state = kUploadIdle;
    return Ep0In(ep0, kCommands, length < sizeof kCommands ? length : sizeof kCommands);
  }
  if (d->dfuse) {
    uint64_t address = (uint64_t)(value - 2) * d->transfer_size + d->pointer;
    if (value < 2 || !InFlash(d, address, length)) return Stall(d, ep0, setup, kErrTarget);
    d->state = kUploadIdle;
    return Ep0In(ep0, d->flash + (address - DFUSE_BASE), length);
  }
  if (d->state == kIdle) d->upload_offset = 0;
  size_t n = d->flash_size - d->upload_offset < length ? d->flash_size - d->upload_offset : length;
  d->state = n < length ? kIdle : kUploadIdle;
  Ep0In(ep0, d->flash + d->upload_offset, n);
  d->upload_offset += n;
}

static void Request(struct dfu* d, int ep0, const struct usb_ctrlrequest* setup) {
  if ((setup->bRequestType & USB_TYPE_MASK) != USB_TYPE_CLASS || StillBusy(d))
    return Stall(d, ep0, setup, kErrStalledPkt);
  uint8_t state = d->state;
  switch (setup->bRequest) {
    case kDnload:
      return Download(d, ep0, setup);
    case kUpload:
      return Upload(d, ep0, setup);
    case kGetStatus:
      return GetStatus(d, ep0);
    case kGetState:
      return Ep0In(ep0, &state, 1);
    case kClrStatus:
      if (state != kError) return Stall(d, ep0, setup, kErrStalledPkt);
      d->state = kIdle;
      d->status = kOk;
      Ep0Out(ep0, NULL, 0);
      return;
    case kAbort:
      if (state != kIdle && state != kDnloadSync && state != kDnloadIdle &&
          state != kManifestSync && state != kUploadIdle)
        return Stall(d, ep0, setup, kErrStalledPkt);
      d->state = kIdle;
      d->has_pending = false;
      Ep0Out(ep0, NULL, 0);
      return;
    default: /* DETACH is for run-time mode; nothing else is defined */
      return Stall(d, ep0, setup, kErrStalledPkt);
  }
}

/* The DFU functional descriptor (type 0x21), after the last alternate setting of its interface. */
static void PutFunctional(struct blob* b, uint8_t attributes, uint16_t detach_ms,
                          uint16_t transfer_size, uint16_t version) {
  Put8(b, 9);
  Put8(b, 0x21);
  Put8(b, attributes);
  Put16(b, detach_ms);
  Put16(b, transfer_size);
  Put16(b, version);
}

static int Open(const char* dir, struct dfu* d) {
  struct blob fs = {.size = 0};
  const char* dfuse_names[] = {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
                               "@Option Bytes  /0x1FFFC000/01*016 e"};
  const char* dfu_names[] = {"Flash"};
  int alternates = d->dfuse ? 2 : 1;
  for (int alt = 0; alt < alternates; ++alt)
    PutInterface(&fs, 0, (uint8_t)alt, 0, 0xFE, 0x01, 0x02, (uint8_t)(alt + 1));
  PutFunctional(&fs, d->dfuse ? 0x0B : 0x07, 255, d->transfer_size, d->dfuse ? 0x011A : 0x0110);
  return OpenFunction(dir, &fs, &fs, alternates + 1, d->dfuse ? dfuse_names : dfu_names,
                      alternates);
}

/* Reads ep0's pending events; returns how many, or -1 when ep0 is closed or failed. */
static int ReadEvents(int ep0, struct usb_functionfs_event* events, size_t max) {
  for (;;) {
    ssize_t n = read(ep0, events, max * sizeof events[0]);
    if (n < 0 && errno == EINTR) continue;
    return n <= 0 ? -1 : (int)((size_t)n / sizeof events[0]);
  }
}

/* ---- Run-time mode (--runtime) ---- */

#define DETACH_TIMEOUT_MS 1000
#define RUNTIME_INTERFACE 1

struct runtime {
  bool will_detach;
  uint8_t state;       /* kAppIdle or kAppDetach */
  double detach_until; /* appDETACH: when it goes back to appIDLE without a reset */
  bool left;           /* re-enumerated as the DFU-mode device */
  const char* gadget;  /* configfs directory of the run-time gadget */
  const char* dfu_gadget;
};

static int OpenRuntime(const char* dir, bool will_detach) {
  struct blob fs = {.size = 0};
  PutInterface(&fs, 0, 0, 0, 0xFF, 0x00, 0x00, 1);
  PutInterface(&fs, RUNTIME_INTERFACE, 0, 0, 0xFE, 0x01, 0x01, 2);
  PutFunctional(&fs, will_detach ? 0x0F : 0x07, DETACH_TIMEOUT_MS, 1024, 0x0110);
  const char* names[] = {"Firmware", "DFU run-time"};
  return OpenFunction(dir, &fs, &fs, 3, names, 2);
}

static void WriteAttribute(const char* dir, const char* name, const char* text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    fprintf(stderr, "gadget: writing \"%s\" to %s: %s\n", text, path, strerror(errno));
  if (fd >= 0) close(fd);
}

/* Leaves the bus as the run-time device and comes back as the DFU-mode one on the same UDC. */
static void Reenumerate(struct runtime* r, const char* how) {
  char path[512], udc[64] = "";
  snprintf(path, sizeof path, "%s/UDC", r->gadget);
  int fd = open(path, O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, udc, sizeof udc - 1);
  if (fd >= 0) close(fd);
  if (n > 0 && udc[n - 1] == '\n') udc[n - 1] = 0;
  usleep(50000); /* the status stage of DETACH, or the host's reset, finishes first */
  WriteAttribute(r->gadget, "UDC", "\n");
  WriteAttribute(r->dfu_gadget, "UDC", udc);
  r->left = true;
  printf("DFU re-enumerated in DFU mode %s\n", how);
  fflush(stdout);
}

static void RuntimeRequest(struct runtime* r, int ep0, const struct usb_ctrlrequest* setup) {
  bool in = setup->bRequestType & USB_DIR_IN;
  bool ours = (setup->bRequestType & USB_TYPE_MASK) == USB_TYPE_CLASS &&
              le16toh(setup->wIndex) == RUNTIME_INTERFACE;
  if (ours && in && setup->bRequest == kGetStatus) {
    uint8_t reply[6] = {kOk, 0, 0, 0, r->state, 0};
    return Ep0In(ep0, reply, sizeof reply);
  }
  if (ours && in && setup->bRequest == kGetState) return Ep0In(ep0, &r->state, 1);
  if (!ours || in || setup->bRequest != kDetach || r->state != kAppIdle)
    return Ep0Stall(ep0, setup);
  Ep0Out(ep0, NULL, 0);
  uint16_t wait = le16toh(setup->wValue);
  printf("DFU detach wValue=%u\n", wait);
  fflush(stdout);
  r->state = kAppDetach;
  r->detach_until = Now() + (wait < DETACH_TIMEOUT_MS ? wait : DETACH_TIMEOUT_MS) / 1000.0;
  if (r->will_detach) Reenumerate(r, "by itself");
}

static void RuntimeEvent(struct runtime* r, int ep0, const struct usb_functionfs_event* event) {
  if (r->left) return;
  if (event->type == FUNCTIONFS_SETUP) return RuntimeRequest(r, ep0, &event->u.setup);
  /* A USB reset unconfigures the device: FunctionFS reports it as DISABLE. */
  if (event->type == FUNCTIONFS_DISABLE && r->state == kAppDetach && Now() < r->detach_until)
    Reenumerate(r, "after a USB reset");
}

/* Poll timeout: until appDETACH times out, or none. */
static int RuntimeWaitMs(const struct runtime* r) {
  if (r->left || r->state != kAppDetach) return -1;
  double left = (r->detach_until - Now()) * 1000.0;
  return left <= 0 ? 0 : (int)left + 1;
}

static void ServeRuntime(struct runtime* r, int rt_ep0, struct dfu* d, int dfu_ep0) {
  struct usb_functionfs_event events[4];
  for (;;) {
    struct pollfd fds[2] = {{rt_ep0, POLLIN, 0}, {dfu_ep0, POLLIN, 0}};
    int ready = poll(fds, 2, RuntimeWaitMs(r));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return;
    if (ready == 0 && !r->left && r->state == kAppDetach && Now() >= r->detach_until) {
      r->state = kAppIdle;
      printf("DFU detach timed out\n");
      fflush(stdout);
    }
    if (fds[0].revents & POLLIN) {
      int n = ReadEvents(rt_ep0, events, 4);
      for (int i = 0; i < n; ++i) RuntimeEvent(r, rt_ep0, &events[i]);
    }
    if (fds[1].revents & POLLIN) {
      int n = ReadEvents(dfu_ep0, events, 4);
      if (n < 0) return;
      for (int i = 0; i < n; ++i)
        if (events[i].type == FUNCTIONFS_SETUP) Request(d, dfu_ep0, &events[i].u.setup);
    }
  }
}

static int Usage(void) {
  fprintf(stderr,
          "usage: dfu_gadget FFS_DIR dfu|dfuse FLASH_FILE READY_FILE\n"
          "       dfu_gadget --runtime=will-detach|needs-reset RT_FFS_DIR RT_GADGET FFS_DIR "
          "GADGET FLASH_FILE READY_FILE\n");
  return 2;
}

static void InitDfu(struct dfu* d, bool dfuse, const char* flash) {
  d->dfuse = dfuse;
  d->transfer_size = d->dfuse ? 2048 : 1024;
  d->state = kIdle;
  d->flash = MapFlash(flash, &d->flash_size);
  d->pointer = DFUSE_BASE;
}

static int MainRuntime(char** argv) {
  static struct runtime r;
  static struct dfu d;
  r.will_detach = strcmp(argv[1], "--runtime=will-detach") == 0;
  r.state = kAppIdle;
  r.gadget = argv[3];
  r.dfu_gadget = argv[5];
  InitDfu(&d, false, argv[6]);
  int rt_ep0 = OpenRuntime(argv[2], r.will_detach);
  int dfu_ep0 = Open(argv[4], &d);
  Touch(argv[7]);
  ServeRuntime(&r, rt_ep0, &d, dfu_ep0);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 8 && (strcmp(argv[1], "--runtime=will-detach") == 0 ||
                    strcmp(argv[1], "--runtime=needs-reset") == 0))
    return MainRuntime(argv);
  if (argc != 5 || (strcmp(argv[2], "dfu") != 0 && strcmp(argv[2], "dfuse") != 0)) return Usage();
  static struct dfu d;
  InitDfu(&d, strcmp(argv[2], "dfuse") == 0, argv[3]);
  int ep0 = Open(argv[1], &d);
  Touch(argv[4]);
  struct usb_functionfs_event events[4];
  for (int n; (n = ReadEvents(ep0, events, 4)) >= 0;)
    for (int i = 0; i < n; ++i)
      if (events[i].type == FUNCTIONFS_SETUP) Request(&d, ep0, &events[i].u.setup);
  return 0;
}
