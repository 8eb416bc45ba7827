// Findings of checking a board JSON file: every problem found, each with its place in the file.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/json_document.h"

namespace tockctl::config {

/// How bad a finding is: errors make a configuration unusable, warnings do not.
enum class Severity { kError, kWarning };

/// One problem: where (JSON pointer and source position), what is wrong, and what would be valid.
struct Finding {
  Severity severity = Severity::kError;
  std::string pointer;      ///< RFC 6901 pointer of the value (or key) at fault.
  std::string message;      ///< What is wrong, one line.
  std::string valid;        ///< What would be valid (may be empty).
  SourcePosition position;  ///< 1-based line and column in the file (1:1 when unknown).
};

/// Every finding about one file, in file order once Sort() has run.
class ValidationReport {
 public:
  ValidationReport() = default;
  /// A report whose findings take their positions from `doc` (which must outlive the report).
  explicit ValidationReport(const JsonDocument* doc) : doc_(doc) {}

  /// Adds an error about the value at `pointer`.
  void Error(const std::string& pointer, std::string message, std::string valid = {});
  /// Adds a warning about the value at `pointer`.
  void Warning(const std::string& pointer, std::string message, std::string valid = {});
  /// Adds a warning placed at the key naming `pointer` (used for unknown keys).
  void KeyWarning(const std::string& pointer, std::string message, std::string valid = {});

  /// Removes every finding about `pointer` (used when one finding says all there is to say).
  void RemoveAt(const std::string& pointer);

  /// Orders findings by position (stable), so output follows the file.
  void Sort();

  const std::vector<Finding>& findings() const { return findings_; }
  int ErrorCount() const;
  int WarningCount() const;
  bool HasErrors() const { return ErrorCount() > 0; }

 private:
  void Add(Severity severity, const std::string& pointer, std::string message, std::string valid,
           bool at_key);

  const JsonDocument* doc_ = nullptr;
  std::vector<Finding> findings_;
};

/// "FILE:LINE:COL: error: /pointer: message; valid: ..." (no "; valid" part when `valid` is empty).
std::string FormatFinding(const std::string& file, const Finding& finding);

/// One formatted line per finding, each ending in a newline.
std::string FormatFindings(const std::string& file, const ValidationReport& report);

/// "N errors, M warnings" with singular forms ("1 error, no warnings").
std::string CountSummary(const ValidationReport& report);

/// The findings as JSON objects: {file, line, column, severity, pointer, message, valid}.
nlohmann::json FindingsToJson(const std::string& file, const ValidationReport& report);

/// Throws Error(kInvalidInput) for the first error in `report` (pointer, message, valid as hint);
/// does nothing when there is none.
void ThrowFirstError(const ValidationReport& report);

}  // namespace tockctl::config
