#!/bin/sh
# /init of the USB test guest (tests/usb/usb_guest.py builds the initramfs around it).
# Loads the USB modules, starts udevd, sets up a configfs gadget 6667:0001 whose only function is
# the FunctionFS trace interface served by /usr/bin/trace_gadget on the dummy_hcd UDC, runs each
# check through the real tockctl binary and prints `CHECK name PASS|FAIL detail`, then powers off.
# Further gadgets (a CDC-ACM serial port, DFU, DfuSe and PICOBOOT devices) take the same UDC in
# turn.
export PATH=/usr/bin:/bin HOME=/root TOCKCTL_DATA_DIR=/usr/share/tockctl
G=/sys/kernel/config/usb_gadget/tock
SERIAL=TOCKUSB0001
PRODUCT="Tock USB trace gadget"
T=/tmp

check() { # name PASS|FAIL detail...
  name=$1 verdict=$2
  shift 2
  echo "CHECK $name $verdict $*"
  echo "guest: $name done at $(cut -d' ' -f1 /proc/uptime) s"
}

setup_system() {
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  mount -t tmpfs tmpfs /run
  mount -t tmpfs tmpfs /tmp
  chmod 1777 /tmp
  for module in /modules/*.ko; do
    insmod "$module" || echo "guest: insmod $module failed"
  done
  mount -t configfs none /sys/kernel/config
  /lib/systemd/systemd-udevd --daemon
  udevadm trigger --action=add >/dev/null 2>&1
  udevadm settle --timeout=10
}

setup_gadget() {
  mkdir -p $G/strings/0x409 $G/configs/c.1/strings/0x409 $G/functions/ffs.trace
  echo 0x6667 >$G/idVendor
  echo 0x0001 >$G/idProduct
  echo "$SERIAL" >$G/strings/0x409/serialnumber
  echo "Tock OS" >$G/strings/0x409/manufacturer
  echo "$PRODUCT" >$G/strings/0x409/product
  echo "trace" >$G/configs/c.1/strings/0x409/configuration
  ln -s $G/functions/ffs.trace $G/configs/c.1/
  mkdir -p /dev/ffs-trace
  mount -t functionfs trace /dev/ffs-trace
}

device_path() { # the sysfs directory of the 6667:0001 device, if it is there
  for d in /sys/bus/usb/devices/*; do
    [ "$(cat $d/idVendor 2>/dev/null)" = 6667 ] && echo "$d" && return 0
  done
  return 1
}

wait_for() { # seconds command...: polls the command every 0.1 s
  tries=$(($1 * 10))
  shift
  while [ $tries -gt 0 ]; do
    "$@" && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}

ended_after_unplug() { # check err_file: waits up to 15 s for $reader to end; fails the check if
  # it does not. Afterwards $rc holds its exit status.
  wait_for 15 sh -c "! kill -0 $reader 2>/dev/null"
  if kill -0 $reader 2>/dev/null; then
    kill $reader
    wait $reader
    check $1 FAIL "still running 15 s after the unplug: $(tr '\n' '|' <$2)"
    return 1
  fi
  wait $reader
  rc=$?
  return 0
}

plug() { # FILE REPEAT: start the gadget streaming FILE REPEAT times (0: forever) and bind it
  rm -f $T/gadget.ready $T/gadget.out
  trace_gadget /dev/ffs-trace "$1" "$2" $T/gadget.ready >$T/gadget.out 2>$T/gadget.err &
  GADGET=$!
  wait_for 10 test -e $T/gadget.ready || echo "guest: gadget not ready: $(cat $T/gadget.err)"
  echo dummy_udc.0 >$G/UDC
  wait_for 10 device_path >/dev/null || echo "guest: device 6667:0001 did not enumerate"
  udevadm settle --timeout=10
}

unplug() {
  echo "" >$G/UDC 2>/dev/null
  kill $GADGET 2>/dev/null
  wait $GADGET 2>/dev/null
  wait_for 10 sh -c '! ls /sys/bus/usb/devices/*/idVendor | xargs grep -l 6667 >/dev/null 2>&1'
}

