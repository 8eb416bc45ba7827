#include "cli/device_options.h"

namespace tockctl::cli {

CLI::Option* AddHiddenAlias(CLI::App& cmd, const std::string& alias,
                            std::optional<std::string>& value, CLI::Option* canonical) {
  // Option callbacks run after the whole command line is parsed, in the order the options were
  // added, so `canonical` has counted every use of itself by then.
  CLI::Option* old = cmd.add_option_function<std::string>(
      alias,
      [&value, canonical, said = alias.substr(alias.rfind(',') + 1)](const std::string& given) {
        if (canonical->count() > 0)
          throw CLI::ValidationError(said + " is the old spelling of " + canonical->get_name() +
                                     ", which was given too; give " + canonical->get_name() +
                                     " once");
        value = given;
      },
      "Old spelling of " + canonical->get_name());
  old->group("");
  return old;
}

void AddFlashDeviceOptions(CLI::App& cmd, flasher::FlashRequest& request,
                           const std::string& group) {
  CLI::Option* serial =
      cmd.add_option("--serial", request.port,
                     "Serial port of the bootloader or Black Magic Probe, e.g. /dev/ttyACM0")
          ->group(group);
  CLI::Option* usb = cmd.add_option("--usb", request.probe,
                                    "USB probe or boot ROM VID:PID[:SERIAL], e.g. 2e8a:0003")
                         ->group(group);
  CLI::Option* tcp =
      cmd.add_option("--tcp", request.remote, "GDB server HOST:PORT, e.g. 127.0.0.1:3333")
          ->group(group);
  AddHiddenAlias(cmd, "--port", request.port, serial);
  AddHiddenAlias(cmd, "--probe", request.probe, usb);
  AddHiddenAlias(cmd, "--remote", request.remote, tcp);
}

void AddInputFormatOption(CLI::App& cmd, std::optional<std::string>& format,
                          const std::string& group, bool format_alias) {
  CLI::Option* input = cmd.add_option("--input-format", format,
                                      "Image format (default: detected): elf, bin, ihex, uf2")
                           ->group(group);
  if (format_alias) AddHiddenAlias(cmd, "--format", format, input);
}

}  // namespace tockctl::cli
