#include "cli/source_options.h"

namespace tockctl::cli {

void AddSourceOptions(CLI::App& cmd, tracer::SourceFlags& s, bool with_replay) {
  const char* source = "Source (exactly one)";
  cmd.add_option("--serial", s.serial, "Serial port, e.g. /dev/ttyACM0")->group(source);
  cmd.add_option("--usb", s.usb, "USB device VID:PID[:SERIAL], e.g. 6667:0001")->group(source);
  cmd.add_option("--tcp", s.tcp, "TCP HOST:PORT, e.g. 127.0.0.1:4444 (QEMU chardev socket)")
      ->group(source);
  if (with_replay) {
    cmd.add_option("--replay", s.replay, "A recorded raw stream (from --save-raw)")->group(source);
  }
  cmd.add_flag("--qemu", s.qemu,
               "The UART of the QEMU that `tockctl flash` started (follows it when restarted)")
      ->group(source);
  cmd.add_option("--qemu-name", s.qemu_name,
                 "The UART of the QEMU started with `tockctl qemu start --name NAME`")
      ->group(source);
  const char* link = "Source options";
  cmd.add_option("--baud", s.baud,
                 with_replay ? "Serial line rate (default 115200); with --replay, replay at this "
                               "UART speed"
                             : "Serial line rate (default 115200)")
      ->group(link);
  cmd.add_option("--usb-interface", s.usb_interface, "USB interface number to read")->group(link);
  cmd.add_flag("--wait", s.wait, "Wait for a device that is not there yet")->group(link);
  cmd.add_flag("--no-reconnect", s.no_reconnect, "End when the device goes away")->group(link);
  cmd.add_option("--save-raw", s.save_raw, "Also record the raw byte stream to FILE")->group(link);
  cmd.add_flag("--overwrite-raw", s.overwrite_raw, "Let --save-raw replace an existing file")
      ->group(link);
}

}  // namespace tockctl::cli
