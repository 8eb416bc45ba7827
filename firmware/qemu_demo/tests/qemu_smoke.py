#!/usr/bin/env python3
"""Smoke test of the qemu_rv32_virt demo firmware (python3 stdlib only).

Starts qemu-system-riscv32 -M virt with the firmware ELF as -bios and its UART
on a TCP socket (127.0.0.1, ephemeral port), connects mid-stream (after
--connect-after seconds) like `tockctl trace` would, reads at least --seconds of output and then until every
record type the firmware emits has been seen (at most --max-seconds), and
checks the stream against docs/trace-protocol.md: COBS frames, CRC-32C,
lengths, version, the first full frame after connecting valid, consecutive
seq numbers, non-decreasing ticks, HELLO contents, OVERFLOW totals and
NET_DELIVER pointing at a NET_RX.

With --tshark, the Ethernet and 802.15.4 frames of NET_TX/NET_RX records are
also written to pcap files (linktypes 1 and 230) and must decode in tshark
without malformed packets or warnings, with UDP checksums verified.

QEMU is always killed, on success, failure, timeout or signal. Exits 0 on
success, 1 with a message on failure, 2 on usage errors.
"""
import argparse
import ctypes
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

RECORD_TYPES = {
    0x01: "hello", 0x02: "log", 0x03: "overflow",
    0x10: "proc_start", 0x11: "proc_fault", 0x12: "proc_restart",
    0x20: "ipc_register", 0x21: "ipc_discover", 0x22: "ipc_connect", 0x23: "ipc_disconnect",
    0x24: "ipc_send", 0x25: "ipc_recv", 0x26: "rpc_call", 0x27: "rpc_return",
    0x28: "mem_grant", 0x29: "mem_revoke", 0x2A: "upcall",
    0x40: "net_up", 0x41: "net_down", 0x42: "net_tx", 0x43: "net_rx", 0x44: "net_drop",
    0x45: "net_deliver",
}
# Fixed body sizes (section 5 of the spec); variable parts come on top.
MIN_BODY = {
    "hello": 9, "log": 3, "overflow": 8, "proc_start": 5, "proc_fault": 12, "proc_restart": 4,
    "ipc_register": 5, "ipc_discover": 6, "ipc_connect": 8, "ipc_disconnect": 7,
    "ipc_send": 17, "ipc_recv": 17, "rpc_call": 16, "rpc_return": 20, "mem_grant": 13,
    "mem_revoke": 13, "upcall": 22, "net_up": 1, "net_down": 2, "net_tx": 7, "net_rx": 7,
    "net_drop": 9, "net_deliver": 6,
}
HEADER_LEN, CRC_LEN, MAX_PAYLOAD = 16, 4, 2048
TICK_HZ = 10_000_000
BOARD = "qemu_rv32_virt"
LINKTYPES = {0: 1, 1: 230}  # iface_id -> pcap linktype, as announced in HELLO


