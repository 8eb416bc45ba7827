#include "config/validation_report.h"

#include <algorithm>

#include "common/error.h"
#include "common/one_line.h"

namespace tockctl::config {

void ValidationReport::Error(const std::string& pointer, std::string message, std::string valid) {
  Add(Severity::kError, pointer, std::move(message), std::move(valid), false);
}

void ValidationReport::Warning(const std::string& pointer, std::string message, std::string valid) {
  Add(Severity::kWarning, pointer, std::move(message), std::move(valid), false);
}

void ValidationReport::KeyWarning(const std::string& pointer, std::string message,
                                  std::string valid) {
  Add(Severity::kWarning, pointer, std::move(message), std::move(valid), true);
}

void ValidationReport::Add(Severity severity, const std::string& pointer, std::string message,
                           std::string valid, bool at_key) {
  Finding f{severity, pointer, std::move(message), std::move(valid), {}};
  if (doc_ != nullptr)
    f.position = at_key ? doc_->KeyPositionOf(pointer) : doc_->PositionOf(pointer);
  findings_.push_back(std::move(f));
}

void ValidationReport::RemoveAt(const std::string& pointer) {
  findings_.erase(std::remove_if(findings_.begin(), findings_.end(),
                                 [&](const Finding& f) { return f.pointer == pointer; }),
                  findings_.end());
}

void ValidationReport::Sort() {
  std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
    if (a.position.line != b.position.line) return a.position.line < b.position.line;
    return a.position.column < b.position.column;
  });
}

int ValidationReport::ErrorCount() const {
  return static_cast<int>(std::count_if(findings_.begin(), findings_.end(), [](const Finding& f) {
    return f.severity == Severity::kError;
  }));
}

int ValidationReport::WarningCount() const {
  return static_cast<int>(findings_.size()) - ErrorCount();
}

namespace {

const char* SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

std::string Counted(int n, const std::string& noun) {
  if (n == 0) return "no " + noun + "s";
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace

std::string FormatFinding(const std::string& file, const Finding& f) {
  std::string out = file + ":" + std::to_string(f.position.line) + ":" +
                    std::to_string(f.position.column) + ": " + SeverityName(f.severity) + ": " +
                    (f.pointer.empty() ? "/" : f.pointer) + ": " + f.message;
  if (!f.valid.empty()) out += "; valid: " + f.valid;
  return OneLine(out);
}

std::string FormatFindings(const std::string& file, const ValidationReport& report) {
  std::string out;
  for (const Finding& f : report.findings()) out += FormatFinding(file, f) + "\n";
  return out;
}

std::string CountSummary(const ValidationReport& report) {
  return Counted(report.ErrorCount(), "error") + ", " + Counted(report.WarningCount(), "warning");
}

nlohmann::json FindingsToJson(const std::string& file, const ValidationReport& report) {
  nlohmann::json out = nlohmann::json::array();
  for (const Finding& f : report.findings()) {
    out.push_back({{"file", file},
                   {"line", f.position.line},
                   {"column", f.position.column},
                   {"severity", SeverityName(f.severity)},
                   {"pointer", f.pointer.empty() ? "/" : f.pointer},
                   {"message", f.message},
                   {"valid", f.valid}});
  }
  return out;
}

void ThrowFirstError(const ValidationReport& report) {
  for (const Finding& f : report.findings()) {
    if (f.severity != Severity::kError) continue;
    ErrorContext ctx;
    ctx.json_pointer = f.pointer;
    throw tockctl::Error(ErrorCategory::kInvalidInput, f.message, ctx,
                         f.valid.empty() ? "" : "valid: " + f.valid);
  }
}

}  // namespace tockctl::config