check_devices() {
  tockctl --json devices >$T/devices.json 2>$T/devices.err
  if grep -q '"vid_pid": *"6667:0001"' $T/devices.json &&
    grep -q "\"serial_number\": *\"$SERIAL\"" $T/devices.json &&
    grep -q "\"product\": *\"$PRODUCT\"" $T/devices.json; then
    check devices_json PASS "6667:0001 $SERIAL \"$PRODUCT\""
  else
    check devices_json FAIL "$(tr '\n' ' ' <$T/devices.json | cut -c1-600) $(cat $T/devices.err)"
  fi
  tockctl devices >$T/devices.txt 2>&1
  if grep -q "^6667:0001:$SERIAL  *Tock board" $T/devices.txt; then
    check devices_table PASS "$(grep 6667 $T/devices.txt)"
  else
    check devices_table FAIL "$(tr '\n' '|' <$T/devices.txt)"
  fi
}

check_trace_decode() {
  count=$(cat /test/count)
  timeout -s KILL 30 tockctl trace --usb 6667:0001 --format json --count "$count" >$T/trace.json 2>$T/trace.err
  rc=$?
  if [ $rc = 0 ] && cmp -s $T/trace.json /test/expected.json; then
    check trace_decode PASS "$count records, output equal to --replay --count $count of the same fixture"
  else
    check trace_decode FAIL "exit $rc, $(wc -l <$T/trace.json)/$count lines;" \
      "$(diff /test/expected.json $T/trace.json | head -5 | tr '\n' '|') $(tr '\n' '|' <$T/trace.err)"
  fi
}

check_unplug() {
  tockctl trace --usb 6667:0001 --no-reconnect >/dev/null 2>$T/unplug.err &
  reader=$!
  sleep 2
  echo "" >$G/UDC
  ended_after_unplug unplug_no_reconnect $T/unplug.err || return
  # docs/trace-sources.md: a device that goes away under --no-reconnect is reported as a link
  # loss ("trace: link lost: ...", on stderr in text mode) and ends the trace with exit 0, as
  # --tcp and --serial do; an unplug is not an error, so no "error:" line.
  if [ $rc = 0 ] && ! grep -q '^error:' $T/unplug.err &&
    grep -q '^trace: link lost: USB device 6667:0001 (bus [0-9]*, address [0-9]*) was unplugged (LIBUSB_[A-Z_]*)$' $T/unplug.err; then
    check unplug_no_reconnect PASS "exit 0: $(grep 'link lost' $T/unplug.err)"
  else
    check unplug_no_reconnect FAIL "exit $rc: $(tr '\n' '|' <$T/unplug.err | cut -c1-600)"
  fi
}

check_reconnect() {
  tockctl trace --usb 6667:0001 >/dev/null 2>$T/reconnect.err &
  reader=$!
  sleep 2
  unplug
  plug /test/stress.bin 0
  wait_for 10 grep -q 'is back' $T/reconnect.err
  kill $reader
  wait $reader
  link_result reconnect $T/reconnect.err \
    '^trace: link lost: USB device 6667:0001 (bus 1, address [0-9]*) was unplugged (LIBUSB_[A-Z_]*); waiting for it to come back$' \
    '^trace: link up: USB device 6667:0001 is back (bus 1, address [0-9]*)$'
}

check_busy() {
  tockctl trace --usb 6667:0001 --format json >/dev/null 2>$T/first.err &
  first=$!
  sleep 2
  tockctl trace --usb 6667:0001 --format json >/dev/null 2>$T/busy.err
  rc=$?
  kill $first 2>/dev/null
  wait $first 2>/dev/null
  if grep -q 'is in use by another program or driver (LIBUSB_ERROR_BUSY)' $T/busy.err; then
    check busy PASS "exit $rc: $(head -1 $T/busy.err)"
  else
    check busy FAIL "exit $rc: $(tr '\n' '|' <$T/busy.err)"
  fi
}

as_tock() { su -s /bin/sh tock -c "$*"; }

