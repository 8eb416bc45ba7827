// The extcap calls told apart, refused with whole messages, and answered with whole replies.
#include "tracer/extcap_program.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

class NoDevices : public SourceInventory {
 public:
  RecordedQemu Qemu() override { return {true, "qemu_rv32_virt", 4444, ""}; }
  std::vector<devices::SerialPortInfo> SerialPorts() override { return {}; }
  std::vector<devices::UsbDeviceInfo> UsbDevices() override { return {}; }
};

const ExtcapProgramInfo kInfo{"1.2.3", "file:///usr/share/doc/tockctl/extcap.md"};

std::string UsageError(const ExtcapRequest& request) {
  try {
    ClassifyExtcapRequest(request);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    return e.Describe();
  }
  ADD_FAILURE() << "no error";
  return "";
}

std::string Reply(const ExtcapRequest& request) {
  NoDevices inventory;
  return ExtcapReply(ClassifyExtcapRequest(request), request, kInfo, inventory);
}

ExtcapRequest For(const std::string& interface) {
  ExtcapRequest r;
  r.interface = interface;
  return r;
}

TEST(ExtcapProgram, TellsTheCallsApart) {
  ExtcapRequest r;
  r.version = "4.0";
  EXPECT_EQ(ClassifyExtcapRequest(r), ExtcapCall::kVersion);
  r.interfaces = true;
  EXPECT_EQ(ClassifyExtcapRequest(r), ExtcapCall::kInterfaces);
  r = For("tockctl-qemu");
  r.dlts = true;
  EXPECT_EQ(ClassifyExtcapRequest(r), ExtcapCall::kDlts);
  r = For("tockctl-qemu");
  r.config = true;
  EXPECT_EQ(ClassifyExtcapRequest(r), ExtcapCall::kConfig);
  r.reload_option = "--baud";
  EXPECT_EQ(ClassifyExtcapRequest(r), ExtcapCall::kReloadOption);
  r = For("tockctl-usb-6667-0001");
  r.capture_filter = "udp";
  EXPECT_EQ(ClassifyExtcapRequest(r), ExtcapCall::kFilterCheck);
  r = For("tockctl-serial-ttyACM0");
  r.capture = true;
  r.fifo = "/tmp/fifo";
  r.capture_filter = "";
  r.control_in = "/tmp/in";
  r.control_out = "/tmp/out";
  EXPECT_EQ(ClassifyExtcapRequest(r), ExtcapCall::kCapture);
}

TEST(ExtcapProgram, RefusesIncompleteOrMixedCalls) {
  EXPECT_EQ(UsageError({}),
            "tell tockctl extcap what to do; Wireshark passes --extcap-interfaces, "
            "--extcap-dlts, --extcap-config or --capture; to set tockctl up in Wireshark run: "
            "tockctl extcap --install");
  ExtcapRequest r;
  r.dlts = true;
  EXPECT_EQ(UsageError(r), "--extcap-dlts needs --extcap-interface VALUE");
  r = For("eth0");
  r.config = true;
  EXPECT_EQ(UsageError(r),
            "unknown interface eth0; tockctl's interfaces start with tockctl-; list them with: "
            "tockctl extcap --extcap-interfaces");
  r = For("tockctl-qemu");
  r.capture = true;
  EXPECT_EQ(UsageError(r), "--capture needs --fifo PATH");
  r.fifo = "/tmp/fifo";
  r.capture_filter = "udp port 5683";
  EXPECT_EQ(UsageError(r),
            "tockctl interfaces take no capture filter; use a display filter, or the Filter "
            "options of the interface");
  r.capture_filter.reset();
  r.config = true;
  EXPECT_EQ(UsageError(r),
            "--extcap-config and --capture cannot be used together; Wireshark asks for one thing "
            "at a time");
}

TEST(ExtcapProgram, VersionAndInterfaces) {
  ExtcapRequest r;
  r.version = "";
  EXPECT_EQ(Reply(r), "extcap {version=1.2.3}{help=file:///usr/share/doc/tockctl/extcap.md}\n");
  r.interfaces = true;
  EXPECT_EQ(Reply(r),
            "extcap {version=1.2.3}{help=file:///usr/share/doc/tockctl/extcap.md}\n"
            "interface {value=tockctl-qemu}{display=tockctl: QEMU qemu_rv32_virt (UART "
            "127.0.0.1:4444)}\n");
}

TEST(ExtcapProgram, OneLinkTypeForEveryInterface) {
  for (const char* interface : {"tockctl-qemu", "tockctl-serial-x", "tockctl-usb-6667-0001"}) {
    ExtcapRequest r = For(interface);
    r.dlts = true;
    EXPECT_EQ(Reply(r),
              "dlt {number=147}{name=USER0}{display=Tock trace (pcapng: one interface per "
              "device interface, USER0 for IPC records)}\n");
  }
}

