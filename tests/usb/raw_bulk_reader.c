/* The raw libusb reader the guest checks compare tockctl's trace throughput against:
 *
 *   raw_bulk_reader VID PID INTERFACE ENDPOINT BYTES
 *
 * opens the device, claims the interface and reads BYTES from the bulk IN endpoint with
 * synchronous 16 KiB transfers, nothing else (no decoding). Prints "RAW bytes=N" and exits 0, or
 * names the libusb call that failed and exits 1. The rate is measured on the gadget's side. */
#include <libusb-1.0/libusb.h>
#include <stdio.h>
#include <stdlib.h>

static int Fail(const char* what, int code) {
  fprintf(stderr, "raw_bulk_reader: %s: %s\n", what, libusb_error_name(code));
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: raw_bulk_reader VID PID INTERFACE ENDPOINT BYTES\n");
    return 2;
  }
  int vid = (int)strtol(argv[1], NULL, 16), pid = (int)strtol(argv[2], NULL, 16);
  int interface = atoi(argv[3]);
  unsigned char endpoint = (unsigned char)strtol(argv[4], NULL, 0);
  long long wanted = atoll(argv[5]), got = 0;
  libusb_context* context = NULL;
  int code = libusb_init(&context);
  if (code != 0) return Fail("init", code);
  libusb_device_handle* handle = libusb_open_device_with_vid_pid(context, vid, pid);
  if (handle == NULL) return Fail("open", LIBUSB_ERROR_NOT_FOUND);
  code = libusb_claim_interface(handle, interface);
  if (code != 0) return Fail("claim", code);
  static unsigned char buffer[16384];
  while (got < wanted) {
    int length = 0;
    code = libusb_bulk_transfer(handle, endpoint, buffer, sizeof buffer, &length, 5000);
    if (code != 0) return Fail("bulk transfer", code);
    got += length;
  }
  printf("RAW bytes=%lld\n", got);
  libusb_release_interface(handle, interface);
  libusb_close(handle);
  libusb_exit(context);
  return 0;
}
