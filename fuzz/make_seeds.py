#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/<target>/ (docs/fuzzing.md).

The seeds are committed; run this again only to change them, then review the diff:
    python3 fuzz/make_seeds.py
Sources: the golden trace vectors (tests/fixtures/trace), the board catalog, templates and bad
board fixtures, small ELF files built with riscv64-unknown-elf-gcc and arm-none-eabi-gcc (the
cross compilers scripts/deps installs), Intel HEX made from them with objcopy, UF2 written here,
and device replies written from the protocol facts in docs/flashing*.md. Input layouts are the
ones described at the top of each fuzz/<target>.cpp.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fuzz")


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reset(target):
    d = os.path.join(OUT, target)
    if os.path.isdir(d):
        shutil.rmtree(d)


# ---------------------------------------------------------------- trace


def cobs_decode(enc):
    out = bytearray()
    i = 0
    while i < len(enc):
        c = enc[i]
        if c == 0 or i + c > len(enc):
            return None
        out += enc[i + 1:i + c]
        i += c
        if c < 0xFF and i < len(enc):
            out.append(0)
    return bytes(out)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def golden(name):
    with open(os.path.join(ROOT, "tests", "fixtures", "trace", name + ".bin"), "rb") as f:
        return f.read()


def frames(stream):
    """Delimited runs of a stream, each with its 0x00."""
    out, start = [], 0
    for i, b in enumerate(stream):
        if b == 0:
            out.append(stream[start:i + 1])
            start = i + 1
    return out


def pieces(stream, limit):
    """Cuts a stream at frame boundaries into pieces of at most `limit` bytes."""
    out, cur = [], b""
    for fr in frames(stream):
        if cur and len(cur) + len(fr) > limit:
            out.append(cur)
            cur = b""
        cur += fr
    if cur:
        out.append(cur)
    return out


def payloads(stream):
    """Header + body of every frame with a valid CRC."""
    out = []
    for fr in frames(stream):
        p = cobs_decode(fr[:-1])
        if p is None or len(p) < 20:
            continue
        if crc32c(p[:-4]) == struct.unpack("<I", p[-4:])[0]:
            out.append(p[:-4])
    return out


def trace_seeds():
    reset("trace_frame")
    write("trace_frame", "basic.bin", golden("basic"))
    write("trace_frame", "damaged.bin", golden("damaged"))
    for i, p in enumerate(pieces(golden("overflow"), 8192)[:3]):
        write("trace_frame", "overflow-%d.bin" % i, p)
    for i, p in enumerate(pieces(golden("stress"), 8192)[:4]):
        write("trace_frame", "stress-%d.bin" % i, p)
    write("trace_frame", "resync.bin", b"\x00")
    write("trace_frame", "truncated-end.bin", golden("basic")[:100])

    reset("trace_record")

    def entries(ps):
        return b"".join(struct.pack("<H", len(p)) + p for p in ps)

    basic = payloads(golden("basic"))
    # u8 options, u8 filter name, u8 read size, u8 count limit, then entries.
    write("trace_record", "basic", bytes([0, 0, 0x10, 0]) + entries(basic))
    write("trace_record", "basic-ipc-filter", bytes([0x01, 0, 0x02, 0]) + entries(basic))
    write("trace_record", "basic-net-iface", bytes([0x12, ord("e"), 0x01, 0]) + entries(basic))
    write("trace_record", "basic-count-stats", bytes([0x60, 0, 0x00, 5]) + entries(basic))
    ov = payloads(golden("overflow"))[:60]
    write("trace_record", "overflow", bytes([0, 0, 0x40, 0]) + entries(ov))
    damaged = entries(basic[:10]) + struct.pack("<H", 0x8000 + 5) + b"\x03\x11\x22\x00\x07" + \
        struct.pack("<H", 0xC000) + entries(basic[10:20])
    write("trace_record", "link-events-and-damage", bytes([0x80, 0, 0x03, 0]) + damaged)


# ---------------------------------------------------------------- board JSON