check_permissions() {
  count=$(cat /test/count)
  node=/dev/bus/usb/$(printf %03d $(cat $(device_path)/busnum))/$(printf %03d $(cat $(device_path)/devnum))
  as_tock "timeout -s KILL 30 tockctl trace --usb 6667:0001 --format json --count $count" >$T/user.json 2>$T/user.err
  rc=$?
  if grep -q "error: permission denied opening USB device 6667:0001 (bus [0-9]*, address [0-9]*), $node (usb 6667:0001: open); allow access with a udev rule such as: SUBSYSTEM==\"usb\", ATTR{idVendor}==\"6667\", ATTR{idProduct}==\"0001\", TAG+=\"uaccess\" (tockctl ships udev/60-tockctl.rules" $T/user.err; then
    check permission_denied PASS "exit $rc, $(ls -l $node | cut -c1-40)"
  else
    check permission_denied FAIL "exit $rc, $(ls -l $node): $(tr '\n' '|' <$T/user.err)"
  fi
}

check_udev_rule() {
  count=$(cat /test/count)
  cp /test/60-tockctl.rules /etc/udev/rules.d/
  udevadm control --reload-rules
  unplug
  plug /test/trace.bin 1
  node=/dev/bus/usb/$(printf %03d $(cat $(device_path)/busnum))/$(printf %03d $(cat $(device_path)/devnum))
  as_tock "timeout -s KILL 30 tockctl trace --usb 6667:0001 --format json --count $count" >$T/user.json 2>$T/user.err
  rc=$?
  if [ $rc = 0 ] && cmp -s $T/user.json /test/expected.json; then
    check udev_rule_grants PASS "$(ls -l $node | cut -c1-40)"
  else
    check udev_rule_grants FAIL "exit $rc, $(ls -l $node): $(tr '\n' '|' <$T/user.err)"
  fi
}

gadget_rate() { # bytes per second the gadget reported, or nothing
  sed -n 's/^GADGET bytes=\([0-9]*\) seconds=\([0-9.]*\)$/\1 \2/p' $T/gadget.out |
    awk '$2 > 0 { printf "%d", $1 / $2 }'
}

uptime_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }

replay_rate() { # FILE REPEAT: bytes per second `tockctl trace --replay` decodes at (no USB)
  rm -f $T/replay.bin
  i=0
  while [ $i -lt "$2" ]; do cat "$1" >>$T/replay.bin; i=$((i + 1)); done
  start=$(uptime_cs)
  tockctl trace --replay $T/replay.bin --format json >/dev/null 2>&1
  end=$(uptime_cs)
  awk "BEGIN { if ($end > $start) printf \"%d\", $(wc -c <$T/replay.bin) * 100 / ($end - $start) }"
}

check_throughput() {
  rounds=6
  size=$(wc -c </test/stress.bin)
  plug /test/stress.bin $rounds
  timeout 60 raw_bulk_reader 6667 0001 0 0x81 $((size * rounds)) >$T/raw.out 2>$T/raw.err
  wait_for 10 grep -q GADGET $T/gadget.out
  raw=$(gadget_rate)
  unplug
  plug /test/stress.bin $rounds
  tockctl trace --usb 6667:0001 --format json >/dev/null 2>$T/rate.err &
  reader=$!
  wait_for 60 grep -q GADGET $T/gadget.out
  trace=$(gadget_rate)
  kill $reader
  wait $reader 2>/dev/null
  unplug
  replay=$(replay_rate /test/stress.bin $rounds)
  if [ -n "$raw" ] && [ -n "$trace" ]; then
    ratio=$(awk "BEGIN { printf \"%.2f\", $trace / $raw }")
    check throughput PASS "ratio=$ratio trace=$trace B/s raw=$raw B/s ($((size * rounds)) bytes" \
      "each); the same bytes decoded from a file (--replay, no USB): $replay B/s"
  else
    check throughput FAIL "raw='$raw' ($(cat $T/raw.err)) trace='$trace' ($(tr '\n' '|' <$T/rate.err))"
  fi
}

# --- Flash gadgets: DFU 1.1, STM32 DfuSe and RP2040 PICOBOOT devices (dfu_gadget.c,
# picoboot_gadget.c), each a configfs gadget of its own with one FunctionFS function, bound to the
# same dummy_udc.0 in turn. Each writes a flash image file the checks compare byte for byte.
GADGETS=/sys/kernel/config/usb_gadget

