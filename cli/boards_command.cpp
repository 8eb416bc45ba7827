// `tockctl boards list` and `tockctl boards show NAME`: the board catalog in boards/*.json.
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "common/text_table.h"
#include "config/board_catalog.h"
#include "config/board_summary.h"

namespace tockctl::cli {
namespace {

struct BoardsOptions {
  std::string name;  ///< `show` argument.
};

config::BoardCatalog LoadCatalog(CliContext& ctx) {
  return config::BoardCatalog::Load(ctx.BoardSearch());
}

void PrintOrderedJson(const CliContext& ctx, const nlohmann::ordered_json& doc) {
  ctx.Print(doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void RunList(CliContext& ctx) {
  config::BoardCatalog catalog = LoadCatalog(ctx);
  if (ctx.options.json) return PrintOrderedJson(ctx, config::BoardListJson(catalog));
  std::string table = RenderTextTable(config::BoardListRows(catalog));
  table.pop_back();  // Print adds the final newline
  ctx.Print(table);
}

void RunShow(CliContext& ctx, const BoardsOptions& opts) {
  config::BoardCatalog catalog = LoadCatalog(ctx);
  const config::CatalogEntry& entry = catalog.FindEntry(opts.name);
  for (const auto& w : entry.warnings) ctx.Warn(config::FormatBoardWarning(entry.file, w));
  if (ctx.options.json) return PrintOrderedJson(ctx, nlohmann::ordered_json(entry.board));
  std::string text = config::DescribeBoard(entry.board);
  text.pop_back();
  ctx.Print(text);
}

void RegisterBoardsCommand(CLI::App& app, CliContext& ctx) {
  auto* boards = app.add_subcommand("boards", "List the board catalog and show one board's facts");
  boards->require_subcommand(1);
  boards
      ->add_subcommand("list", "List every catalog board (with --json: an array of board objects)")
      ->callback([&ctx] { RunList(ctx); });
  auto opts = std::make_shared<BoardsOptions>();
  auto* show = boards->add_subcommand(
      "show", "Show a board's memory map, protection, flash methods, console, trace and network");
  show->add_option("NAME", opts->name,
                   "Board name, e.g. qemu_rv32_virt (see 'tockctl boards list')")
      ->required();
  show->callback([&ctx, opts] { RunShow(ctx, *opts); });
}

}  // namespace

const CommandRegistration kBoardsRegistration{10, "boards", &RegisterBoardsCommand};

}  // namespace tockctl::cli