def board_seeds():
    reset("board_json")
    boards = sorted(os.listdir(os.path.join(ROOT, "boards")))
    for b in boards[::3]:  # every third catalog board: all archs and methods, small corpus
        with open(os.path.join(ROOT, "boards", b), "rb") as f:
            write("board_json", b, f.read())
    with open(os.path.join(ROOT, "templates", "board-config.json"), "rb") as f:
        write("board_json", "template-board-config.json", f.read())
    # A catalog board written back compactly (other whitespace, same content).
    with open(os.path.join(ROOT, "boards", "nrf52840dk.json")) as f:
        doc = json.load(f)
    bad = os.path.join(ROOT, "tests", "fixtures", "config", "bad")
    for name in sorted(os.listdir(bad))[::6]:
        if name.endswith(".json"):
            with open(os.path.join(bad, name), "rb") as f:
                write("board_json", "bad-" + name, f.read())
    write("board_json", "syntax-error.json", '{"format": 1, "board": {"name": "x",}}')
    write("board_json", "duplicate-key.json", '{"format": 1, "format": 1}')
    write("board_json", "deep.json", "[" * 70 + "]" * 70)
    write("board_json", "compact-nrf52840dk.json", json.dumps(doc, separators=(",", ":")))


# ---------------------------------------------------------------- images

ARM_SRC = """
  .syntax unified
  .thumb
  .section .vectors, "a"
  .word 0x20010000
  .word reset + 1
  .text
  .globl reset
  .thumb_func
reset:
  ldr r0, =message
  b reset
  .section .rodata
message: .asciz "tockctl fuzz seed"
  .data
counter: .word 7
"""

ARM_LD = """
MEMORY { flash (rx) : ORIGIN = 0x00000000, LENGTH = 256K
         ram (rw) : ORIGIN = 0x20000000, LENGTH = 64K }
ENTRY(reset)
SECTIONS {
  .vectors : { *(.vectors) } > flash
  .text : { *(.text*) } > flash
  .rodata : { *(.rodata*) } > flash
  .data : { *(.data*) } > ram AT > flash
  .bss : { *(.bss*) } > ram
}
"""


def run(cmd):
    subprocess.run(cmd, check=True)


def build_elfs(tmp):
    """Returns {name: path} of small ELF files built with the cross compilers."""
    out = {}
    fx = os.path.join(ROOT, "tests", "e2e", "fixtures")
    rv = "riscv64-unknown-elf-gcc"
    rv32 = os.path.join(tmp, "rv32.elf")
    run([rv, "-march=rv32imac", "-mabi=ilp32", "-nostdlib", "-nostartfiles", "-s", "-Wl,-n",
         "-T", os.path.join(fx, "uart_hello.ld"), os.path.join(fx, "uart_hello.S"), "-o", rv32])
    out["riscv32.elf"] = rv32
    rv64 = os.path.join(tmp, "rv64.elf")
    run([rv, "-march=rv64imac", "-mabi=lp64", "-mcmodel=medany", "-nostdlib", "-nostartfiles",
         "-s", "-Wl,-n", "-T", os.path.join(fx, "uart_hello.ld"), os.path.join(fx, "uart_hello.S"),
         "-o", rv64])
    out["riscv64.elf"] = rv64
    obj = os.path.join(tmp, "rv32.o")
    run([rv, "-march=rv32imac", "-mabi=ilp32", "-c", os.path.join(fx, "uart_hello.S"), "-o", obj])
    out["riscv32-relocatable.o"] = obj
    src = os.path.join(tmp, "arm.S")
    ld = os.path.join(tmp, "arm.ld")
    with open(src, "w") as f:
        f.write(ARM_SRC)
    with open(ld, "w") as f:
        f.write(ARM_LD)
    arm = os.path.join(tmp, "arm.elf")
    run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-nostdlib", "-nostartfiles", "-s", "-Wl,-n",
         "-T", ld, src, "-o", arm])
    out["cortex-m4.elf"] = arm
    armbe = os.path.join(tmp, "armbe.elf")
    run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mbig-endian", "-nostdlib",
         "-nostartfiles", "-s", "-Wl,-n", "-T", ld, src, "-o", armbe])
    out["cortex-m4-big-endian.elf"] = armbe
    return out


def ihex(kind, offset, data):
    """One Intel HEX record line."""
    body = bytes([len(data), offset >> 8, offset & 0xFF, kind]) + data
    return ":" + (body + bytes([-sum(body) & 0xFF])).hex().upper() + "\n"


def uf2_block(address, payload, number, total, family, flags=0x2000):
    head = struct.pack("<IIIIIIII", 0x0A324655, 0x9E5D5157, flags, address, len(payload),
                       number, total, family)
    return head + payload.ljust(476, b"\x00") + struct.pack("<I", 0x0AB16F30)


