#!/usr/bin/env zsh
# Prints, one per line, the candidates zsh's completion system offers for a command line.
# Usage: zsh zsh_complete.zsh COMPLETION_SCRIPT|FPATH_DIR 'tockctl bo' [DUMP_FILE]
# Runs an interactive zsh in a pseudo-terminal (zsh/zpty), loads compinit and the script, wraps
# compadd to record every match in a file, types the line and a TAB, and prints the file. With
# DUMP_FILE (sourced scripts only), compinit keeps its dump there, as a user's ~/.zcompdump: the
# first run writes it, later ones load it instead of reading every completion function again.
emulate -L zsh
zmodload zsh/zpty || exit 2
local script=$1 line=$2 dump=$3
local out=$(mktemp) rc=0
zpty -b complete_shell zsh -f -i || exit 2
{
  if [[ -d $script ]]; then  # a directory holding _tockctl: autoload it from $fpath
    zpty -w complete_shell "PS1=''; fpath=(${(q)script} \$fpath); autoload -Uz compinit; compinit -u -D"
  else
    local dump_option=-D
    [[ -n $dump ]] && dump_option="-d ${(q)dump}"
    zpty -w complete_shell "PS1=''; autoload -Uz compinit; compinit -u $dump_option; source ${(q)script}"
  fi
  zpty -w complete_shell "compadd() { local -a __m; builtin compadd -O __m \"\$@\"; print -rl -- \$__m >> ${(q)out}; builtin compadd \"\$@\" }"
  zpty -w complete_shell "print RE''ADY"
  zpty -r complete_shell ignored '*READY*' || rc=3
  zpty -w -n complete_shell "$line"$'\t'
  zpty -w complete_shell $'\C-u'"print DO''NE"
  zpty -r complete_shell ignored '*DONE*' || rc=3
} always {
  zpty -d complete_shell
}
sort -u $out | grep -v "^$"
rm -f $out
exit $rc