setup_flash_gadget() { # NAME VID PID SERIAL MANUFACTURER PRODUCT
  g=$GADGETS/$1
  mkdir -p $g/strings/0x409 $g/configs/c.1/strings/0x409 $g/functions/ffs.$1
  echo 0x$2 >$g/idVendor
  echo 0x$3 >$g/idProduct
  echo "$4" >$g/strings/0x409/serialnumber
  echo "$5" >$g/strings/0x409/manufacturer
  echo "$6" >$g/strings/0x409/product
  ln -s $g/functions/ffs.$1 $g/configs/c.1/
  mkdir -p /dev/ffs-$1
  mount -t functionfs $1 /dev/ffs-$1
}

present() { # VID:PID: is such a device on the bus?
  for d in /sys/bus/usb/devices/*; do
    [ "$(cat $d/idVendor 2>/dev/null):$(cat $d/idProduct 2>/dev/null)" = "$1" ] && return 0
  done
  return 1
}

plug_flash() { # NAME VID:PID GADGET-COMMAND...: start the gadget (its last argument is its ready
  name=$1 id=$2 #  file), bind NAME to the UDC and wait until VID:PID enumerates
  shift 2
  eval "ready=\${$#}"
  rm -f "$ready"
  "$@" >>$T/$name.out 2>>$T/$name.err &
  FLASH_GADGET=$!
  wait_for 10 test -e "$ready" || echo "guest: $name gadget not ready: $(cat $T/$name.err)"
  echo dummy_udc.0 >$GADGETS/$name/UDC
  wait_for 10 present $id || echo "guest: $id did not enumerate"
  udevadm settle --timeout=10
}

unplug_flash() { # NAME
  echo "" >$GADGETS/$1/UDC 2>/dev/null
  kill $FLASH_GADGET 2>/dev/null
  wait $FLASH_GADGET 2>/dev/null
  wait_for 10 sh -c "! ls /sys/bus/usb/devices/*/idVendor 2>/dev/null | xargs grep -l -v 1d6b >/dev/null 2>&1"
}

gadget_gone() { ! kill -0 $FLASH_GADGET 2>/dev/null; }

link_result() { # CHECK ERR-FILE LOST-PATTERN BACK-PATTERN: PASS when the trace reported the link
  # lost and back, in those words, and no error
  if ! grep -q '^error:' "$2" && grep -q "$3" "$2" && grep -q "$4" "$2"; then
    check "$1" PASS "$(grep 'link' "$2" | tr '\n' '|')"
  else
    check "$1" FAIL "$(tr '\n' '|' <"$2" | cut -c1-600)"
  fi
}

flash_result() { # NAME CHECK RC WANTED-LINE-OF-GADGET EXPECTED-FLASH: PASS when the run worked
  name=$1 check=$2 rc=$3 wanted=$4 expected=$5
  summary=$(grep -v '^ ' $T/$check.txt | tail -1)
  if [ "$rc" = 0 ] && cmp -s $T/${name}_flash.bin "$expected" && grep -qx "$wanted" $T/$name.out; then
    check $check PASS "exit 0, flash image equal to the expected one; gadget: $wanted; tockctl: $summary"
  else
    check $check FAIL "exit $rc; $(cmp $T/${name}_flash.bin "$expected" 2>&1 | head -1);" \
      "gadget: $(tail -3 $T/$name.out | tr '\n' '|'); tockctl: $(tr '\n' '|' <$T/$check.txt | cut -c1-700)"
  fi
}

devices_result() { # CHECK PATTERN: the `tockctl devices` line of the plugged-in gadget
  tockctl devices >$T/$1.txt 2>&1
  if grep -q "$2" $T/$1.txt; then
    check $1 PASS "$(grep "$2" $T/$1.txt)"
  else
    check $1 FAIL "no line like '$2' in: $(tr '\n' '|' <$T/$1.txt)"
  fi
}

stall_result() { # CHECK RC WANTED-REGEX: exit 6 and one error line on stderr, the wanted one
  if [ "$2" = 6 ] && [ "$(grep -c '^error:' $T/$1.err)" = 1 ] && grep -qx "$3" $T/$1.err; then
    check $1 PASS "exit 6: $(grep '^error:' $T/$1.err)"
  else
    check $1 FAIL "exit $2: $(tr '\n' '|' <$T/$1.err | cut -c1-900)"
  fi
}

