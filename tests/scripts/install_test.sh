#!/usr/bin/env bash
# Installs the build into a staging prefix and runs the installed tockctl from there: it must find
# its boards through <prefix>/share/tockctl, and the completions, man page, udev rules, Wireshark
# dissectors and docs must be in place. Usage: install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
unset TOCKCTL_DATA_DIR
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$stage" >/dev/null
tockctl=$stage/bin/tockctl
[[ -x $tockctl ]] || fail "no bin/tockctl"

# The installed catalog is the one used: drop a board from it and it is gone from the list.
rm "$stage/share/tockctl/boards/hail.json"
list=$(cd / && "$tockctl" boards list)
grep -q '^qemu_rv32_virt ' <<<"$list" || fail "installed tockctl does not list qemu_rv32_virt"
! grep -q '^hail ' <<<"$list" || fail "installed tockctl read the source tree, not share/tockctl"
expected=$(( $(ls "$src"/boards/*.json | wc -l) - 1 ))
[[ $(( $(wc -l <<<"$list") - 1 )) -eq $expected ]] || fail "expected $expected boards in: $list"

for f in share/bash-completion/completions/tockctl share/zsh/vendor-completions/_tockctl \
         share/fish/vendor_completions.d/tockctl.fish share/man/man1/tockctl.1 \
         share/doc/tockctl/README.md share/doc/tockctl/install.md; do
  [[ -s $stage/$f ]] || fail "missing $f"
done
cmp <("$tockctl" completion bash) "$stage/share/bash-completion/completions/tockctl" ||
  fail "installed bash completion differs from 'tockctl completion bash'"
for rules in "$src"/udev/*.rules; do
  [[ -e $rules ]] || continue
  cmp "$rules" "$stage/lib/udev/rules.d/$(basename "$rules")" || fail "udev rules $rules"
done
for lua in "$src"/wireshark/*.lua "$src"/tracer/dissector/*.lua; do
  [[ -e $lua ]] || continue
  cmp "$lua" "$stage/share/tockctl/wireshark/$(basename "$lua")" || fail "dissector $lua"
done
[[ ! -d $src/templates ]] || diff -r "$src/templates" "$stage/share/tockctl/templates" ||
  fail "templates differ"

# The Rust crates the generated module names are installed, and --integrate links the installed
# copy into a Tock tree: the board's Cargo.toml reaches them through TOCK/tockctl, and cargo
# resolves and builds them offline from there.
for crate in tock-config tock-trace tock-trace-tock-core tock-trace-tock; do
  diff -r -x target -x Cargo.lock "$src/kernel/$crate" "$stage/share/tockctl/kernel/$crate" ||
    fail "installed crate $crate differs"
done
tree=$stage/tree
cp -r "$src/tests/fixtures/tock-tree" "$tree"
cp "$src/tests/fixtures/integrate/main.rs" "$src/tests/fixtures/integrate/lib.rs" \
  "$tree/boards/qemu_rv32_virt/src/"
cp "$src/tests/fixtures/integrate/Cargo.toml" "$tree/boards/qemu_rv32_virt/"
cp "$src/docs/examples/build/qemu_rv32_virt-trace.json" "$stage/trace.json"
(cd / && "$tockctl" build --generate-only --integrate --config "$stage/trace.json" \
  --tock-dir "$tree" >"$stage/integrate.out" 2>&1) || fail "integrate: $(cat "$stage/integrate.out")"
[[ $(readlink "$tree/tockctl") == "$stage/share/tockctl/kernel" ]] ||
  fail "TOCK/tockctl links $(readlink "$tree/tockctl"), not the installed crates"
grep -q '^+tock-trace-tock = { path = "../../tockctl/tock-trace-tock" }$' "$stage/integrate.out" ||
  fail "no tock-trace-tock dependency in: $(cat "$stage/integrate.out")"
grep -q '^use tock_config::\*;$' "$tree/boards/qemu_rv32_virt/src/tockctl_config.rs" ||
  fail "the generated module does not use tock_config"
meta=$(cd "$tree" && CARGO_TARGET_DIR=$stage/cargo-target cargo metadata --offline \
  --format-version 1 --manifest-path boards/qemu_rv32_virt/Cargo.toml) || fail "cargo metadata"
grep -q "\"manifest_path\":\"$tree/tockctl/tock-trace-tock/Cargo.toml\"" <<<"$meta" ||
  fail "cargo does not resolve tock-trace-tock through TOCK/tockctl"
(cd "$tree" && CARGO_TARGET_DIR=$stage/cargo-target cargo build --offline --quiet \
  -p tock-config -p tock-trace-tock-core) || fail "the installed crates do not build"

# Wireshark's extcap folder holds tockctl-extcap, a link that runs bin/tockctl as `tockctl extcap`.
for link in "$stage"/lib/*/wireshark/extcap/tockctl-extcap "$stage"/lib/wireshark/extcap/tockctl-extcap; do
  [[ -L $link ]] && break
done
[[ -L $link && $(readlink -f "$link") == $(readlink -f "$tockctl") ]] || fail "extcap link: $link"
"$link" --extcap-interfaces | grep -q '^interface {value=tockctl-qemu}' ||
  fail "tockctl-extcap does not list tockctl-qemu"

# The installed bash completion completes board names through the installed binary.
got=$(PATH="$stage/bin:$PATH" bash --norc -c '
  source "$1/share/bash-completion/completions/tockctl"
  COMP_WORDS=(tockctl boards show qemu_rv3); COMP_CWORD=3; _tockctl
  printf "%s\n" "${COMPREPLY[@]}"' _ "$stage")
[[ $got == qemu_rv32_virt ]] || fail "installed completion gave: $got"

page=$(MANPAGER=cat MANWIDTH=100 man -l "$stage/share/man/man1/tockctl.1" 2>&1)
grep -q 'tockctl - build, flash and trace Tock kernels' <<<"$page" || fail "man page: $page"
echo "install test passed: $stage"