def image_seeds():
    for t in ("elf", "ihex", "uf2"):
        reset(t)
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in build_elfs(tmp).items():
            with open(path, "rb") as f:
                data = f.read()
            write("elf", name, data)
            if name.endswith(".o"):
                continue
            hexfile = os.path.join(tmp, name + ".hex")
            run(["riscv64-unknown-elf-objcopy" if "riscv" in name else "arm-none-eabi-objcopy",
                 "-O", "ihex", path, hexfile])
            with open(hexfile, "rb") as f:
                write("ihex", name.replace(".elf", ".hex"), f.read())
    write("ihex", "segment-records.hex",
          ihex(2, 0, b"\x10\x00") + ihex(0, 0, b"\x01\x02\x03\x04") +
          ihex(3, 0, b"\x00\x00\x10\x00") + ihex(1, 0, b""))
    write("ihex", "linear-top.hex",
          ihex(4, 0, b"\xff\xff") + ihex(0, 0xFFFE, b"\xaa\xbb") +
          ihex(5, 0, b"\x80\x00\x10\x00") + ihex(1, 0, b""))
    write("ihex", "crlf-blank.hex",
          ihex(0, 0, b"\x55").replace("\n", "\r\n\r\n") + ihex(1, 0, b"").replace("\n", "\r\n"))
    rp2040 = 0xE48BFF56
    blocks = b"".join(uf2_block(0x10000000 + 256 * i, bytes([i]) * 256, i, 3, rp2040)
                      for i in range(3))
    write("uf2", "rp2040-3-blocks.uf2", blocks)
    mixed = uf2_block(0x10000000, b"\x01" * 256, 0, 2, rp2040) + \
        uf2_block(0x10000100, b"\x02" * 256, 1, 2, 0xE48BFF59) + \
        uf2_block(0x20000000, b"\x03" * 16, 0, 1, rp2040, flags=0x2001)
    write("uf2", "mixed-families-not-main-flash.uf2", mixed)
    write("uf2", "no-family.uf2", uf2_block(0x00000000, b"\x04" * 476, 0, 1, 0, flags=0))


# ---------------------------------------------------------------- gdb


def segment_bytes(n):
    """The segment data gdb_reply.cpp writes (MakeSegment)."""
    return bytes((i * 7 + (i >> 8)) & 0xFF for i in range(n))


