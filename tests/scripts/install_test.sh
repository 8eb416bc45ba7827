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
