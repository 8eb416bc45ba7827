/* The device side of tockctl's USB trace source, for the guest checks in tests/usb/.
 *
 * Written from Linux's Documentation/usb/functionfs.rst and tockctl's docs/trace-sources.md
 * ("the first interface that is vendor-specific (class 0xff), has "trace" in its name string and
 * has a bulk IN endpoint"). It runs as a FunctionFS function of a configfs gadget:
 *
 *   trace_gadget FFS_DIR FILE REPEAT READY_FILE
 *
 * writes the descriptors and strings to FFS_DIR/ep0, creates READY_FILE (the gadget may then be
 * bound to a UDC), and writes FILE REPEAT times (0: forever) to the bulk IN endpoint FFS_DIR/ep1.
 * Each write completes when the host has read it, so the rate printed at the end
 * ("GADGET bytes=N seconds=S") is the rate the host took the bytes at, measured from the first
 * completed write. After the last write it keeps ep0 open (the device stays plugged in) until
 * killed. A write failing because the host side went away (unbind) is logged and retried:
 * FunctionFS blocks it until the function is enabled again. */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ffs_common.h"

/* The vendor interface (named "Tock trace") with one bulk IN endpoint, at full and high speed. */
static int OpenEp0(const char* ffs_dir) {
  struct blob fs = {.size = 0};
  struct blob hs = {.size = 0};
  PutInterface(&fs, 0, 0, 1, USB_CLASS_VENDOR_SPEC, 0, 0, 1);
  PutBulkEndpoint(&fs, 1 | USB_DIR_IN, 64);
  PutInterface(&hs, 0, 0, 1, USB_CLASS_VENDOR_SPEC, 0, 0, 1);
  PutBulkEndpoint(&hs, 1 | USB_DIR_IN, 512);
  static const char* const kStrings[] = {"Tock trace"};
  return OpenFunction(ffs_dir, &fs, &hs, 2, kStrings, 1);
}

/* Reads and drops ep0 events (bind, enable, disable, setup) in a child so they never pile up. */
static void DrainEvents(int ep0) {
  if (fork() != 0) return;
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* ep0 must close when the gadget is killed */
  struct usb_functionfs_event event;
  while (read(ep0, &event, sizeof event) > 0) {
  }
  _exit(0);
}

static char* ReadFile(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) {
    fprintf(stderr, "trace_gadget: open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  char* data = malloc(1 << 24);
  *size = fread(data, 1, 1 << 24, file);
  fclose(file);
  return data;
}

/* Writes one chunk, waiting out an unbind (FunctionFS blocks until enabled again). */
static void WriteChunk(int ep1, const char* data, size_t size) {
  while (write(ep1, data, size) != (ssize_t)size) {
    fprintf(stderr, "trace_gadget: ep1 write: %s\n", strerror(errno));
    usleep(100000);
  }
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: trace_gadget FFS_DIR FILE REPEAT READY_FILE\n");
    return 2;
  }
  size_t size = 0;
  char* data = ReadFile(argv[2], &size);
  long repeat = strtol(argv[3], NULL, 10);
  int ep0 = OpenEp0(argv[1]);
  DrainEvents(ep0);
  char ep1_path[512];
  snprintf(ep1_path, sizeof ep1_path, "%s/ep1", argv[1]);
  int ep1 = open(ep1_path, O_RDWR);
  if (ep1 < 0) {
    fprintf(stderr, "trace_gadget: open %s: %s\n", ep1_path, strerror(errno));
    return 1;
  }
  Touch(argv[4]);
  const size_t kChunk = 16384;
  double start = 0;
  long long timed_bytes = 0;
  for (long round = 0; repeat == 0 || round < repeat; ++round) {
    for (size_t offset = 0; offset < size; offset += kChunk) {
      size_t length = size - offset < kChunk ? size - offset : kChunk;
      WriteChunk(ep1, data + offset, length);
      if (start == 0) {
        start = Now();
      } else {
        timed_bytes += (long long)length;
      }
    }
  }
  printf("GADGET bytes=%lld seconds=%.6f\n", timed_bytes, Now() - start);
  fflush(stdout);
  for (;;) pause();
}