check_dfuse() {
  cp /test/dfuse_old.bin $T/dfuse_flash.bin
  plug_flash dfuse 0483:df11 dfu_gadget /dev/ffs-dfuse dfuse $T/dfuse_flash.bin $T/dfuse.ready
  devices_result dfuse_devices '^0483:df11:DFUSE0001  *bootloader  *STM32 system bootloader (DFU)  *dfu '
  # Before writing: --verify-only reads the old firmware back with UPLOAD and names the first
  # differing byte (the old pattern starts with 0x07, the seeded image with 0x5c).
  timeout -s KILL 60 tockctl flash /test/dfuse_image.bin --board nucleo_f429zi --method dfu \
    --address 0x08000000 --verify-only >$T/dfuse_verify_mismatch.txt 2>$T/dfuse_verify_mismatch.err
  stall_result dfuse_verify_mismatch $? '^error: verify failed: segment binary differs from the image at 0x8000000 (byte at 0x08000000 reads 0x07, expected 0x5c) (dfu: verify); flash again; if it keeps failing the flash or the connection is faulty$'
  timeout -s KILL 60 tockctl flash /test/dfuse_image.bin --board nucleo_f429zi --method dfu \
    --address 0x08000000 --usb 0483:df11:DFUSE0001 >$T/dfuse_flash.txt 2>&1
  rc=$?
  wait_for 10 gadget_gone
  flash_result dfuse dfuse_flash $rc "DFUSE left address=0x08000000" /test/dfuse_expected.bin
  unplug_flash dfuse
}

check_dfu() {
  cp /test/dfu_old.bin $T/dfu_flash.bin
  plug_flash dfu 1209:0001 dfu_gadget /dev/ffs-dfu dfu $T/dfu_flash.bin $T/dfu.ready
  devices_result dfu_devices '^1209:0001:DFU0001  *bootloader  *USB DFU device  *dfu '
  # An image larger than the device's flash: the gadget stalls the first block past its end.
  timeout -s KILL 60 tockctl flash /test/dfu_too_big.bin --config /test/dfu_board.json \
    --address 0x08000000 >$T/dfu_stall.txt 2>$T/dfu_stall.err
  stall_result dfu_stall $? '^error: the DFU device reported errADDRESS (0x08), the address is out of range (1209:0001 (bus 1 device [0-9]*): DNLOAD block 64); the image on the device is partial (64.0 KiB of 65.0 KiB written) and will not start: flash again$'
  # The same device, recovered by tockctl's CLRSTATUS, takes the right image.
  cp /test/dfu_old.bin $T/dfu_flash.bin
  timeout -s KILL 60 tockctl flash /test/dfu_image.bin --config /test/dfu_board.json \
    --address 0x08000000 --usb 1209:0001:DFU0001 >$T/dfu_flash.txt 2>&1
  rc=$?
  flash_result dfu dfu_flash $rc "DFU manifested bytes=$(wc -c </test/dfu_image.bin)" /test/dfu_expected.bin
  unplug_flash dfu
}

# The DFU gadget in run-time mode (1209:0002) detaches into the plain DFU device (1209:0001) on the
# same port: by itself (bitWillDetach) or after tockctl's USB reset. The board file names the
# DFU-mode identity; --usb names the run-time device.
detach_result() { # CHECK RC HOW: the gadget saw DFU_DETACH with its wDetachTimeOut, left HOW, and
  check=$1 rc=$2 how=$3 #           took the image
  if grep -qx "DFU detach wValue=1000" $T/dfurt.out &&
    grep -qx "DFU re-enumerated in DFU mode $how" $T/dfurt.out; then
    flash_result dfurt $check $rc "DFU manifested bytes=$(wc -c </test/dfu_image.bin)" /test/dfu_expected.bin
  else
    check $check FAIL "exit $rc; gadget: $(tr '\n' '|' <$T/dfurt.out) $(tr '\n' '|' <$T/dfurt.err | cut -c1-200);" \
      "tockctl: $(tr '\n' '|' <$T/$check.txt | cut -c1-700)"
  fi
}

