// tockctl image info FILE | tockctl image convert IN OUT: inspect and convert flash images.
#include <CLI/CLI.hpp>

#include "cli/command_registry.h"
#include "config/board_resolution.h"
#include "flasher/flash_job.h"
#include "flasher/image_tools.h"
#include "flasher/uf2_image.h"

namespace tockctl::cli {
namespace {

struct ImageOptions {
  std::string input;
  std::string output;
  std::optional<std::string> input_format;
  std::optional<std::string> output_format;
  std::optional<std::string> address;
  std::optional<std::string> family;
  std::optional<std::string> board;
};

flasher::ImageLoadOptions LoadOptions(const ImageOptions& o) {
  flasher::ImageLoadOptions load;
  if (o.input_format) load.format = flasher::ParseImageFormat(*o.input_format);
  if (o.address) load.address = flasher::ParseAddressArgument(*o.address, "--address");
  if (o.family) load.uf2_family = flasher::ParseUf2Family(*o.family);
  return load;
}

void RunInfo(const ImageOptions& o, CliContext& ctx) {
  flasher::Image image = flasher::LoadImage(o.input, LoadOptions(o));
  if (ctx.options.json) return ctx.PrintJson(flasher::ImageToJson(image));
  std::string text = flasher::RenderImageInfo(image);
  ctx.Print(text.substr(0, text.size() - 1));
}

void RunConvert(const ImageOptions& o, CliContext& ctx) {
  flasher::ConvertOptions options;
  options.input = LoadOptions(o);
  if (o.output_format) options.output_format = flasher::ParseImageFormat(*o.output_format);
  options.uf2_family = options.input.uf2_family;
  if (!options.uf2_family && o.board)
    options.uf2_family =
        flasher::Uf2FamilyForBoard(config::ResolveBoard({o.board, {}}, ctx.BoardSearch()).board);
  flasher::ConvertResult r = flasher::ConvertImageFile(o.input, o.output, options);
  if (ctx.options.json) {
    auto j = flasher::ImageToJson(r.image);
    j["output"] = o.output;
    j["output_format"] = flasher::ImageFormatName(r.output_format);
    j["output_bytes"] = r.output_bytes;
    return ctx.PrintJson(j);
  }
  ctx.Note(flasher::RenderConvertResult(o.output, r));
}

void AddInputOptions(CLI::App* cmd, ImageOptions& o) {
  cmd->add_option("--input-format", o.input_format, "Input format (default: detected)");
  cmd->add_option("--address", o.address, "Load address of a raw binary input");
  cmd->add_option("--family", o.family,
                  "UF2 family: rp2040, rp2350-arm-s, rp2350-riscv, rp2350-arm-ns or 0x...");
}

void RegisterImageCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<ImageOptions>();
  CLI::App* image =
      app.add_subcommand("image", "Inspect and convert images (ELF, bin, Intel HEX, UF2)");
  image->require_subcommand(1);
  CLI::App* info =
      image->add_subcommand("info", "Show an image's segments, entry point and format");
  info->add_option("FILE", o->input, "Image file")->required();
  AddInputOptions(info, *o);
  info->callback([o, &ctx] { RunInfo(*o, ctx); });
  CLI::App* convert = image->add_subcommand("convert", "Convert an image to bin, ihex or uf2");
  convert->add_option("IN", o->input, "Input image")->required();
  convert->add_option("OUT", o->output, "Output file")->required();
  convert->add_option("--format", o->output_format,
                      "Output format (default: from OUT's extension): bin, ihex, uf2");
  AddInputOptions(convert, *o);
  convert->add_option("--board", o->board,
                      "Take the UF2 family from this board's uf2/picoboot method");
  convert->callback([o, &ctx] { RunConvert(*o, ctx); });
}

const CommandRegistration kImageRegistration{41, "image", &RegisterImageCommand};

}  // namespace
}  // namespace tockctl::cli
