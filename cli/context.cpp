#include "cli/context.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "common/data_dir.h"
#include "common/output_stream.h"

namespace tockctl::cli {
namespace {

spdlog::level::level_enum LevelFor(const GlobalOptions& o) {
  if (o.quiet) return spdlog::level::err;
  if (const char* env = std::getenv("TOCKCTL_LOG"); env && *env && o.verbosity == 0)
    return spdlog::level::from_str(env);
  switch (o.verbosity) {
    case 0:
      return spdlog::level::warn;
    case 1:
      return spdlog::level::info;
    case 2:
      return spdlog::level::debug;
    default:
      return spdlog::level::trace;
  }
}

}  // namespace

std::shared_ptr<spdlog::logger> CliContext::Log() {
  if (log_) return log_;
  spdlog::sink_ptr sink;
  if (UseColor(err_)) {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_st>(spdlog::color_mode::always);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
  }
  sink->set_pattern("%^%l%$: %v");
  log_ = std::make_shared<spdlog::logger>("tockctl", sink);
  log_->set_level(LevelFor(options));
  return log_;
}

const std::filesystem::path& CliContext::DataDir() {
  if (!data_dir_)
    data_dir_ =
        ResolveDataDir(options.data_dir, std::getenv("TOCKCTL_DATA_DIR"), CurrentExecutable());
  return *data_dir_;
}

config::BoardSearch CliContext::BoardSearch() {
  return config::BoardSearch::FromEnvironment(DataDir(),
                                              [this](const std::string& line) { Warn(line); });
}

bool CliContext::UseColor(std::FILE* stream) const {
  if (options.color == "always") return true;
  if (options.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return ::isatty(::fileno(stream)) == 1;
}

void CliContext::Write(std::string_view text) const { WriteToStream(out_, text); }

void CliContext::Print(const std::string& line) const { Write(line + "\n"); }

void CliContext::PrintJson(const nlohmann::json& doc) const {
  Print(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void CliContext::Note(const std::string& line) const {
  if (options.quiet) return;
  std::fputs(line.c_str(), err_);
  std::fputc('\n', err_);
}

void CliContext::Warn(const std::string& line) const {
  if (options.quiet) return;
  std::string prefix = UseColor(err_) ? "\033[1;33mwarning\033[0m: " : "warning: ";
  std::fputs((prefix + line + "\n").c_str(), err_);
}

std::string CliContext::Paint(const std::string& text, const char* sgr) const {
  if (!UseColor(out_)) return text;
  return std::string("\033[") + sgr + "m" + text + "\033[0m";
}

}  // namespace tockctl::cli
