// The bash generator: lookup tables as `case` functions, and one walker over COMP_WORDS.
#include <cctype>
#include <string>

#include "common/completion_script.h"

namespace tockctl {
namespace {

// How a value completes, as the walker reads it: "choice A B", "file", "dir", "board", "text".
std::string KindWord(const ArgumentSpec& arg) {
  switch (arg.kind) {
    case ValueKind::kChoice: {
      std::string out = "choice";
      for (const auto& c : arg.choices) out += " " + c;
      return out;
    }
    case ValueKind::kFile:
      return "file";
    case ValueKind::kDirectory:
      return "dir";
    case ValueKind::kBoard:
      return "board";
    case ValueKind::kText:
      return "text";
    case ValueKind::kNone:
      break;
  }
  return "";
}

std::string CaseArm(const std::string& pattern, const std::string& value) {
  return "    " + pattern + ") echo " + ShellQuote(value) + " ;;\n";
}

std::string CaseFunction(const std::string& name, const std::string& comment,
                         const std::string& subject, const std::string& arms) {
  return "# " + comment + "\n" + name + "() {\n  case \"" + subject + "\" in\n" + arms +
         "  esac\n}\n\n";
}

std::string SubcommandArms(const CommandVisit& v) {
  if (v.command->subcommands.empty()) return "";
  std::string names;
  for (const auto& sub : v.command->subcommands) names += (names.empty() ? "" : " ") + sub.name;
  return CaseArm(ShellQuote(JoinPath(v.path)), names);
}

std::string OptionListArm(const CommandVisit& v) {
  std::string names;
  for (const ArgumentSpec* opt : v.options)
    for (const auto& n : DashedNames(*opt)) names += (names.empty() ? "" : " ") + n;
  return CaseArm(ShellQuote(JoinPath(v.path)), names);
}

std::string OptionValueArms(const CommandVisit& v) {
  std::string arms;
  for (const ArgumentSpec* opt : v.options) {
    if (!opt->TakesValue()) continue;
    for (const auto& n : DashedNames(*opt))
      arms += CaseArm(ShellQuote(JoinPath(v.path) + " " + n), KindWord(*opt));
  }
  return arms;
}

std::string PositionalArms(const CommandVisit& v) {
  std::string arms;
  const auto& positionals = v.command->positionals;
  for (size_t i = 0; i < positionals.size(); ++i) {
    std::string key = JoinPath(v.path) + " #";
    bool rest = i + 1 == positionals.size() && positionals[i].repeatable;
    std::string pattern = ShellQuote(key + std::to_string(i));
    if (rest) pattern += " | " + ShellQuote(key) + "*";
    arms += CaseArm(pattern, KindWord(positionals[i]));
  }
  return arms;
}

const char* const kBashWalker =
    R"BASH(# Completes a value described by $1 ("choice WORDS", "file", "dir", "board", "text") for prefix $2.
_tockctl_complete_value() {
  local kind=${1%% *} words=${1#* }
  case $kind in
    choice) mapfile -t COMPREPLY < <(compgen -W "$words" -- "$2") ;;
    file)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    dir)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
    board) mapfile -t COMPREPLY < <(compgen -W "$(_tockctl_boards)" -- "$2") ;;
    *) COMPREPLY=() ;;
  esac
}

# Board names from the catalog of the tockctl being completed (and its --data-dir, if given).
_tockctl_boards() {
  "${_tockctl_program:-tockctl}" "${_tockctl_data_dir[@]}" completion --list-boards 2>/dev/null
}

_tockctl() {
  local -a words=() _tockctl_data_dir=()
  local _tockctl_program=${COMP_WORDS[0]/#\~/$HOME}
  local j w join=0
  # Re-join "--opt" "=" "value", which COMP_WORDBREAKS splits apart.
  for ((j = 0; j <= COMP_CWORD; j++)); do
    w=${COMP_WORDS[j]}
    if ((join)); then words[${#words[@]} - 1]+=$w; join=0; continue; fi
    if [[ $w == "=" && ${#words[@]} -gt 1 && ${words[${#words[@]} - 1]} == --* ]]; then
      words[${#words[@]} - 1]+="="; join=1; continue
    fi
    words+=("$w")
  done
  local cword=$((${#words[@]} - 1))
  local cur=${words[cword]} path=tockctl npos=0 skip=0 opt='' i
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    if ((skip)); then
      skip=0
      [[ $opt == --data-dir ]] && _tockctl_data_dir=(--data-dir "$w")
      continue
    fi
    case $w in
      --data-dir=*) _tockctl_data_dir=(--data-dir "${w#*=}"); continue ;;
      --*=*) continue ;;
      -?*) opt=$w; [[ -n $(_tockctl_option_value "$path" "$w") ]] && skip=1; continue ;;
    esac
    if [[ " $(_tockctl_subcommands "$path") " == *" $w "* ]]; then
      path+=" $w"; npos=0
    else
      npos=$((npos + 1))
    fi
  done
  COMPREPLY=()
  if ((skip)); then
    _tockctl_complete_value "$(_tockctl_option_value "$path" "$opt")" "$cur"
    return 0
  fi
  case $cur in
    --*=*)
      _tockctl_complete_value "$(_tockctl_option_value "$path" "${cur%%=*}")" "${cur#*=}"
      # Without '=' in COMP_WORDBREAKS the whole "--opt=value" is replaced.
      [[ ${COMP_WORDS[COMP_CWORD]} == "$cur" ]] && COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
      return 0 ;;
    -*)
      mapfile -t COMPREPLY < <(compgen -W "$(_tockctl_options "$path")" -- "$cur")
      return 0 ;;
  esac
  local subs kind
  subs=$(_tockctl_subcommands "$path")
  if [[ -n $subs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
    return 0
  fi
  kind=$(_tockctl_positional_value "$path" "$npos")
  [[ -n $kind ]] && _tockctl_complete_value "$kind" "$cur"
  return 0
}

complete -F _tockctl tockctl
)BASH";

}  // namespace

std::string BashCompletionScript(const CommandSpec& root) {
  std::string subcommands, options, values, positionals;
  VisitCommands(root, [&](const CommandVisit& v) {
    subcommands += SubcommandArms(v);
    options += OptionListArm(v);
    values += OptionValueArms(v);
    positionals += PositionalArms(v);
  });
  return "# bash completion for tockctl, generated by `tockctl completion bash` from its command\n"
         "# line definition. Regenerate it rather than edit it.\n\n" +
         CaseFunction("_tockctl_subcommands", "Subcommands of command path $1.", "$1",
                      subcommands) +
         CaseFunction("_tockctl_options", "Options accepted by command path $1.", "$1", options) +
         CaseFunction("_tockctl_option_value",
                      "How the value of option $2 of command path $1 completes (empty: a flag).",
                      "$1 $2", values) +
         CaseFunction("_tockctl_positional_value",
                      "How positional argument number $2 (from 0) of command path $1 completes.",
                      "$1 #$2", positionals) +
         kBashWalker;
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string FunctionSuffix(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& part : path) {
    if (!out.empty()) out += "__";
    for (char c : part) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  }
  return out;
}

}  // namespace tockctl