check_dfu_detach() { # CHECK MODE: flash through the run-time gadget, MODE will-detach|needs-reset
  cp /test/dfu_old.bin $T/dfurt_flash.bin
  rm -f $T/dfurt.out $T/dfurt.err
  plug_flash dfurt 1209:0002 dfu_gadget --runtime=$2 /dev/ffs-dfurt $GADGETS/dfurt /dev/ffs-dfu \
    $GADGETS/dfu $T/dfurt_flash.bin $T/dfurt.ready
  if [ $2 = will-detach ]; then
    devices_result dfu_runtime_devices '^1209:0002:DFURT0001  *DFU run-time  *USB device that detaches into DFU mode  *dfu '
  fi
  timeout -s KILL 60 tockctl flash /test/dfu_image.bin --config /test/dfu_board.json \
    --address 0x08000000 --usb 1209:0002:DFURT0001 >$T/$1.txt 2>&1
  rc=$?
  echo "guest: $1 tockctl said: $(grep -v '^ ' $T/$1.txt | tr '\n' '|')"
  how="by itself"
  [ $2 = needs-reset ] && how="after a USB reset"
  detach_result $1 $rc "$how"
  echo "" >$GADGETS/dfu/UDC 2>/dev/null
  unplug_flash dfurt
}

check_picoboot() {
  cp /test/pico_old.bin $T/pico_flash.bin
  plug_flash pico 2e8a:0003 picoboot_gadget /dev/ffs-pico $T/pico_flash.bin $T/pico.ready
  devices_result picoboot_devices '^2e8a:0003:E0C9125B0D9B  *bootloader  *RP2040 in BOOTSEL mode  *picoboot, uf2 '
  # Outside flash and RAM (--force passes tockctl's own map check): the boot ROM stalls.
  timeout -s KILL 60 tockctl flash /test/pico_image.bin --board raspberry_pi_pico --method picoboot \
    --address 0x30000000 --force >$T/picoboot_stall.txt 2>$T/picoboot_stall.err
  stall_result picoboot_stall $? '^error: the RP2040 boot ROM refused FLASH_ERASE: INVALID_ADDRESS (4), the address is outside flash and RAM (2e8a:0003 (bus 1 device [0-9]*): FLASH_ERASE 0x30000000 +24576); the device refused the first erase and reported nothing erased; check the old image with --verify-only before you rely on it$'
  # The same device, after tockctl's INTERFACE_RESET, takes the right image.
  timeout -s KILL 60 tockctl flash /test/pico_image.bin --board raspberry_pi_pico --method picoboot \
    --address 0x10000000 --usb 2e8a:0003:E0C9125B0D9B >$T/picoboot_flash.txt 2>&1
  rc=$?
  wait_for 10 gadget_gone
  flash_result pico picoboot_flash $rc "PICOBOOT reboot pc=0x00000000 sp=0x20042000 delay=500 exclusive=1" /test/pico_expected.bin
  unplug_flash pico
}

# The RP2350 boot ROM (picoboot_gadget --rp2350, 2e8a:000f) and a board whose picoboot method says
# "family": "rp2350": written, verified and rebooted with REBOOT2 (the RP2350 has no REBOOT).
check_picoboot_rp2350() {
  cp /test/pico2_old.bin $T/pico2_flash.bin
  plug_flash pico2 2e8a:000f picoboot_gadget --rp2350 /dev/ffs-pico2 $T/pico2_flash.bin $T/pico2.ready
  devices_result picoboot_rp2350_devices '^2e8a:000f:5A3C91E07B2D4F68  *bootloader  *RP2350 in BOOTSEL mode  *picoboot, uf2 '
  # No --force: the image starts with the RP2350 boot block at 0x10000000, which is kernel flash
  # (docs/boards.md).
  timeout -s KILL 60 tockctl flash /test/pico2_image.bin --board raspberry_pi_pico_2 --method picoboot \
    --address 0x10000000 --usb 2e8a:000f:5A3C91E07B2D4F68 >$T/picoboot_rp2350_flash.txt 2>&1
  rc=$?
  wait_for 10 gadget_gone
  flash_result pico2 picoboot_rp2350_flash $rc "PICOBOOT reboot2 flags=0x00000000 delay=500 p0=0x00000000 p1=0x00000000 exclusive=1" /test/pico2_expected.bin
  unplug_flash pico2
}

