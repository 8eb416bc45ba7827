#include "common/man_page.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace tockctl {
namespace {

const char* const kDescription =
    ".B tockctl\n"
    "is a command-line tool for Tock embedded-OS developers. It knows the hardware facts of the\n"
    "Tock boards (memory map, memory protection unit, flash methods, console, trace link and\n"
    "network interfaces), creates and validates board JSON files with IPC and network\n"
    "configuration, builds kernels, flashes images through GDB remote, QEMU, serial bootloaders\n"
    "and USB, and streams IPC and packet traces from a running kernel to the terminal, JSON lines\n"
    "or pcapng files for Wireshark.\n"
    ".PP\n"
    "Results go to standard output; messages for people (progress, warnings, errors) go to\n"
    "standard error. With\n"
    ".BR \\-\\-json ,\n"
    "standard output carries only JSON. An error is one line naming where it happened, what is\n"
    "wrong and what to do.\n"
    ".PP\n"
    "Global options are accepted before or after the command name. Every command has\n"
    ".BR \\-\\-help .\n";

const char* const kEnvironment =
    ".TP\n.B TOCKCTL_DATA_DIR\n"
    "Directory holding boards/ and templates/ when\n.B \\-\\-data\\-dir\nis not given.\n"
    ".TP\n.B TOCKCTL_LOG\n"
    "Log level (trace, debug, info, warn, err, off) when no\n.B \\-v\nis given.\n"
    ".TP\n.B NO_COLOR\nWhen set and not empty,\n.B \\-\\-color auto\nnever colours.\n";

const char* const kFiles =
    ".TP\n.I PREFIX/share/tockctl/boards/*.json\nThe board catalog, one file per board.\n"
    ".TP\n.I PREFIX/share/tockctl/templates/\nTemplates for new board configuration files.\n"
    ".TP\n.I PREFIX/share/tockctl/wireshark/\nThe Wireshark Lua dissector for IPC records.\n"
    ".TP\n.I /lib/udev/rules.d/60\\-tockctl.rules\n"
    "udev rules giving the logged-in user access to probes, bootloaders and trace interfaces.\n";

const char* const kSeeAlso =
    ".BR tockloader (1),\n.BR openocd (1),\n.BR qemu\\-system\\-riscv32 (1),\n"
    ".BR wireshark (1).\n"
    "The documentation in\n.I PREFIX/share/doc/tockctl\nhas examples for every command.\n";

std::string Bold(const std::string& text) { return "\\fB" + RoffEscape(text) + "\\fR"; }
std::string Italic(const std::string& text) { return "\\fI" + RoffEscape(text) + "\\fR"; }

std::string OptionTerm(const ArgumentSpec& opt) {
  std::string term;
  for (const auto& name : DashedNames(opt)) term += (term.empty() ? "" : ", ") + Bold(name);
  if (opt.TakesValue()) term += " " + Italic(opt.value_name.empty() ? "VALUE" : opt.value_name);
  return term;
}

std::string OptionEntry(const ArgumentSpec& opt) {
  std::string body = RoffEscape(opt.description);
  bool listed = std::all_of(opt.choices.begin(), opt.choices.end(), [&](const std::string& c) {
    return opt.description.find(c) != std::string::npos;
  });
  if (opt.kind == ValueKind::kChoice && !listed) {
    std::string choices;
    for (const auto& c : opt.choices) choices += (choices.empty() ? "" : ", ") + Bold(c);
    body += " (one of " + choices + ")";
  }
  return ".TP\n" + OptionTerm(opt) + "\n" + body + "\n";
}

std::string Synopsis(const CommandVisit& v) {
  std::string line;
  for (const auto& part : v.path) line += (line.empty() ? "" : " ") + Bold(part);
  if (!v.command->options.empty()) line += " [" + Italic("OPTIONS") + "]";
  if (!v.command->subcommands.empty()) line += " " + Italic("COMMAND");
  for (const auto& p : v.command->positionals) {
    std::string arg = Italic(p.value_name) + (p.repeatable ? "..." : "");
    line += " " + (p.required ? arg : "[" + arg + "]");
  }
  return line;
}

std::string CommandSection(const CommandVisit& v) {
  std::string out = ".SS \"" + RoffEscape(JoinPath(v.path)) + "\"\n";
  out += Synopsis(v) + "\n.br\n" + RoffEscape(v.command->description) + "\n";
  for (const auto& p : v.command->positionals) out += OptionEntry(p);
  for (const auto& opt : v.command->options)
    if (opt.long_names != std::vector<std::string>{"help"}) out += OptionEntry(opt);
  return out + ".PP\n";
}

// A command's other name: one line pointing at the command's own section.
std::string AliasSection(const CommandVisit& v) {
  std::vector<std::string> original = v.path;
  original.back() = v.command->alias_of;
  return ".SS \"" + RoffEscape(JoinPath(v.path)) + "\"\nSame as " + Bold(JoinPath(original)) +
         ".\n.PP\n";
}

std::string ExitStatus() {
  static const std::pair<ErrorCategory, const char*> kMeanings[] = {
      {ErrorCategory::kUsage,
       "Usage error: unknown command or option, missing or invalid argument."},
      {ErrorCategory::kInvalidInput,
       "Invalid input: malformed JSON, an impossible configuration, a corrupt image."},
      {ErrorCategory::kIo, "Host I/O error: a file is missing or cannot be written."},
      {ErrorCategory::kTransport, "The link to a device timed out, was refused, or vanished."},
      {ErrorCategory::kDeviceReported,
       "The device reported an error, or verification found different contents."},
      {ErrorCategory::kToolFailed, "An external tool is missing or failed."},
      {ErrorCategory::kInternal, "Internal error: a bug in tockctl; please report it."},
      {ErrorCategory::kInterrupted, "Interrupted (Ctrl-C)."},
  };
  std::string out =
      ".TP\n.B 0\nSuccess.\n.TP\n.B 1\n"
      "The command ran and found a difference (config diff), or the --until text did not appear "
      "within --duration (run, console).\n";
  for (const auto& [category, meaning] : kMeanings)
    out += ".TP\n.B " + std::to_string(ExitCodeFor(category)) + "\n" + RoffEscape(meaning) + "\n";
  return out;
}

std::string Header(const CommandSpec& root, const std::string& version) {
  std::string summary = root.description;
  if (summary.rfind(root.name + ": ", 0) == 0) summary.erase(0, root.name.size() + 2);
  return ".\\\" Generated by `tockctl completion man` from the command line definition.\n"
         ".TH TOCKCTL 1 \"\" \"tockctl " +
         RoffEscape(version) +
         "\" \"User Commands\"\n"
         ".SH NAME\ntockctl \\- " +
         RoffEscape(summary) +
         "\n"
         ".SH SYNOPSIS\n.B tockctl\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n";
}

}  // namespace

std::string ManPage(const CommandSpec& root, const std::string& version) {
  std::string options, commands;
  for (const auto& opt : root.options) options += OptionEntry(opt);
  VisitCommands(root, [&](const CommandVisit& v) {
    if (v.path.size() > 1)
      commands += v.command->alias_of.empty() ? CommandSection(v) : AliasSection(v);
  });
  return Header(root, version) + ".SH DESCRIPTION\n" + kDescription + ".SH GLOBAL OPTIONS\n" +
         options + ".SH COMMANDS\n" + commands + ".SH EXIT STATUS\n" + ExitStatus() +
         ".SH ENVIRONMENT\n" + kEnvironment + ".SH FILES\n" + kFiles + ".SH SEE ALSO\n" + kSeeAlso;
}

std::string RoffEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  for (size_t i = out.find("\n."); i != std::string::npos; i = out.find("\n.", i + 3))
    out.insert(i + 1, "\\&");
  return out;
}

}  // namespace tockctl
