#!/usr/bin/env bash
# Flashing benchmark: the same 1 MiB ELF goes into one QEMU (qemu-system-riscv32 -M virt, halted,
# gdbstub on 127.0.0.1) with
#   A: tockctl flash --method gdb            (write + verify)
#   B: gdb-multiarch -batch ... load + compare-sections (+ disconnect)
# Both leave the guest halted: tockctl with --no-start, gdb with `disconnect` instead of its
# default detach, which would resume the guest and let it run the random image, so that the next
# writer would pay for QEMU throwing away translated code.
# alternating A and B for --runs rounds in the same run. Reports the median wall-clock time of each
# (process start to exit, so both pay their start-up), the rates, and the ratio A/B, plus the
# best run of each (less sensitive to other load on the machine, which slows QEMU down).
#
# Usage: bench/flash_gdb.sh [--runs N] [--json]
#   TOCKCTL=path/to/tockctl (default: build-release/cli/tockctl, else build/cli/tockctl).
#   Build the release binary first for meaningful figures:
#     cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build-release --target tockctl
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=5
json=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --json) json=1; shift ;;
    *) echo "usage: $0 [--runs N] [--json]" >&2; exit 2 ;;
  esac
done

tockctl=${TOCKCTL:-}
if [[ -z "$tockctl" ]]; then
  for candidate in "$root/build-release/cli/tockctl" "$root/build/cli/tockctl"; do
    [[ -x "$candidate" ]] && { tockctl=$candidate; break; }
  done
fi
[[ -x "${tockctl:-}" ]] || { echo "tockctl binary not found; build it or set TOCKCTL" >&2; exit 2; }
for tool in qemu-system-riscv32 gdb-multiarch riscv64-unknown-elf-gcc python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing; run scripts/deps" >&2; exit 2; }
done

work=$(mktemp -d)
qemu_pid=
cleanup() {
  [[ -n "$qemu_pid" ]] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A 1 MiB ELF: one PT_LOAD of exactly 1 MiB at 0x80000000 (all of qemu_rv32_virt's kernel flash),
# pseudo-random contents from a fixed seed so runs are comparable.
python3 -c "import random,sys; random.seed(4); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(1<<20)))" >"$work/blob.bin"
cat >"$work/big.S" <<'ASM'
  .section .text.start
  .globl _start
_start:
  .incbin "blob.bin"
ASM
(cd "$work" && riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -nostdlib \
   -T "$root/tests/e2e/fixtures/uart_hello.ld" big.S -o big.elf)
bytes=$(( 1 << 20 ))

port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
qemu-system-riscv32 -machine virt -bios none -display none -monitor none -serial none \
  -gdb "tcp:127.0.0.1:$port" -S >"$work/qemu.log" 2>&1 &
qemu_pid=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2).close()" 2>/dev/null && break
  sleep 0.05
done

now() { date +%s.%N; }
tockctl_times=()
gdb_times=()
tockctl_phases=()
gdb_rates=()
for round in $(seq "$runs"); do
  t0=$(now)
  "$tockctl" --json flash "$work/big.elf" --board qemu_rv32_virt --method gdb \
    --tcp "127.0.0.1:$port" --no-start >"$work/tockctl.out"
  t1=$(now)
  tockctl_times+=("$(python3 -c "print($t1-$t0)")")
  tockctl_phases+=("$(python3 -c "
import json
for line in open('$work/tockctl.out'):
    j = json.loads(line)
    if j.get('event') == 'summary':
        assert j['verified'] and j['bytes'] == $bytes
        print('%.3f+%.3f' % (j['write']['seconds'], j['verify']['seconds']))
")")
  t0=$(now)
  gdb-multiarch -batch -nx -ex "target remote 127.0.0.1:$port" -ex load -ex compare-sections -ex disconnect \
    "$work/big.elf" >"$work/gdb.out" 2>&1
  t1=$(now)
  grep -q "matched" "$work/gdb.out" || { cat "$work/gdb.out" >&2; echo "gdb did not verify" >&2; exit 1; }
  gdb_times+=("$(python3 -c "print($t1-$t0)")")
  gdb_rates+=("$(sed -n 's/^Transfer rate: \([0-9]*\) KB\/sec.*/\1/p' "$work/gdb.out")")
done

python3 - "$bytes" "$json" "${tockctl_times[*]}" "${gdb_times[*]}" "${tockctl_phases[*]}" "${gdb_rates[*]}" <<'PY'
import json, statistics, sys
nbytes, as_json = int(sys.argv[1]), sys.argv[2] == "1"
t = [float(x) for x in sys.argv[3].split()]
g = [float(x) for x in sys.argv[4].split()]
phases, gdb_load = sys.argv[5].split(), sys.argv[6].split()
mt, mg = statistics.median(t), statistics.median(g)
bt, bg = min(t), min(g)
mib = nbytes / (1 << 20)
result = {
    "bytes": nbytes, "runs": len(t),
    "tockctl": {"median_seconds": round(mt, 4), "rate_mib_s": round(mib / mt, 2),
                "runs_seconds": [round(x, 4) for x in t], "write+verify_phases": phases},
    "gdb": {"median_seconds": round(mg, 4), "rate_mib_s": round(mib / mg, 2),
            "runs_seconds": [round(x, 4) for x in g], "load_transfer_rate_kb_s": gdb_load},
    "ratio": round(mg / mt, 2),
    "best": {"tockctl_seconds": round(bt, 4), "gdb_seconds": round(bg, 4), "ratio": round(bg / bt, 2)},
}
if as_json:
    print(json.dumps(result))
else:
    print(f"1 MiB ELF into QEMU virt, {len(t)} alternating runs, wall clock per process (median)")
    print(f"  tockctl flash --method gdb (write+verify): {mt:.3f} s  {mib/mt:6.2f} MiB/s"
          f"   phases write+verify: {' '.join(phases)} s")
    print(f"  gdb-multiarch load + compare-sections:     {mg:.3f} s  {mib/mg:6.2f} MiB/s"
          f"   gdb's load rate: {' '.join(gdb_load)} KB/s")
    print(f"  ratio (tockctl rate / gdb rate): {mg/mt:.2f}x median, {bg/bt:.2f}x best-of-{len(t)}"
          f" ({mib/bt:.2f} vs {mib/bg:.2f} MiB/s)  (target >= 2x)")
PY
