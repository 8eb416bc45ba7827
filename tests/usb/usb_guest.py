#!/usr/bin/env python3
"""Runs tockctl's USB checks in a Linux guest with a real USB stack (dummy_hcd + FunctionFS).

Builds the guest from Debian packages at test time: the kernel (bookworm-security's
linux-image-6.12.*-amd64, else bookworm's 6.1), busybox-static and udev, fetched with
`apt-get download` into BUILD/usb-guest/cache (reused when there), unpacked with dpkg-deb. The
initramfs holds busybox, the USB modules in load order, udevd, tockctl, the gadget and the raw
reader with their shared libraries, the fixtures and tests/usb/guest_init.sh as /init. QEMU
(TCG) boots it; /init prints one `CHECK name PASS|FAIL detail` line per check and powers off.

Exit code: 0 when the guest reported every check (pass or fail), 1 when one is missing, 77 (ctest's
SKIP_RETURN_CODE) when the packages cannot be had (no network and no cache) or QEMU is missing.
The check lines are written to BUILD/usb-guest/results.txt; `--result NAME` (one ctest per
check, tests/scripts/usb_guest.cmake) exits 0 if that check passed, 1 if not, 77 if the run
skipped.
"""
import argparse
import gzip
import json
import lzma
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

SKIP = 77
CHECKS = ["devices_json", "devices_table", "trace_decode", "unplug_no_reconnect", "reconnect", "busy",
          "permission_denied", "udev_rule_grants", "throughput", "dfuse_devices",
          "dfuse_verify_mismatch", "dfuse_flash", "dfu_devices", "dfu_flash", "dfu_stall",
          "dfu_runtime_devices", "dfu_detach_flash", "dfu_detach_reset_flash", "picoboot_devices",
          "picoboot_flash", "picoboot_stall", "picoboot_rp2350_devices", "picoboot_rp2350_flash",
          "acm_devices_json",
          "acm_devices_table", "acm_trace_decode", "acm_console", "acm_reconnect", "acm_unplug"]
TRACE_FIXTURE = "mixed.bin"
STRESS_FIXTURE = "stress.bin"
WANTED_MODULES = ["dummy_hcd", "libcomposite", "usb_f_fs", "usb_f_acm", "cdc_acm"]
USERLAND_PACKAGES = ["busybox-static", "udev"]


SKIP_FILE = None  # BUILD/usb-guest/skipped: why the last run skipped, read by --result


def skip(reason):
    print(f"SKIP: {reason}")
    if SKIP_FILE:
        with open(SKIP_FILE, "w") as file:
            file.write(reason + "\n")
    sys.exit(SKIP)


def run(argv, timeout=120, **kwargs):
    return subprocess.run(argv, check=True, timeout=timeout, capture_output=True, text=True,
                          **kwargs)


def kernel_package():
    """The newest linux-image-6.12.*-amd64 apt knows, else the 6.1 one (via the metapackages)."""
    for meta in ["linux-image-6.12-amd64", "linux-image-amd64"]:
        try:
            out = run(["apt-cache", "depends", meta], timeout=30).stdout
        except (subprocess.SubprocessError, OSError):
            continue
        match = re.search(r"Depends: (linux-image-[0-9][^\s]*-amd64)\b", out)
        if match:
            return match.group(1)
    return None


def cached(cache, package):
    for name in sorted(os.listdir(cache)):
        if name.startswith(package + "_") and name.endswith(".deb"):
            return os.path.join(cache, name)
    return None


def cached_kernel(cache):
    names = sorted(n for n in os.listdir(cache) if re.match(r"linux-image-6\.\d+.*-amd64_", n))
    return os.path.join(cache, names[-1]) if names else None