def gdb_crc(data):
    """GDB's qCRC: CRC-32/MPEG-2 (MSB first, init 0xFFFFFFFF, no final xor)."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def rsp_checksum(payload):
    return "%02x" % (sum(payload.encode("latin-1")) % 256)


def gdb_seeds():
    reset("gdb_reply")
    reset("gdb_memory_map")
    memory_map = ('<?xml version="1.0"?><!DOCTYPE memory-map PUBLIC "+//IDN gnu.org//DTD GDB '
                  'Memory Map V1.0//EN" "http://sourceware.org/gdb/gdb-memory-map.dtd">'
                  '<memory-map><memory type="ram" start="0x20000000" length="0x10000"/>'
                  '<memory type="flash" start="0x0" length="0x40000">'
                  '<property name="blocksize">0x1000</property></memory></memory-map>')
    write("gdb_memory_map", "openocd-like.xml", memory_map)
    write("gdb_memory_map", "two-flash-banks.xml",
          '<memory-map><memory type="flash" start="0x08000000" length="0x4000">'
          '<property name="blocksize">0x4000</property></memory>'
          "<memory type='flash' start='0x08004000' length='0x1c000'>"
          '<property name="blocksize">0x20000</property></memory></memory-map>')
    write("gdb_memory_map", "no-flash.xml", '<memory-map><memory type="rom" start="0" '
          'length="0x100"/></memory-map>')
    target_xml = ('<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target>'
                  '<architecture>riscv:rv32</architecture></target>')

    def header(flags, address, size):
        return bytes([flags, 4]) + struct.pack("<QH", address, size)

    # Framed mode: one reply per line, in the order the back-end asks.
    qemu = "\n".join([
        "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+",
        "OK",                        # QStartNoAckMode
        "T05thread:p01.01;",         # ?
        "l" + target_xml,            # target.xml
        "vCont;c;C;s;S",             # vCont?
        "OK",                        # X probe
        "OK",                        # X write
        "C%08x" % gdb_crc(segment_bytes(256)),  # qCRC
        "OK",                        # P (set pc); then vCont;c needs no reply
    ])
    write("gdb_reply", "qemu-like-framed", header(0x01 | 0x02 | 0x04 | 0x10, 0x80000000, 255) +
          qemu.encode())
    openocd = "\n".join([
        "PacketSize=3fff;qXfer:memory-map:read+;qXfer:features:read+;QStartNoAckMode+",
        "OK",
        "S05",
        "l" + target_xml,
        "l" + memory_map,
        "",                          # vCont? unsupported
        "OK",                        # vFlashErase
        "OK",                        # vFlashWrite
        "OK",                        # vFlashDone
        "C%08x" % gdb_crc(segment_bytes(64)),  # qCRC
        segment_bytes(64).hex(),     # m
        "",                          # P unsupported: g, then G
        "00" * 33 * 4,
        "OK",
    ])
    write("gdb_reply", "openocd-like-flash-framed",
          header(0x01 | 0x02 | 0x04 | 0x08 | 0x10, 0x100, 63) + openocd.encode())
    # Raw mode: the byte stream exactly as a server sends it, acks included.
    raw = ""
    for reply in ["PacketSize=400;qXfer:features:read+", "S05", "l" + target_xml, "vCont;c;s",
                  "", "OK", "0*<", "E.flash locked"]:
        raw += "+$" + reply + "#" + rsp_checksum(reply)
    write("gdb_reply", "ack-mode-raw", header(0x02 | 0x08, 0x20000000, 15) + raw.encode())
    write("gdb_reply", "nak-and-bad-checksum-raw",
          header(0x00, 0x20000000, 8) + b"-+$OK#00+$OK#9a%Stop:T05#00+$E03#a8")


# ---------------------------------------------------------------- tock bootloader


def bootloader_segment(address, n):
    """The segment data bootloader_reply.cpp writes (MakeSegment)."""
    out = bytearray()
    for i in range(n):
        page = (address + i) // 512
        out.append(i & 0xFF if page % 3 == 0 else 0xFF if page % 3 == 1 else 0)
    return bytes(out)


def bootloader_seeds():
    reset("bootloader_reply")
    info_json = b'{"version":"1.1.3", "name":"Tock Bootloader", "start_address":"0x10000"}'
    info = b"\xfc\x25" + bytes([len(info_json)]) + info_json.ljust(192, b"\x00")
    pong = b"\xfc\x11"
    ok = b"\xfc\x15"

    def crc(data):
        return b"\xfc\x23" + struct.pack("<I", zlib.crc32(data))

    def read_range(data):
        return b"\xfc\x20" + data.replace(b"\xfc", b"\xfc\xfc")

    attr = b"board\x00\x00\x00" + bytes([4]) + b"hail".ljust(55, b"\xff")
    # Commands mode: u8 flags (bit 0 clear), u8 count, (u8 which, u32 arg) each, then replies.
    read_arg = 9000 * 29 + 512  # ReadRange(arg, arg % 9000): 512 bytes
    cmds = [(0, 0), (2, 0), (8, 3), (6, read_arg), (9, 0x4000000), (10, 0), (3, 0)]
    head = bytes([0x02, len(cmds)]) + b"".join(struct.pack("<BI", w, a) for w, a in cmds)
    replies = pong + info + b"\xfc\x22" + attr + read_range(b"\x01\xfc\x02" + bytes(509)) + \
        crc(b"") + ok + ok + b"\xfc\x16"
    write("bootloader_reply", "commands", head + replies)
    errors = bytes([0x04, 4]) + struct.pack("<BIBIBIBI", 1, 0, 4, 0x1000, 5, 0x1200, 11, 7) + \
        b"\xfc\x12" + b"\xfc\x14" + b"\x00\x01" + b"\xfc\xfc\x13"
    write("bootloader_reply", "error-replies", errors)
    # Back-end mode: u8 flags (bit 0 set), u32 segment address, u16 size, then replies:
    # PING, INFO, baud change (two OKs), a zero page and a data page written, CRC of the run,
    # verify CRC, read back, SET_START_ADDRESS.
    seg = bootloader_segment(0x40000, 1024)
    backend = bytes([0x01 | 0x08 | 0x20]) + struct.pack("<IH", 0x40000, 1023) + pong + info + \
        ok + ok + ok + ok + crc(seg) + crc(seg) + read_range(seg) + ok
    write("bootloader_reply", "backend-flash", backend)
    # Unaligned, skipping zero pages: the device's bytes around the segment are read first.
    seg = bootloader_segment(0x40010, 600)
    head_bytes, tail_bytes = bytes(16), b"\xfc" * 408
    page2 = (seg[512 - 16:] + tail_bytes)[:512]
    unaligned = bytes([0x01 | 0x10]) + struct.pack("<IH", 0x40010, 599) + pong + info + \
        read_range(head_bytes) + read_range(tail_bytes) + ok + crc(page2) + crc(seg) + \
        read_range(seg)
    write("bootloader_reply", "backend-unaligned", unaligned)


# ---------------------------------------------------------------- USB (DFU, PICOBOOT)


def usb_seeds():
    reset("usb_reply")
    functional = bytes([0x09, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01])
    layout = b"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"

    def ok_in(data):
        return b"\x00" + bytes([len(data)]) + data

    ok_out = b"\x00"
    idle = ok_in(bytes([0, 0, 0, 0, 2, 0]))
    dn_idle = ok_in(bytes([0, 0, 0, 0, 5, 0]))
    busy = ok_in(bytes([0, 0, 0, 0, 4, 0]))
    state_idle = ok_in(b"\x02")
    # DfuSe: connect (GETSTATUS, GETSTATE); erase (ERASE_PAGE, ABORT); write (SET_ADDRESS,
    # ABORT, DNLOAD); verify and read (SET_ADDRESS, ABORT, UPLOAD, ABORT); leave (SET_ADDRESS,
    # ABORT, DNLOAD 0, GETSTATUS in dfuMANIFEST-WAIT-RESET). Every DNLOAD is followed by
    # GETSTATUS until dfuDNLOAD-IDLE.
    dnload = ok_out + busy + dn_idle
    upload = dnload + ok_out + b"\x00\xff" + b"\x5a" * 63 + ok_out
    script = idle + state_idle + dnload + ok_out + dnload + ok_out + dnload + upload + upload + \
        dnload + ok_out + ok_out + ok_in(bytes([0, 0, 0, 0, 8, 0]))
    flags = 0x01 | 0x02 | 0x04 | 0x08 | 0x10
    write("usb_reply", "dfuse-flash", bytes([flags, len(functional)]) + functional +
          bytes([len(layout)]) + layout + struct.pack("<IH", 0x08000000, 62) + script)
    err = ok_in(bytes([0, 0, 0, 0, 10, 0])) + ok_out + state_idle + b"\xf0" + \
        ok_in(bytes([8, 0, 0, 0, 10, 0])) + ok_out
    write("usb_reply", "dfu-error-status", bytes([0x01, len(functional)]) + functional +
          b"\x00" + struct.pack("<IH", 0x08000000, 16) + err)
    # PICOBOOT: reset, EXCLUSIVE_ACCESS (cmd, ack), EXIT_XIP, FLASH_ERASE, WRITE (cmd, data,
    # ack), READ (cmd, data in, ack out), REBOOT.
    ack_in = b"\x00\x00"
    call = ok_out + ack_in
    pico = ok_out + call + call + call + ok_out + ok_out + ack_in + ok_out + b"\x00\xff" + \
        b"\x5a" * 300 + ok_out + call
    write("usb_reply", "picoboot-flash", bytes([0x04 | 0x08]) + b"\x00\x00" +
          struct.pack("<IH", 0x10000000, 299) + pico)
    stall = ok_out + call + call + b"\xf0" + ok_in(struct.pack("<IIBB6x", 3, 3, 3, 0)) + ok_out
    write("usb_reply", "picoboot-stall-status", bytes([0x04 | 0x20]) + b"\x00\x00" +
          struct.pack("<IH", 0x10000000, 16) + stall)


# ---------------------------------------------------------------- kernel attributes
# Tock's block at the end of kernel flash (docs/info.md): TLVs read backwards (value, type u16,
# length u16), 3 reserved bytes, version 1, "TOCK". Input: end address (u32 LE), then the bytes.


def kernel_attributes_seeds():
    reset("kernel_attributes")
    end = struct.pack("<I", 0x80100000)
    header = b"\0\0\0\x01TOCK"
    version = struct.pack("<HHHHHH", 2, 3, 0, 1, 0x0103, 8)
    flash = struct.pack("<IIHH", 0x80000000, 104492, 0x0102, 8)
    app = struct.pack("<IIHH", 0x80203000, 0x1FD000, 0x0101, 8)
    block = version + flash + app + header
    write("kernel_attributes", "tock-block", end + block)
    write("kernel_attributes", "tock-block-after-padding", end + bytes(32) + block)
    write("kernel_attributes", "header-only", end + header)
    key = bytes(range(64)) + struct.pack("<IHHHH", 0, 0, 6, 0x0104, 72)
    write("kernel_attributes", "public-key", end + key + block)
    write("kernel_attributes", "bad-sentinel", end + block[:-1] + b"X")


# ---------------------------------------------------------------- apps (TBF, TAB, metadata.toml)
def tlv(kind, data):
    out = struct.pack("<HH", kind, len(data)) + data
    return out + bytes((4 - len(out) % 4) % 4)


def tbf(tlvs, binary, flags=1, footers=b""):
    """A TBF v2 (the Tock book, "Tock Binary Format"): base header, TLVs, binary, footers."""
    header_size = 16 + len(tlvs)
    total = header_size + len(binary) + len(footers)
    head = struct.pack("<HHII", 2, header_size, total, flags) + b"\0\0\0\0" + tlvs
    words = struct.unpack("<%dI" % (len(head) // 4), head)
    checksum = 0
    for i, w in enumerate(words):
        if i != 3:
            checksum ^= w
    head = head[:12] + struct.pack("<I", checksum) + head[16:]
    return head + binary + footers


def app_tbf(name, size, fixed=None, footers=b""):
    tlvs_wo_program = tlv(3, name.encode()) + tlv(8, struct.pack("<HH", 2, 1))
    if fixed:
        tlvs_wo_program += tlv(5, struct.pack("<II", fixed[1], fixed[0]))
    header_size = 16 + 24 + len(tlvs_wo_program)
    program = tlv(9, struct.pack("<IIIII", 0x41, 0, 0x1000, header_size + size, 1))
    return tbf(program + tlvs_wo_program, bytes([0x5A]) * size, footers=footers)


def tar_archive(members):
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def app_seeds():
    for target in ("tbf", "tab", "tab_metadata"):
        reset(target)
    credentials = struct.pack("<HHI", 128, 4 + 32, 3) + bytes(range(32))
    write("tbf", "blink", app_tbf("blink", 64))
    write("tbf", "sha256-footer", app_tbf("signed", 32, footers=credentials))
    write("tbf", "fixed", app_tbf("fixed", 16, fixed=(0x80100080, 0x80300000)))
    write("tbf", "padding", tbf(b"", bytes(48), flags=0))
    every = (tlv(1, struct.pack("<III", 1, 2, 3)) + tlv(2, struct.pack("<II", 0x100, 0x80))
             + tlv(4, bytes(40)) + tlv(6, struct.pack("<HIIQ", 1, 0x10000, 0, 0xF))
             + tlv(7, struct.pack("<IHIH", 5, 1, 7, 0)) + tlv(10, struct.pack("<I", 9))
             + tlv(0x8001, b"abc"))
    write("tbf", "every-tlv", tbf(every, bytes(8)))
    write("tbf", "app-flash", app_tbf("a", 64) + tbf(b"", bytes(0x100 - 16), flags=0)
          + app_tbf("b", 32) + b"\xff" * 64)
    metadata = (b'tab-version = 1\nname = "blink"\nonly-for-boards = "hail,imix"\n'
                b'build-date = 2026-12-07T09:00:00Z\nminimum-tock-kernel-version = "2.1"\n')
    write("tab_metadata", "elf2tab", metadata)
    write("tab_metadata", "tockloader",
          b"tock-kernel-version = '2.2'\nminimum-ram-size = 4096 # bytes\n[extra]\n"
          b'list = ["a", "b"]\nflag = true\n')
    write("tab", "blink", tar_archive([("metadata.toml", metadata),
                                       ("cortex-m4.tbf", app_tbf("blink", 64)),
                                       ("cortex-m0.tbf", app_tbf("blink", 48))]))
    write("tab", "fixed", tar_archive([
        ("metadata.toml", metadata),
        ("rv32imac.0x80100080.0x80300000.tbf", app_tbf("f", 16, (0x80100080, 0x80300000))),
        ("rv32imac.0x80110080.0x80310000.tbf", app_tbf("f", 16, (0x80110080, 0x80310000)))]))
    write("tab", "bare-tbf", app_tbf("bare", 20))


def main():
    app_seeds()
    kernel_attributes_seeds()
    trace_seeds()
    board_seeds()
    image_seeds()
    gdb_seeds()
    bootloader_seeds()
    usb_seeds()
    total = 0
    for dirpath, _, files in os.walk(OUT):
        if "regressions" in dirpath:
            continue
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    print("seed corpora: %d bytes" % total, file=sys.stderr)


if __name__ == "__main__":
    main()