const char* kFilterAndOutputArgs =
    "{call=--ipc}{display=IPC records only}{tooltip=Only IPC records: register, discover, "
    "connect, messages, RPC, memory, upcalls (with Network records only: both)}{type=boolflag}"
    "{group=Filter}\n"
    "arg {number=N}{call=--net}{display=Network records only}{tooltip=Only network records: "
    "interface up and down, frames sent and received, drops, deliveries}{type=boolflag}"
    "{group=Filter}\n"
    "arg {number=N}{call=--process}{display=Process}{tooltip=Only records naming this process, "
    "e.g. net_service}{type=string}{group=Filter}\n"
    "arg {number=N}{call=--service}{display=Service}{tooltip=Only records of this IPC service, "
    "e.g. net.svc}{type=string}{group=Filter}\n"
    "arg {number=N}{call=--iface}{display=Device interface}{tooltip=Only network records of "
    "this device interface, e.g. wpan0}{type=string}{group=Filter}\n"
    "arg {number=N}{call=--save-raw}{display=Save raw stream}{tooltip=Also write the raw trace "
    "bytes to this file (replacing it), for tockctl trace --replay}{type=fileselect}"
    "{mustexist=false}{group=Output}\n";

// The reply with the argument numbers replaced by N, and where the shared part starts.
std::string Config(const std::string& interface) {
  ExtcapRequest r = For(interface);
  r.config = true;
  std::string out = Reply(r);
  for (size_t at = out.find("{number="); at != std::string::npos;
       at = out.find("{number=", at + 1)) {
    out.replace(at + 8, out.find('}', at) - at - 8, "N");
  }
  return out;
}

TEST(ExtcapProgram, QemuOptions) {
  EXPECT_EQ(Config("tockctl-qemu"),
            std::string("arg {number=N}{call=--reconnect}{display=Reconnect}{tooltip=When QEMU "
                        "stops, wait for it (or the QEMU of a new tockctl flash) instead of ending "
                        "the capture}{type=boolflag}{group=Link}\n"
                        "arg {number=N}{call=--wait}{display=Wait for QEMU}{tooltip=If no QEMU "
                        "started by tockctl flash runs yet, wait for one instead of failing}"
                        "{type=boolflag}{group=Link}\n"
                        "arg {number=N}") +
                kFilterAndOutputArgs);
}

TEST(ExtcapProgram, SerialOptions) {
  EXPECT_EQ(Config("tockctl-serial-0123456789"),
            std::string("arg {number=N}{call=--baud}{display=Baud rate}{tooltip=Serial line rate "
                        "(8N1)}{type=integer}{range=1,16000000}{default=115200}{group=Link}\n"
                        "arg {number=N}{call=--reconnect}{display=Reconnect}{tooltip=When the "
                        "device goes away, wait for it to come back instead of ending the "
                        "capture}{type=boolflag}{group=Link}\n"
                        "arg {number=N}") +
                kFilterAndOutputArgs);
}

TEST(ExtcapProgram, UsbOptions) {
  EXPECT_EQ(Config("tockctl-usb-6667-0001"),
            std::string("arg {number=N}{call=--usb-interface}{display=USB interface}{tooltip=Read "
                        "this interface number instead of the one named trace}{type=integer}"
                        "{range=0,255}{group=Link}\n"
                        "arg {number=N}{call=--reconnect}{display=Reconnect}{tooltip=When the "
                        "device goes away, wait for it to come back instead of ending the "
                        "capture}{type=boolflag}{group=Link}\n"
                        "arg {number=N}") +
                kFilterAndOutputArgs);
}

TEST(ExtcapProgram, ArgumentsAreNumberedFromZero) {
  ExtcapRequest r = For("tockctl-qemu");
  r.config = true;
  const std::string out = Reply(r);
  EXPECT_EQ(out.substr(0, 15), "arg {number=0}{");
  EXPECT_NE(out.find("arg {number=7}{call=--save-raw}"), std::string::npos);
  EXPECT_EQ(out.find("{number=8}"), std::string::npos);
}

TEST(ExtcapProgram, CaptureFilterCheckAcceptsOnlyNone) {
  ExtcapRequest r = For("tockctl-qemu");
  r.capture_filter = "";
  EXPECT_EQ(Reply(r), "");
  r.capture_filter = "udp";
  EXPECT_EQ(Reply(r),
            "tockctl interfaces take no capture filter; use a display filter, or the Filter "
            "options of the interface\n");
}

TEST(ExtcapProgram, NoOptionHasValuesToReload) {
  ExtcapRequest r = For("tockctl-serial-x");
  r.config = true;
  r.reload_option = "--baud";
  EXPECT_EQ(Reply(r), "");
}

TEST(ExtcapProgram, HelpLinkPointsAtTheDocs) {
  EXPECT_EQ(ExtcapHelpLink(TOCKCTL_SOURCE_DIR),
            "file://" + (std::filesystem::path(TOCKCTL_SOURCE_DIR) / "docs" / "extcap.md")
                            .lexically_normal()
                            .string());
  EXPECT_EQ(ExtcapHelpLink("/opt/tockctl/share/tockctl"),
            "file:///opt/tockctl/share/doc/tockctl/extcap.md");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
