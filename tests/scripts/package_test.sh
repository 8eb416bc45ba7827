#!/usr/bin/env bash
# Builds the Debian package with CPack and checks its contents and control fields.
# Usage: package_test.sh SOURCE_DIR BUILD_DIR. Exits 77 (skipped) when dpkg-deb is absent.
set -euo pipefail
src=$1 build=$2
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb not installed (apt-get install dpkg)"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB -B "$out" --config "$build/CPackConfig.cmake" >"$out/cpack.log" 2>&1 ||
  { cat "$out/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$out"/tockctl_*.deb)
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')

[[ $(dpkg-deb -f "$deb" Package) == tockctl ]] || fail "package name"
depends=$(dpkg-deb -f "$deb" Depends)
grep -q 'libc6' <<<"$depends" || fail "Depends lacks libc6: $depends"
# Every shared library the binary needs is a dependency (libspdlog, libusb, ...).
declare -A package_of=([libspdlog.so]=libspdlog [libfmt.so]=fmt [libusb-1.0.so]=libusb-1.0-0
                       [libcrypto.so]=libssl3)
for lib in $(readelf -d "$build/cli/tockctl" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
  for prefix in "${!package_of[@]}"; do
    if [[ $lib == "$prefix"* ]]; then
      grep -q -- "${package_of[$prefix]}" <<<"$depends" ||
        fail "Depends lacks ${package_of[$prefix]} for $lib: $depends"
    fi
  done
done

for f in ./usr/bin/tockctl ./usr/share/tockctl/boards/qemu_rv32_virt.json \
         ./usr/share/bash-completion/completions/tockctl ./usr/share/zsh/vendor-completions/_tockctl \
         ./usr/share/fish/vendor_completions.d/tockctl.fish ./usr/share/man/man1/tockctl.1 \
         ./usr/share/doc/tockctl/install.md; do
  grep -qxF "$f" <<<"$contents" || fail "$f not in the package"
done
grep -q '^\./usr/lib/.*wireshark/extcap/tockctl-extcap$' <<<"$contents" || fail "no tockctl-extcap link"
for rules in "$src"/udev/*.rules; do
  [[ -e $rules ]] || continue
  grep -qxF "./usr/lib/udev/rules.d/$(basename "$rules")" <<<"$contents" || fail "$rules not packaged"
done
for lua in "$src"/wireshark/*.lua "$src"/tracer/dissector/*.lua; do
  [[ -e $lua ]] || continue
  grep -qxF "./usr/share/tockctl/wireshark/$(basename "$lua")" <<<"$contents" ||
    fail "$lua not packaged"
done
dpkg-deb -I "$deb"
echo "package test passed: $deb"
