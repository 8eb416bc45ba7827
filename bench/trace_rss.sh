#!/usr/bin/env bash
# Peak memory of the real `tockctl trace` over a large replayed stream: generates SIZE MiB of
# realistic trace records (default 1024), replays them through `tockctl trace -w` (pcapng to
# /dev/null, or to the file given as CAPTURE), and prints peak RSS and throughput.
#   bench/trace_rss.sh [BUILD_DIR] [SIZE_MIB] [CAPTURE]
set -euo pipefail
build=${1:-build}
size=${2:-1024}
capture=${3:-/dev/null}
stream=$(mktemp /tmp/tockctl-rss-XXXXXX.bin)
trap 'rm -f "$stream"' EXIT
"$build/bench/tockctl_bench" --write-stream="$stream" --stream-mib="$size"
python3 - "$build/cli/tockctl" "$stream" "$capture" <<'PY'
import os, resource, subprocess, sys, time
tockctl, stream, capture = sys.argv[1:4]
start = time.monotonic()
cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
subprocess.run([tockctl, "-q", "trace", "--replay", stream, "-w", capture], check=True)
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (usage.ru_utime - cpu0.ru_utime) + (usage.ru_stime - cpu0.ru_stime)
size = os.path.getsize(stream)
print(f"tockctl trace --replay ({size / 1e6:.0f} MB) -w {capture}: peak RSS {usage.ru_maxrss} KiB, "
      f"{size / cpu / 1e6:.0f} MB/s per CPU-second, {size / wall / 1e6:.0f} MB/s wall")
PY