# --- USB serial: a configfs gadget 6667:0002 with the kernel's CDC-ACM function (f_acm). The host
# side's cdc_acm driver makes it /dev/ttyACM0; on the gadget side /dev/ttyGS0 plays the board.
ACM=$GADGETS/acm
ACM_ID=6667:0002:TOCKACM0001
ACM_PRODUCT="Tock ACM test gadget"

setup_acm_gadget() {
  mkdir -p $ACM/strings/0x409 $ACM/configs/c.1/strings/0x409 $ACM/functions/acm.usb0
  echo 0x6667 >$ACM/idVendor
  echo 0x0002 >$ACM/idProduct
  echo TOCKACM0001 >$ACM/strings/0x409/serialnumber
  echo "Tock OS" >$ACM/strings/0x409/manufacturer
  echo "$ACM_PRODUCT" >$ACM/strings/0x409/product
  ln -s $ACM/functions/acm.usb0 $ACM/configs/c.1/
}

acm_tty() { ls /sys/bus/usb/drivers/cdc_acm/*/tty 2>/dev/null | grep -q ttyACM; }

plug_acm() {
  echo dummy_udc.0 >$ACM/UDC
  wait_for 10 acm_tty || echo "guest: no ttyACM for 6667:0002: $(ls /sys/class/tty | grep ACM)"
  udevadm settle --timeout=10
}

unplug_acm() {
  echo "" >$ACM/UDC 2>/dev/null
  wait_for 10 sh -c '! ls /sys/class/tty | grep -q ttyACM'
}

acm_write() { # FILE REPEAT (0: forever): the board writes FILE to ttyGS0, raw, in the background
  file=$1 repeat=$2
  {
    stty raw -echo
    i=0
    while [ "$repeat" = 0 ] || [ $i -lt "$repeat" ]; do
      cat "$file" >&0 || break
      i=$((i + 1))
    done
  } <>/dev/ttyGS0 2>$T/acm_write.err &
  ACM_WRITER=$!
}

stop_acm_writer() {
  kill $ACM_WRITER 2>/dev/null
  wait $ACM_WRITER 2>/dev/null
}

acm_open_or_gone() { # PID: /dev/ttyACM0 is open, or that tockctl has ended (failed)
  ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q /dev/ttyACM0 || ! kill -0 "$1" 2>/dev/null
}

start_on_acm() { # PID: wait until that tockctl has opened /dev/ttyACM0 and set it raw
  wait_for 10 acm_open_or_gone "$1" || echo "guest: tockctl $1 did not open /dev/ttyACM0"
  kill -0 "$1" 2>/dev/null || return 0
  sleep 0.5 # it opens the port, then sets it raw: let it finish before the board writes
}

check_acm_devices() {
  tockctl --json devices >$T/acm_devices.json 2>$T/acm_devices.err
  tr -d ' \n' <$T/acm_devices.json >$T/acm_devices.flat
  port='{"path":"/dev/ttyACM0","vid_pid":"6667:0002","serial_number":"TOCKACM0001","manufacturer":"TockOS","product":"TockACMtestgadget","driver":"cdc_acm","known_as":"Tockboard(USB)","accessible":true}'
  if grep -qF "$port" $T/acm_devices.flat; then
    check acm_devices_json PASS "$port"
  else
    check acm_devices_json FAIL "$(cut -c1-700 $T/acm_devices.flat) $(cat $T/acm_devices.err)"
  fi
  devices_result acm_devices_table '^/dev/ttyACM0  *6667:0002  *TOCKACM0001  *Tock ACM test gadget  *Tock board (USB) *$'
}

check_acm_trace() {
  count=$(cat /test/count)
  timeout -s KILL 30 tockctl trace --serial $ACM_ID --format json --count "$count" >$T/acm.json 2>$T/acm.err &
  reader=$!
  start_on_acm $reader
  acm_write /test/trace.bin 1
  wait $reader
  rc=$?
  stop_acm_writer
  if [ $rc = 0 ] && cmp -s $T/acm.json /test/expected.json; then
    check acm_trace_decode PASS "--serial $ACM_ID: $count records, output equal to --replay --count $count of the same fixture"
  else
    check acm_trace_decode FAIL "exit $rc, $(wc -l <$T/acm.json)/$count lines;" \
      "$(diff /test/expected.json $T/acm.json | head -5 | tr '\n' '|') $(tr '\n' '|' <$T/acm.err)"
  fi
}

check_acm_console() { # the board writes the trace fixture and a last line "acm board done"
  last="acm board done"
  timeout -s KILL 30 tockctl console --serial $ACM_ID --no-records --until "$last" --duration 20 \
    </dev/null >$T/console.txt 2>$T/console.err &
  reader=$!
  start_on_acm $reader
  acm_write /test/acm_console.bin 1
  wait $reader
  rc=$?
  stop_acm_writer
  if [ $rc = 0 ] && cmp -s $T/console.txt /test/console.txt; then
    check acm_console PASS "exit 0, $(wc -l </test/console.txt) lines equal to the build host's console over TCP"
  else
    check acm_console FAIL "exit $rc: $(diff /test/console.txt $T/console.txt | head -6 | tr '\n' '|') $(tr '\n' '|' <$T/console.err | cut -c1-400)"
  fi
}

check_acm_unplug() {
  tockctl trace --serial $ACM_ID --no-reconnect >/dev/null 2>$T/acm_unplug.err &
  reader=$!
  start_on_acm $reader
  acm_write /test/stress.bin 0
  sleep 1
  unplug_acm
  stop_acm_writer
  ended_after_unplug acm_unplug $T/acm_unplug.err || return
  if [ $rc = 0 ] && ! grep -q '^error:' $T/acm_unplug.err &&
    grep -q '^trace: link lost: serial port /dev/ttyACM0 disappeared (.*)$' $T/acm_unplug.err; then
    check acm_unplug PASS "exit 0: $(grep 'link lost' $T/acm_unplug.err)"
  else
    check acm_unplug FAIL "exit $rc: $(tr '\n' '|' <$T/acm_unplug.err | cut -c1-600)"
  fi
}

check_acm_reconnect() {
  tockctl trace --serial $ACM_ID >/dev/null 2>$T/acm_reconnect.err &
  reader=$!
  start_on_acm $reader
  unplug_acm
  plug_acm
  wait_for 10 sh -c "grep -q 'is back' $T/acm_reconnect.err || ! kill -0 $reader 2>/dev/null"
  kill $reader
  wait $reader
  link_result acm_reconnect $T/acm_reconnect.err \
    '^trace: link lost: serial port /dev/ttyACM0 disappeared (.*); waiting for it to come back$' \
    '^trace: link up: serial port /dev/ttyACM0 is back$'
}

check_acm() {
  setup_acm_gadget
  plug_acm
  check_acm_devices
  check_acm_trace
  unplug_acm # drops what the board wrote after the records the trace counted
  plug_acm
  check_acm_console
  check_acm_reconnect
  check_acm_unplug
}

setup_system
setup_gadget
echo "guest: kernel $(uname -r), ready at $(cut -d' ' -f1 /proc/uptime) s"
plug /test/trace.bin 1
check_devices
check_trace_decode
unplug
plug /test/stress.bin 0
check_unplug
unplug
plug /test/stress.bin 0
check_reconnect
unplug
plug /test/stress.bin 0
check_busy
unplug
plug /test/trace.bin 1
check_permissions
check_udev_rule
unplug
check_throughput
check_acm
setup_flash_gadget dfuse 0483 df11 DFUSE0001 STMicroelectronics "STM32  BOOTLOADER"
setup_flash_gadget dfu 1209 0001 DFU0001 "pid.codes" "DFU 1.1 test gadget"
setup_flash_gadget pico 2e8a 0003 E0C9125B0D9B "Raspberry Pi" "RP2 Boot"
setup_flash_gadget dfurt 1209 0002 DFURT0001 "pid.codes" "DFU run-time test gadget"
setup_flash_gadget pico2 2e8a 000f 5A3C91E07B2D4F68 "Raspberry Pi" "RP2350 Boot"
check_dfuse
check_dfu
check_dfu_detach dfu_detach_flash will-detach
check_dfu_detach dfu_detach_reset_flash needs-reset
check_picoboot
check_picoboot_rp2350
echo "guest: done at $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
