#include "devices/qemu_instance.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common/error.h"
#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl::devices {
namespace {
namespace TOCKCTL_UNITY_ID {

QemuInstance Sample() {
  QemuInstance q;
  q.pid = 4242;
  q.gdb_port = 40001;
  q.uart_port = 40002;
  q.started_at = 1700000000;
  q.board = "qemu_rv32_virt";
  q.image = "kernel.elf";
  q.log_file = "/tmp/x/qemu.log";
  q.argv = {"qemu-system-riscv32", "-S"};
  return q;
}

TEST(QemuInstanceTest, StateFileRoundTrips) {
  tockctl::testing::TempDir dir;
  QemuStateStore store(dir.path() / "state");
  EXPECT_FALSE(store.Load().has_value());
  store.Save(Sample());
  auto q = store.Load();
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->pid, 4242);
  EXPECT_EQ(q->uart_port, 40002);
  EXPECT_EQ(q->argv, Sample().argv);
  store.Remove();
  EXPECT_FALSE(store.Load().has_value());
}

// Each named instance has its own state and log file; "default" keeps the names of before.
TEST(QemuInstanceTest, NamedInstancesHaveTheirOwnStateFiles) {
  tockctl::testing::TempDir dir;
  QemuStateStore plain(dir.path());
  QemuStateStore a(dir.path(), "node-a");
  EXPECT_EQ(plain.file(), dir.path() / "qemu.json");
  EXPECT_EQ(plain.log_file(), dir.path() / "qemu.log");
  EXPECT_EQ(a.file(), dir.path() / "qemu-node-a.json");
  EXPECT_EQ(a.log_file(), dir.path() / "qemu-node-a.log");
  QemuInstance q = Sample();
  q.name = "node-a";
  a.Save(q);
  EXPECT_FALSE(plain.Load().has_value());
  EXPECT_EQ(a.Load()->name, "node-a");
  plain.Save(Sample());
  QemuStateStore(dir.path(), "b").Save(Sample());
  EXPECT_EQ(RecordedQemuNames(dir.path()), (std::vector<std::string>{"default", "b", "node-a"}));
  EXPECT_EQ(plain.Load()->name, "default");
}

TEST(QemuInstanceTest, InstanceNamesAreShortAndSafeInFileNames) {
  EXPECT_EQ(ParseQemuName("node_1.a-b"), "node_1.a-b");
  for (const std::string& bad :
       std::vector<std::string>{"", "../x", "a/b", ".hidden", std::string(33, 'a'), "a b"}) {
    try {
      ParseQemuName(bad, "--qemu-name");
      ADD_FAILURE() << "accepted `" << bad << "`";
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::kUsage);
      EXPECT_EQ(e.Describe(), "--qemu-name `" + bad +
                                  "` is not a QEMU instance name; use 1 to 32 letters, digits, "
                                  "'-', '_' or '.' (not starting with '.')");
    }
  }
}

// `tockctl flash` restarting QEMU removes the state file and writes a new one while a trace or
// extcap capture reads it to follow QEMU: a file gone between the check and the read is "no QEMU
// recorded", not an error (seen in CI as "qemu.json: no such file" ending a capture).
TEST(QemuInstanceTest, AStateFileRemovedWhileReadIsNoQemu) {
  tockctl::testing::TempDir dir;
  QemuStateStore store(dir.path() / "state");
  std::atomic<bool> done{false};
  std::thread restarts([&] {
    while (!done) {
      store.Save(Sample());
      store.Remove();
    }
  });
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    try {
      (void)store.Load();
    } catch (const Error&) {
      ++errors;
    }
  }
  done = true;
  restarts.join();
  EXPECT_EQ(errors, 0);
}

TEST(QemuInstanceTest, CorruptStateFileIsNamed) {
  tockctl::testing::TempDir dir;
  dir.Write("qemu.json", "{\"pid\": \"x\"}");
  QemuStateStore store(dir.path());
  try {
    store.Load();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    std::string prefix = (dir.path() / "qemu.json").string() + ": not a tockctl QEMU state file: ";
    EXPECT_EQ(e.Describe().rfind(prefix, 0), 0u) << e.Describe();
    EXPECT_EQ(e.hint(), "remove it, or run `tockctl qemu stop`");
  }
}

TEST(QemuInstanceTest, DeadPidIsStale) {
  tockctl::testing::TempDir dir;
  QemuStateStore store(dir.path());
  QemuInstance q = Sample();
  q.pid = ::getpid();  // alive, but not a QEMU
  store.Save(q);
  QemuStatus s = ReadQemuStatus(store, 1700000100);
  EXPECT_FALSE(s.alive);
  auto j = QemuStatusToJson(s);
  EXPECT_EQ(j["stale"], true);
  EXPECT_EQ(j["started_at"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(RenderQemuStatus(s),
            "QEMU pid " + std::to_string(::getpid()) + " is gone; the state file is stale (" +
                store.file().string() +
                ")\n"
                "  board  qemu_rv32_virt\n"
                "  image  kernel.elf\n"
                "  gdb    127.0.0.1:40001\n"
                "  uart   127.0.0.1:40002  (tockctl trace --tcp 127.0.0.1:40002)\n"
                "  log    /tmp/x/qemu.log\n");
  QemuStatus stopped = StopRecordedQemu(store, 1700000100);
  EXPECT_FALSE(stopped.alive);
  EXPECT_FALSE(store.Load().has_value());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::devices