def download(cache, package):
    """apt-get download into the cache, bounded in time; returns the .deb or skips."""
    try:
        subprocess.run(["apt-get", "download", "-o", "Acquire::http::Timeout=20",
                        "-o", "Acquire::Retries=1", package], cwd=cache, check=True,
                       timeout=300, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        skip(f"apt-get download {package} took more than 300 s (no network?)")
    except subprocess.CalledProcessError as error:
        last = (error.stderr or "").strip().splitlines()[-1:] or ["(no output)"]
        skip(f"apt-get download {package} failed: {last[0]}")
    except OSError as error:
        skip(f"cannot run apt-get ({error}); the USB guest needs Debian packages")
    found = cached(cache, package)
    if not found:
        skip(f"apt-get download {package} left no .deb in {cache}")
    return found


def fetch_packages(cache):
    os.makedirs(cache, exist_ok=True)
    debs = []
    kernel = cached_kernel(cache)
    if not kernel:
        name = kernel_package()
        if not name:
            skip("apt-cache knows no linux-image-6.12-amd64 or linux-image-amd64 (apt-get update?)")
        kernel = download(cache, name)
    debs.append(kernel)
    for package in USERLAND_PACKAGES:
        debs.append(cached(cache, package) or download(cache, package))
    return debs


def unpack(debs, root):
    stamp = os.path.join(root, ".unpacked")
    wanted = "\n".join(os.path.basename(d) for d in debs)
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for index, deb in enumerate(debs):
        try:
            run(["dpkg-deb", "-x", deb, root])
        except subprocess.CalledProcessError as error:
            # A download cut short: fetch it once more.
            print(f"guest: {deb} is damaged ({(error.stderr or '').strip()}); downloading it again")
            os.remove(deb)
            debs[index] = download(os.path.dirname(deb), os.path.basename(deb).split("_")[0])
            run(["dpkg-deb", "-x", debs[index], root])
            wanted = "\n".join(os.path.basename(d) for d in debs)
    with open(stamp, "w") as file:
        file.write(wanted)


def module_index(root):
    """Module name -> path of its .ko(.xz) in the unpacked kernel, and the kernel release."""
    base = os.path.join(root, "lib", "modules")
    release = sorted(os.listdir(base))[-1]
    index = {}
    for directory, _, files in os.walk(os.path.join(base, release, "kernel")):
        for name in files:
            stem = re.sub(r"\.ko(\.xz)?$", "", name)
            if stem != name:
                index[stem.replace("-", "_")] = os.path.join(directory, name)
    return index, release


def module_bytes(path):
    with open(path, "rb") as file:
        data = file.read()
    return lzma.decompress(data) if path.endswith(".xz") else data


def module_depends(data):
    match = re.search(rb"\0depends=([^\0]*)\0", data)
    if not match or not match.group(1):
        return []
    return [d.decode().replace("-", "_") for d in match.group(1).split(b",")]


def modules_in_load_order(root):
    index, release = module_index(root)
    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        data = module_bytes(index[name])
        for dependency in module_depends(data):
            visit(dependency)
        order.append((name, data))

    for name in WANTED_MODULES:
        visit(name)
    return order, release


class Initramfs:
    """A newc cpio archive built in memory (no cpio binary needed)."""

    def __init__(self):
        self.entries = {}

    def add_dir(self, path):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            self.entries.setdefault("/".join(parts[:i]), (0o040755, b""))

    def add_file(self, path, data, mode=0o100644):
        self.add_dir(os.path.dirname(path))
        self.entries[path.strip("/")] = (mode, data)

    def add_host_file(self, path, source=None, mode=None):
        with open(source or path, "rb") as file:
            data = file.read()
        self.add_file(path, data, mode or (0o100000 | (os.stat(source or path).st_mode & 0o777)))

    def add_symlink(self, path, target):
        self.add_dir(os.path.dirname(path))
        self.entries[path.strip("/")] = (0o120777, target.encode())

    def serialize(self):
        out = bytearray()
        for number, (name, (mode, data)) in enumerate(sorted(self.entries.items()), start=1):
            out += self.header(name, mode, len(data), number) + data
            out += b"\0" * (-len(out) % 4)
        out += self.header("TRAILER!!!", 0, 0, 0)
        out += b"\0" * (-len(out) % 512)
        return bytes(out)

    @staticmethod
    def header(name, mode, size, number):
        encoded = name.encode() + b"\0"
        fields = [number, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, len(encoded), 0]
        header = b"070701" + b"".join(b"%08X" % field for field in fields) + encoded
        return header + b"\0" * (-len(header) % 4)


def add_with_libraries(initramfs, binary, guest_path, strip):
    """Adds a dynamically linked binary and every library ldd names, at their host paths."""
    if strip:
        stripped = guest_path.replace("/", "_")
        subprocess.run(["objcopy", "--strip-debug", binary, strip + "/" + stripped], check=True)
        binary_source = strip + "/" + stripped
    else:
        binary_source = binary
    initramfs.add_host_file(guest_path, binary_source, 0o100755)
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    for line in out.splitlines():
        match = re.search(r"(/\S+) \(0x", line)
        if match:
            library = match.group(1)
            initramfs.add_host_file(library, os.path.realpath(library), 0o100755)


def build_programs(source, work):
    """The gadgets (static) and the raw reader; returns {name: path}."""
    programs = {}
    for name in ["trace_gadget", "dfu_gadget", "picoboot_gadget"]:
        programs[name] = os.path.join(work, name)
        run(["gcc", "-static", "-O2", "-pthread", "-o", programs[name],
             os.path.join(source, name + ".c")])
    programs["raw_bulk_reader"] = os.path.join(work, "raw_bulk_reader")
    run(["gcc", "-O2", "-o", programs["raw_bulk_reader"], os.path.join(source, "raw_bulk_reader.c"),
         "-lusb-1.0"])
    return programs


# The flash checks: (name, flash size, image size, image address, erase unit) per gadget. The
# images are pseudo-random with a fixed seed and end mid-page; the flash starts out holding an
# "old firmware" pattern, so the expected flash shows what was erased and what was written.
FLASH_SETUPS = {
    "dfuse": (1024 * 1024, 40 * 1024 + 123, 0x08000000),
    "dfu": (64 * 1024, 10 * 1024 + 77, 0x08000000),
    "pico": (2 * 1024 * 1024, 20 * 1024 + 100, 0x10000000),
    "pico2": (4 * 1024 * 1024, 20 * 1024 + 100, 0x10000000),
}
DFUSE_SECTORS = [16 * 1024] * 4 + [64 * 1024] + [128 * 1024] * 7


def erased_end(name, image_size):
    """Where the erase before (or during) the write ends, as an offset into the flash."""
    if name == "dfuse":  # whole STM32F4 sectors covering the plan's 2 KiB pages
        plan_end, at = -(-image_size // 2048) * 2048, 0
        for size in DFUSE_SECTORS:
            if at >= plan_end:
                break
            at += size
        return at
    return -(-image_size // 4096) * 4096  # 4 KiB sectors (picoboot) or pages (the DFU gadget)


def add_flash_fixtures(initramfs, tockctl_source, work):
    import random
    generator = random.Random(16)
    for name, (flash_size, image_size, _) in FLASH_SETUPS.items():
        old = bytes((i * 31 + 7) & 0xFF for i in range(256)) * (flash_size // 256)
        image = bytes(generator.getrandbits(8) for _ in range(image_size))
        end = erased_end(name, image_size)
        expected = image + b"\xff" * (end - image_size) + old[end:]
        initramfs.add_file(f"/test/{name}_old.bin", old)
        initramfs.add_file(f"/test/{name}_image.bin", image)
        initramfs.add_file(f"/test/{name}_expected.bin", expected)
    too_big = bytes(generator.getrandbits(8) for _ in range(FLASH_SETUPS["dfu"][0] + 1024))
    initramfs.add_file("/test/dfu_too_big.bin", too_big)
    # A board whose flash method is plain DFU 1.1 (none in the catalog is): nucleo_f429zi's
    # memory map with {"method": "dfu", "vid_pid": "1209:0001", "dfuse": false}.
    with open(os.path.join(tockctl_source, "boards", "nucleo_f429zi.json")) as file:
        board = json.load(file)
    board["board"]["flash"] = {"default": "dfu", "methods": [
        {"method": "dfu", "vid_pid": "1209:0001", "dfuse": False}]}
    initramfs.add_file("/test/dfu_board.json", json.dumps(board, indent=2).encode())
    # The board catalog, where an installed tockctl finds it (TOCKCTL_DATA_DIR, set by /init).
    boards = os.path.join(tockctl_source, "boards")
    for name in sorted(os.listdir(boards)):
        if name.endswith(".json"):
            initramfs.add_host_file("/usr/share/tockctl/boards/" + name, os.path.join(boards, name))


def expected_trace(tockctl, fixture, work):
    """Host replay of the fixture up to its last record (`--count` of all its records): the JSON
    lines the guest's `--usb --count` run must print, and that count."""
    out = run([tockctl, "trace", "--replay", fixture, "--format", "json"], timeout=60).stdout
    records = [l for l in out.splitlines() if not re.match(r'\{"type":"(console|stats)"', l)]
    out = run([tockctl, "trace", "--replay", fixture, "--format", "json", "--count",
               str(len(records))], timeout=60).stdout
    path = os.path.join(work, "expected.json")
    with open(path, "w") as file:
        file.write(out)
    return path, len(records)


# What the CDC-ACM board writes for the console check: the trace fixture, then a last line that
# `tockctl console --until` waits for, so the whole stream is shown whatever the chunking.
CONSOLE_END = b"acm board done\r\n"


def expected_console(tockctl, stream, work):
    """What `tockctl console --no-records --until ...` prints on the build host for `stream` sent
    over TCP on 127.0.0.1: the text the guest's run over /dev/ttyACM0 must print."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve():
        connection, _ = server.accept()
        with connection:
            connection.sendall(stream)
            connection.recv(1)  # until tockctl closes

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    result = subprocess.run([tockctl, "console", "--tcp", f"127.0.0.1:{port}", "--no-records",
                             "--until", CONSOLE_END.decode().strip(), "--duration", "30"],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=True)
    server.close()
    path = os.path.join(work, "console.txt")
    with open(path, "wb") as file:
        file.write(result.stdout)
    return path


def build_initramfs(args, root, work):
    initramfs = Initramfs()
    busybox = os.path.join(root, "bin", "busybox")
    initramfs.add_host_file("/bin/busybox", busybox, 0o100755)
    applets = run([busybox, "--list"]).stdout.split()
    for applet in applets:
        if applet != "busybox":
            initramfs.add_symlink("/bin/" + applet, "busybox")
    modules, release = modules_in_load_order(root)
    for number, (name, data) in enumerate(modules):
        initramfs.add_file(f"/modules/{number:02d}_{name}.ko", data)
    strip_dir = os.path.join(work, "stripped")
    os.makedirs(strip_dir, exist_ok=True)
    add_with_libraries(initramfs, args.tockctl, "/usr/bin/tockctl", strip_dir)
    programs = build_programs(args.source_dir + "/tests/usb", work)
    for name in ["trace_gadget", "dfu_gadget", "picoboot_gadget"]:
        initramfs.add_host_file("/usr/bin/" + name, programs[name], 0o100755)
    add_with_libraries(initramfs, programs["raw_bulk_reader"], "/usr/bin/raw_bulk_reader", None)
    add_flash_fixtures(initramfs, args.source_dir, work)
    add_with_libraries(initramfs, os.path.join(root, "bin", "udevadm"), "/usr/bin/udevadm", None)
    initramfs.add_symlink("/lib/systemd/systemd-udevd", "/usr/bin/udevadm")
    rules = os.path.join(root, "lib", "udev", "rules.d", "50-udev-default.rules")
    initramfs.add_host_file("/lib/udev/rules.d/50-udev-default.rules", rules)
    initramfs.add_host_file("/test/60-tockctl.rules", args.source_dir + "/udev/60-tockctl.rules")
    fixtures = args.source_dir + "/tests/fixtures/trace/"
    initramfs.add_host_file("/test/trace.bin", fixtures + TRACE_FIXTURE)
    initramfs.add_host_file("/test/stress.bin", fixtures + STRESS_FIXTURE)
    expected, count = expected_trace(args.tockctl, fixtures + TRACE_FIXTURE, work)
    initramfs.add_host_file("/test/expected.json", expected)
    initramfs.add_file("/test/count", f"{count}\n".encode())
    with open(fixtures + TRACE_FIXTURE, "rb") as file:
        console_stream = file.read() + CONSOLE_END
    initramfs.add_file("/test/acm_console.bin", console_stream)
    initramfs.add_host_file("/test/console.txt",
                            expected_console(args.tockctl, console_stream, work))
    initramfs.add_host_file("/init", args.source_dir + "/tests/usb/guest_init.sh", 0o100755)
    initramfs.add_file("/etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
                       b"tock:x:1000:1000:tock:/tmp:/bin/sh\n")
    initramfs.add_file("/etc/group", b"root:x:0:\nplugdev:x:46:tock\ntock:x:1000:\n")
    for directory in ["/dev", "/proc", "/sys", "/run", "/tmp", "/etc/udev/rules.d", "/root"]:
        initramfs.add_dir(directory)
    path = os.path.join(work, "initramfs.cpio.gz")
    with gzip.open(path, "wb", compresslevel=1) as file:
        file.write(initramfs.serialize())
    kernel = os.path.join(root, "boot", "vmlinuz-" + release)
    return kernel, path, release


def boot(kernel, initrd, timeout):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        skip("qemu-system-x86_64 is not installed (scripts/deps installs qemu-system-x86)")
    argv = [qemu, "-nographic", "-no-reboot", "-m", "512", "-smp", "1", "-kernel", kernel,
            "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1 rdinit=/init"]
    try:
        result = subprocess.run(argv, capture_output=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
        return result.stdout.decode(errors="replace"), False
    except subprocess.TimeoutExpired as error:
        return (error.stdout or b"").decode(errors="replace"), True


def show_result(base, name):
    """--result NAME: the exit code of one check from the last guest run (77 if it skipped)."""
    skipped = os.path.join(base, "skipped")
    if os.path.exists(skipped):
        skip(open(skipped).read().strip())
    results = os.path.join(base, "results.txt")
    lines = open(results).read().splitlines() if os.path.exists(results) else []
    for line in lines:
        if line.split()[1:2] == [name]:
            print(line)
            return 0 if line.split()[2:3] == ["PASS"] else 1
    print(f"check {name}: no result in {results} (see usb.guest)")
    return 1


def report(console, timed_out, results_path, log_path):
    with open(log_path, "w") as file:
        file.write(console)
    lines = [l.strip() for l in console.splitlines() if l.startswith("CHECK ")]
    with open(results_path, "w") as file:
        file.write("\n".join(lines) + "\n")
    for line in lines:
        print(line)
    seen = {line.split()[1]: line.split()[2] for line in lines if len(line.split()) >= 3}
    missing = [name for name in CHECKS if name not in seen]
    if timed_out:
        print(f"the guest did not power off in time; console log: {log_path}")
    for name in missing:
        print(f"check {name}: no result (the guest never reported it); console log: {log_path}")
    return 1 if missing or timed_out else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tockctl")
    parser.add_argument("--source-dir")
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--result", metavar="CHECK", help="report one check of the last run")
    parser.add_argument("--timeout", type=int, default=150)
    args = parser.parse_args()
    start = time.monotonic()
    base = os.path.join(args.build_dir, "usb-guest")
    if args.result:
        return show_result(base, args.result)
    if not args.tockctl or not args.source_dir:
        parser.error("--tockctl and --source-dir are needed to run the guest")
    global SKIP_FILE
    os.makedirs(base, exist_ok=True)
    SKIP_FILE = os.path.join(base, "skipped")
    for stale in ["skipped", "results.txt"]:
        if os.path.exists(os.path.join(base, stale)):
            os.remove(os.path.join(base, stale))
    debs = fetch_packages(os.path.join(base, "cache"))
    root = os.path.join(base, "root")
    unpack(debs, root)
    work = os.path.join(base, "work")
    os.makedirs(work, exist_ok=True)
    kernel, initrd, release = build_initramfs(args, root, work)
    built = time.monotonic()
    print(f"guest: kernel {release}, initramfs built in {built - start:.1f} s")
    console, timed_out = boot(kernel, initrd, args.timeout)
    print(f"guest: ran in {time.monotonic() - built:.1f} s")
    return report(console, timed_out, os.path.join(base, "results.txt"),
                  os.path.join(base, "console.log"))


if __name__ == "__main__":
    sys.exit(main())
