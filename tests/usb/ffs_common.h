/* Helpers shared by the gadgets of the USB guest checks (trace_gadget.c, dfu_gadget.c,
 * picoboot_gadget.c): FunctionFS descriptor and string blobs, ep0 replies, the flash image file.
 * Written from Linux's Documentation/usb/functionfs.rst: ep0 takes the descriptors then the
 * strings; a SETUP event is answered by writing the IN data stage or reading the OUT one (a
 * zero-length read acknowledges a request without data), and doing it in the wrong direction stalls
 * the request. */
#ifndef TOCKCTL_TESTS_USB_FFS_COMMON_H
#define TOCKCTL_TESTS_USB_FFS_COMMON_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A descriptor list being built, little-endian. */
struct blob {
  uint8_t data[2048];
  size_t size;
};

static inline void Put8(struct blob* b, uint8_t value) {
  if (b->size >= sizeof b->data) {
    fprintf(stderr, "gadget: descriptor blob overflow\n");
    exit(1);
  }
  b->data[b->size++] = value;
}

static inline void Put16(struct blob* b, uint16_t value) {
  Put8(b, (uint8_t)value);
  Put8(b, (uint8_t)(value >> 8));
}

static inline void Put32(struct blob* b, uint32_t value) {
  Put16(b, (uint16_t)value);
  Put16(b, (uint16_t)(value >> 16));
}

static inline void PutInterface(struct blob* b, uint8_t number, uint8_t alternate,
                                uint8_t endpoints, uint8_t klass, uint8_t subclass,
                                uint8_t protocol, uint8_t string) {
  Put8(b, USB_DT_INTERFACE_SIZE);
  Put8(b, USB_DT_INTERFACE);
  Put8(b, number);
  Put8(b, alternate);
  Put8(b, endpoints);
  Put8(b, klass);
  Put8(b, subclass);
  Put8(b, protocol);
  Put8(b, string);
}

static inline void PutBulkEndpoint(struct blob* b, uint8_t address, uint16_t max_packet) {
  Put8(b, USB_DT_ENDPOINT_SIZE);
  Put8(b, USB_DT_ENDPOINT);
  Put8(b, address);
  Put8(b, USB_ENDPOINT_XFER_BULK);
  Put16(b, max_packet);
  Put8(b, 0);
}

static inline void WriteEp0(int ep0, const struct blob* b, const char* what) {
  if (write(ep0, b->data, b->size) != (ssize_t)b->size) {
    fprintf(stderr, "gadget: writing %s to ep0: %s\n", what, strerror(errno));
    exit(1);
  }
}

/* Opens DIR/ep0 and writes the full- and high-speed descriptor lists (`count` descriptors each)
 * and the interface strings (US English). Returns ep0. */
static inline int OpenFunction(const char* dir, const struct blob* fs, const struct blob* hs,
                               int count, const char* const* strings, int string_count) {
  char path[512];
  snprintf(path, sizeof path, "%s/ep0", dir);
  int ep0 = open(path, O_RDWR);
  if (ep0 < 0) {
    fprintf(stderr, "gadget: open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  struct blob d = {.size = 0};
  Put32(&d, FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
  Put32(&d, (uint32_t)(20 + fs->size + hs->size));
  Put32(&d, FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
  Put32(&d, (uint32_t)count);
  Put32(&d, (uint32_t)count);
  memcpy(d.data + d.size, fs->data, fs->size);
  d.size += fs->size;
  memcpy(d.data + d.size, hs->data, hs->size);
  d.size += hs->size;
  WriteEp0(ep0, &d, "descriptors");
  struct blob s = {.size = 0};
  Put32(&s, FUNCTIONFS_STRINGS_MAGIC);
  Put32(&s, 0); /* length, patched below */
  Put32(&s, (uint32_t)string_count);
  Put32(&s, 1);
  Put16(&s, 0x0409);
  for (int i = 0; i < string_count; ++i) {
    size_t n = strlen(strings[i]) + 1;
    memcpy(s.data + s.size, strings[i], n);
    s.size += n;
  }
  uint32_t length = (uint32_t)s.size;
  memcpy(s.data + 4, &length, 4);
  WriteEp0(ep0, &s, "strings");
  return ep0;
}

/* Stalls the pending SETUP: reading answers an IN request, writing an OUT one, so the wrong
 * direction is the stall. */
static inline void Ep0Stall(int ep0, const struct usb_ctrlrequest* setup) {
  char byte;
  if (setup->bRequestType & USB_DIR_IN) {
    (void)!read(ep0, &byte, 0);
  } else {
    (void)!write(ep0, &byte, 0);
  }
}

static inline void Ep0In(int ep0, const void* data, size_t size) {
  if (write(ep0, data, size) < 0) fprintf(stderr, "gadget: ep0 IN: %s\n", strerror(errno));
}

/* Reads the OUT data stage (or acknowledges a request without one); returns the byte count. */
static inline size_t Ep0Out(int ep0, void* data, size_t size) {
  ssize_t n = read(ep0, data, size);
  if (n < 0) {
    fprintf(stderr, "gadget: ep0 OUT: %s\n", strerror(errno));
    return 0;
  }
  return (size_t)n;
}

/* The flash image: FILE mapped shared, so every write lands in the file the checks compare. */
static inline uint8_t* MapFlash(const char* path, size_t* size) {
  int fd = open(path, O_RDWR);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
    fprintf(stderr, "gadget: flash image %s: %s\n", path, strerror(errno));
    exit(1);
  }
  void* map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    fprintf(stderr, "gadget: mmap %s: %s\n", path, strerror(errno));
    exit(1);
  }
  close(fd);
  *size = (size_t)st.st_size;
  return map;
}

/* NOR flash programming clears bits and never sets them: what a write over unerased bytes
 * leaves. */
static inline void Program(uint8_t* flash, const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i) flash[i] &= data[i];
}

static inline double Now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static inline void Touch(const char* path) { close(open(path, O_CREAT | O_WRONLY, 0644)); }

#endif