class SmokeFailure(Exception):
    """A check failed; the message says which and why."""


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = (crc >> 8) ^ CRC_TABLE[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFFFFFF


def cobs_decode(encoded):
    """Decoded bytes, or None if `encoded` is not valid COBS."""
    out = bytearray()
    i = 0
    while i < len(encoded):
        code = encoded[i]
        i += 1
        if code == 0 or i + code - 1 > len(encoded):
            return None
        out += encoded[i:i + code - 1]
        i += code - 1
        if code < 0xFF and i < len(encoded):
            out.append(0)
    return bytes(out)


def is_frame(segment):
    """True if a 0x00-delimited segment starts like a v2 frame (code byte >= 3, then C0 C1);
    anything else between the delimiters is console text (docs/trace-protocol.md 2.4)."""
    return len(segment) >= 3 and segment[0] >= 3 and segment[1:3] == b"\xc0\xc1"


def decode_frame(frame):
    """(record dict) for one v2 COBS frame without its delimiters; raises SmokeFailure."""
    payload = cobs_decode(frame)
    if payload is None:
        raise SmokeFailure(f"invalid COBS in a {len(frame)}-byte frame")
    payload = payload[2:]  # the C0 C1 marker
    if not HEADER_LEN + CRC_LEN <= len(payload) <= MAX_PAYLOAD:
        raise SmokeFailure(f"payload of {len(payload)} bytes is outside 20..2048")
    body_end = len(payload) - CRC_LEN
    want = struct.unpack_from("<I", payload, body_end)[0]
    if crc32c(payload[:body_end]) != want:
        raise SmokeFailure(f"CRC-32C mismatch in a {len(payload)}-byte payload")
    version, rtype, flags, seq, ticks = struct.unpack_from("<BBHIQ", payload)
    if version != 2:
        raise SmokeFailure(f"record seq {seq} has version {version}, expected 2")
    name = RECORD_TYPES.get(rtype)
    if name is None:
        raise SmokeFailure(f"record seq {seq} has unknown type 0x{rtype:02x}")
    body = payload[HEADER_LEN:body_end]
    if len(body) < MIN_BODY[name]:
        raise SmokeFailure(f"{name} seq {seq}: body of {len(body)} bytes is too short")
    return {"type": name, "flags": flags, "seq": seq, "ticks": ticks, "body": body}


def read_str(body, off):
    n = body[off]
    return body[off + 1:off + 1 + n].decode("utf-8"), off + 1 + n


def parse_hello(body):
    tick_hz, max_payload = struct.unpack_from("<IH", body)
    board, off = read_str(body, 6)
    kernel, off = read_str(body, off)
    ifaces = []
    for _ in range(body[off]):
        iface_id, kind, linktype, mtu, addr_len = struct.unpack_from("<BBHHB", body, off + 1)
        name, next_off = read_str(body, off + 16)
        ifaces.append((iface_id, kind, linktype, mtu, addr_len, name))
        off = next_off - 1
    return tick_hz, max_payload, board, kernel, ifaces


class StreamChecker:
    """Consumes the byte stream after connecting and checks every record."""

    def __init__(self):
        self.buf = bytearray()
        self.synced = False  # the partial frame before the first 0x00 was skipped
        self.records = []
        self.counts = {}
        self.rx_seqs = set()
        self.total_dropped = None
        self.bytes = 0
        self.console = bytearray()  # the firmware's console text between the frames

    def feed(self, data):
        self.bytes += len(data)
        self.buf += data
        while True:
            end = self.buf.find(0)
            if end < 0:
                return
            frame = bytes(self.buf[:end])
            del self.buf[:end + 1]
            if not self.synced:
                self.synced = True  # joined mid-frame: discard up to the first delimiter
                continue
            if is_frame(frame):
                self.check(decode_frame(frame))
            else:
                self.console += frame

    def check(self, rec):
        if self.records:
            prev = self.records[-1]
            if rec["seq"] != (prev["seq"] + 1) & 0xFFFFFFFF:
                raise SmokeFailure(f"seq {rec['seq']} follows seq {prev['seq']}")
            if rec["ticks"] < prev["ticks"]:
                raise SmokeFailure(f"ticks go back at seq {rec['seq']}")
        getattr(self, "check_" + rec["type"], lambda r: None)(rec)
        self.records.append(rec)
        self.counts[rec["type"]] = self.counts.get(rec["type"], 0) + 1

    def check_hello(self, rec):
        tick_hz, max_payload, board, kernel, ifaces = parse_hello(rec["body"])
        if (tick_hz, board) != (TICK_HZ, BOARD) or max_payload > MAX_PAYLOAD:
            raise SmokeFailure(f"HELLO says tick_hz {tick_hz}, board {board!r}, max {max_payload}")
        names = [(i[0], i[2], i[5]) for i in ifaces]
        if names != [(0, 1, "eth0"), (1, 230, "wpan0")]:
            raise SmokeFailure(f"HELLO interfaces are {names}")

    def check_net_rx(self, rec):
        self.rx_seqs.add(rec["seq"])

    def check_net_deliver(self, rec):
        rx_seq = struct.unpack_from("<I", rec["body"], 1)[0]
        first = self.records[0]["seq"] if self.records else rec["seq"]
        if rx_seq >= first and rx_seq not in self.rx_seqs:
            raise SmokeFailure(f"net_deliver seq {rec['seq']} points at seq {rx_seq}, not a net_rx")

    def check_overflow(self, rec):
        dropped, total = struct.unpack_from("<II", rec["body"])
        if self.total_dropped is not None and total != self.total_dropped + dropped:
            raise SmokeFailure(f"overflow total {total} != {self.total_dropped} + {dropped}")
        self.total_dropped = total


def die_with_parent():
    """In the QEMU child: get SIGKILL if this script dies (even by SIGKILL)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass


class Qemu:
    """qemu-system-riscv32 -M virt with the firmware; UART on a TCP port."""

    def __init__(self, qemu, elf):
        self.argv = [qemu, "-M", "virt", "-nodefaults", "-display", "none", "-bios", elf,
                     "-serial", "tcp:127.0.0.1:0,server=on,wait=off", "-qmp", "stdio"]
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=die_with_parent)
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            pipe.close()
        return False

    def _qmp_reply(self, deadline):
        """Next QMP reply line (events skipped)."""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if not ready:
                if self.proc.poll() is not None:
                    raise SmokeFailure("QEMU exited: " + self.proc.stderr.read().decode(errors="replace"))
                continue
            line = self.proc.stdout.readline()
            if not line:
                raise SmokeFailure("QEMU closed its QMP channel")
            msg = json.loads(line)
            if "event" not in msg:
                return msg
        raise SmokeFailure("no answer from QEMU's QMP monitor within 10 s")

    def _qmp(self, command, deadline):
        self.proc.stdin.write(json.dumps({"execute": command}).encode() + b"\n")
        self.proc.stdin.flush()
        reply = self._qmp_reply(deadline)
        if "return" not in reply:
            raise SmokeFailure(f"QMP {command} failed: {reply}")
        return reply["return"]

    def serial_port(self):
        """The TCP port QEMU picked for the UART."""
        deadline = time.monotonic() + 10
        self._qmp_reply(deadline)  # greeting
        self._qmp("qmp_capabilities", deadline)
        for dev in self._qmp("query-chardev", deadline):
            if dev["label"] == "serial0":
                # e.g. "disconnected:tcp:127.0.0.1:43011,server=on"
                return int(dev["filename"].split(",")[0].rsplit(":", 1)[1])
        raise SmokeFailure("QEMU reports no serial0 chardev")


def read_trace(port, checker, min_seconds, max_seconds, expected):
    """Reads until `min_seconds` passed and all `expected` types were seen, or `max_seconds`."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(0.2)
        start = time.monotonic()
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= max_seconds:
                return
            if elapsed >= min_seconds and expected <= set(checker.counts):
                return
            try:
                data = sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise SmokeFailure("QEMU closed the serial connection")
            checker.feed(data)


def write_pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for ticks, data in frames:
            sec, frac = divmod(ticks, TICK_HZ)
            f.write(struct.pack("<IIII", sec, frac // 10, len(data), len(data)))
            f.write(data)


def tshark_problems(tshark, path):
    """Frames tshark flags as malformed or with warnings/errors, as text."""
    cmd = [tshark, "-r", path, "-n", "-o", "udp.check_checksum:TRUE",
           "-Y", "_ws.malformed || _ws.expert.severity >= 6291456 || udp.checksum.status == 0",
           "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise SmokeFailure(f"tshark failed on {path}: {out.stderr.strip()}")
    return out.stdout.strip()


def tshark_protocols(tshark, path):
    cmd = [tshark, "-r", path, "-n", "-T", "fields", "-e", "frame.protocols"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return out.stdout.split()


def check_frames_with_tshark(tshark, records):
    frames = {0: [], 1: []}
    for rec in records:
        if rec["type"] in ("net_tx", "net_rx") and not rec["flags"] & 1:
            frames.setdefault(rec["body"][0], []).append((rec["ticks"], rec["body"][7:]))
    with tempfile.TemporaryDirectory() as tmp:
        for iface, want in ((0, "eth:ethertype:ipv6:udp"), (1, "wpan:6lowpan:ipv6:udp")):
            if not frames[iface]:
                raise SmokeFailure(f"no frames on iface {iface} to check with tshark")
            path = os.path.join(tmp, f"iface{iface}.pcap")
            write_pcap(path, LINKTYPES[iface], frames[iface])
            problems = tshark_problems(tshark, path)
            if problems:
                raise SmokeFailure(f"tshark flags frames on iface {iface}:\n{problems}")
            protos = tshark_protocols(tshark, path)
            bad = [p for p in protos if not p.startswith(want)]
            if bad:
                raise SmokeFailure(f"iface {iface}: frames decode as {bad[0]}, expected {want}...")
            print(f"tshark: {len(protos)} frames on iface {iface} decode cleanly ({want})")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--qemu", default="qemu-system-riscv32")
    p.add_argument("--elf", required=True, help="qemu_demo.elf")
    p.add_argument("--connect-after", type=float, default=0.5,
                   help="let the firmware run this long before connecting (joins mid-stream)")
    p.add_argument("--seconds", type=float, default=2.0, help="read at least this long")
    p.add_argument("--max-seconds", type=float, default=15.0,
                   help="give up waiting for missing record types after this long")
    p.add_argument("--tshark", help="also check the frames with this tshark")
    return p.parse_args()


def run(args):
    checker = StreamChecker()
    expected = set(RECORD_TYPES.values())
    with Qemu(args.qemu, args.elf) as qemu:
        port = qemu.serial_port()
        time.sleep(args.connect_after)
        read_trace(port, checker, args.seconds, args.max_seconds, expected)
    missing = sorted(expected - set(checker.counts))
    if not checker.records:
        raise SmokeFailure(f"no complete record in {checker.bytes} bytes")
    if missing:
        raise SmokeFailure(f"record types never seen in {args.max_seconds} s: {', '.join(missing)}")
    span = (checker.records[-1]["ticks"] - checker.records[0]["ticks"]) / TICK_HZ
    print(f"ok: {len(checker.records)} records, seq {checker.records[0]['seq']}.."
          f"{checker.records[-1]['seq']}, {checker.bytes} bytes over {span:.2f} s of device time, "
          f"all {len(expected)} record types")
    if args.tshark:
        check_frames_with_tshark(args.tshark, checker.records)


def main():
    args = parse_args()
    if not os.path.isfile(args.elf):
        print(f"qemu_smoke: {args.elf} does not exist (build the qemu_demo target first)",
              file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("qemu_smoke: terminated"))
    try:
        run(args)
    except SmokeFailure as e:
        print(f"qemu_smoke: FAILED: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError, struct.error) as e:
        print(f"qemu_smoke: FAILED: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
