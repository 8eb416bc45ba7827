// `tockctl config`: create, show, edit, validate and compare board JSON files.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "common/error.h"
#include "config/config_editor.h"
#include "config/config_summary.h"
#include "config/config_template.h"
#include "config/config_validator.h"

namespace tockctl::cli {
namespace {

using config::OrderedJson;

struct ConfigOptions {
  std::string board;
  std::string out;
  std::string file;
  std::string other;
  std::string pointer;
  std::string value;
  std::vector<std::string> files;
  bool force = false;
  bool reference = false;
};

std::string Dump(const OrderedJson& v, int indent) {
  return v.dump(indent, ' ', false, OrderedJson::error_handler_t::replace);
}

// The catalog board references are resolved in; nullopt when it cannot be read (a reference
// then gets a finding saying so, and files with inline boards are checked as usual).
std::optional<config::BoardCatalog> CatalogForReferences(CliContext& ctx) {
  try {
    return config::BoardCatalog::Load(ctx.BoardSearch());
  } catch (const Error&) {
    return std::nullopt;
  }
}

const config::BoardCatalog* Ptr(const std::optional<config::BoardCatalog>& catalog) {
  return catalog ? &*catalog : nullptr;
}

void RunInit(CliContext& ctx, const ConfigOptions& o) {
  config::InitConfigFile(ctx.BoardSearch(), ctx.DataDir() / "templates", o.board, o.out,
                         {o.force, o.reference});
  if (ctx.options.json) ctx.PrintJson({{"file", o.out}, {"board", o.board}});
  ctx.Note("wrote " + o.out + " for board " + o.board);
}

void RunShow(CliContext& ctx, const ConfigOptions& o) {
  config::JsonDocument doc = config::JsonDocument::Load(o.file);
  if (ctx.options.json) return ctx.Print(Dump(doc.root(), -1));
  auto catalog = CatalogForReferences(ctx);
  config::CheckedBoardConfig checked = config::CheckBoardConfig(doc, Ptr(catalog));
  ctx.Write(config::DescribeBoardConfig(checked));
  if (checked.report.HasErrors())
    ctx.Warn(o.file + " has " + config::CountSummary(checked.report) +
             "; run: tockctl config validate " + o.file);
}

void RunGet(CliContext& ctx, const ConfigOptions& o) {
  config::JsonDocument doc = config::JsonDocument::Load(o.file);
  const OrderedJson& v = config::GetValue(doc, o.pointer);
  if (ctx.options.json) return ctx.Print(Dump(v, -1));
  ctx.Print(v.is_string() ? v.get<std::string>() : Dump(v, 2));
}

// Prints what an edit did; throws when it was refused.
void ReportEdit(CliContext& ctx, const ConfigOptions& o, const config::EditOutcome& r,
                const std::string& what) {
  for (const config::Finding& f : r.introduced)
    std::fputs((config::FormatFinding(o.file, f) + "\n").c_str(), ctx.err());
  if (!r.written) {
    ErrorContext ec;
    ec.file = o.file;
    throw Error(ErrorCategory::kInvalidInput,
                "refused to " + what + ": it would add " + std::to_string(r.introduced.size()) +
                    " error" + (r.introduced.size() == 1 ? "" : "s") + "; the file is unchanged",
                ec, "fix the value, or use --force to write it anyway");
  }
  if (!r.introduced.empty()) ctx.Warn(o.file + " was written with the errors above (--force)");
  if (ctx.options.json)
    ctx.PrintJson({{"file", o.file}, {"pointer", o.pointer}, {"written", true}});
  ctx.Note(o.file + ": " + what + " done");
}

void RunSet(CliContext& ctx, const ConfigOptions& o) {
  OrderedJson value = config::ParseValueArgument(o.value);
  auto catalog = CatalogForReferences(ctx);
  auto r = config::EditConfigFile(
      o.file, o.force, [&](OrderedJson& root) { config::SetValue(root, o.pointer, value); },
      Ptr(catalog));
  ReportEdit(ctx, o, r, "set " + o.pointer);
}

void RunUnset(CliContext& ctx, const ConfigOptions& o) {
  auto catalog = CatalogForReferences(ctx);
  auto r = config::EditConfigFile(
      o.file, o.force, [&](OrderedJson& root) { config::UnsetValue(root, o.pointer); },
      Ptr(catalog));
  ReportEdit(ctx, o, r, "unset " + o.pointer);
}

void RunValidate(CliContext& ctx, const ConfigOptions& o) {
  nlohmann::json files = nlohmann::json::array();
  int invalid = 0, exit_code = 0;
  auto catalog = CatalogForReferences(ctx);
  for (const auto& path : o.files) {
    config::FileCheck check = config::CheckConfigFile(path, Ptr(catalog));
    if (check.ErrorCount() > 0) ++invalid;
    if (exit_code == 0 && !check.loaded) exit_code = check.load_exit_code;
    if (ctx.options.json)
      files.push_back(config::FileCheckToJson(check));
    else
      ctx.Write(config::FormatFileCheck(check));
  }
  if (ctx.options.json) ctx.PrintJson({{"files", files}});
  if (invalid == 0) return;
  std::string message = std::to_string(invalid) + " of " + std::to_string(o.files.size()) +
                        (o.files.size() == 1 ? " file is" : " files are") + " invalid";
  ErrorCategory category = exit_code == ExitCodeFor(ErrorCategory::kIo)
                               ? ErrorCategory::kIo
                               : ErrorCategory::kInvalidInput;
  throw Error(category, message);
}

void RunDiff(CliContext& ctx, const ConfigOptions& o) {
  config::JsonDocument a = config::JsonDocument::Load(o.file);
  config::JsonDocument b = config::JsonDocument::Load(o.other);
  auto changes = config::DiffJson(a.root(), b.root());
  if (ctx.options.json)
    ctx.PrintJson(config::ChangesToJson(changes));
  else
    ctx.Write(config::FormatChanges(changes));
  ctx.exit_code = changes.empty() ? 0 : 1;
}

using Runner = void (*)(CliContext&, const ConfigOptions&);

CLI::App* Sub(CLI::App& parent, CliContext& ctx, std::shared_ptr<ConfigOptions> o,
              const std::string& name, const std::string& help, Runner run) {
  CLI::App* sub = parent.add_subcommand(name, help);
  sub->callback([&ctx, o, run] { run(ctx, *o); });
  return sub;
}

void AddCreateCommands(CLI::App& config, CliContext& ctx, std::shared_ptr<ConfigOptions> o) {
  CLI::App* init =
      Sub(config, ctx, o, "init", "Write a board file with default ipc/network", RunInit);
  init->add_option("BOARD", o->board, "Catalog board name (tockctl boards list)")->required();
  init->add_option("-o,--output", o->out, "File to write")->required();
  init->add_flag("--force", o->force, "Overwrite an existing file");
  init->add_flag("--reference", o->reference,
                 "Write \"board\": \"BOARD\" (a catalog reference that follows catalog fixes) "
                 "instead of a copy of the board");
  CLI::App* show =
      Sub(config, ctx, o, "show", "Summarise a board file (--json: the document)", RunShow);
  show->add_option("FILE", o->file, "Board JSON file")->required();
  CLI::App* get = Sub(config, ctx, o, "get", "Print the value at a JSON pointer", RunGet);
  get->add_option("FILE", o->file, "Board JSON file")->required();
  get->add_option("POINTER", o->pointer, "JSON pointer, e.g. /ipc/backend")->required();
}

void AddEditCommands(CLI::App& config, CliContext& ctx, std::shared_ptr<ConfigOptions> o) {
  CLI::App* set = Sub(config, ctx, o, "set", "Set the value at a JSON pointer", RunSet);
  set->add_option("FILE", o->file, "Board JSON file")->required();
  set->add_option("POINTER", o->pointer, "JSON pointer (\"-\" appends to an array)")->required();
  set->add_option("VALUE", o->value, "JSON value; text that is not JSON is a string")->required();
  set->add_flag("--force", o->force, "Write even if the edit makes the file invalid");
  CLI::App* unset = Sub(config, ctx, o, "unset", "Remove the value at a JSON pointer", RunUnset);
  unset->add_option("FILE", o->file, "Board JSON file")->required();
  unset->add_option("POINTER", o->pointer, "JSON pointer")->required();
  unset->add_flag("--force", o->force, "Write even if the edit makes the file invalid");
}

void AddCheckCommands(CLI::App& config, CliContext& ctx, std::shared_ptr<ConfigOptions> o) {
  CLI::App* validate =
      Sub(config, ctx, o, "validate", "Report every problem in board files", RunValidate);
  validate->add_option("FILE", o->files, "Board JSON files")->required();
  CLI::App* diff = Sub(config, ctx, o, "diff", "Compare two board files by JSON pointer", RunDiff);
  diff->add_option("A", o->file, "First file")->required();
  diff->add_option("B", o->other, "Second file")->required();
}

void RegisterConfigCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<ConfigOptions>();
  CLI::App* config = app.add_subcommand("config", "Create, edit, validate and compare board JSON");
  config->require_subcommand(1);
  AddCreateCommands(*config, ctx, o);
  AddEditCommands(*config, ctx, o);
  AddCheckCommands(*config, ctx, o);
}

}  // namespace

const CommandRegistration kConfigRegistration{20, "config", &RegisterConfigCommand};

}  // namespace tockctl::cli
