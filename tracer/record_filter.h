// Which records reach the outputs: --ipc, --net, --process, --service, --iface.
#pragma once

#include <optional>
#include <string>

#include "tracer/trace_context.h"
#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Filter options; all given conditions must hold. With neither `ipc` nor `net`, every category
/// passes; with one or both, only records of the chosen categories do.
struct FilterOptions {
  bool ipc = false;                    ///< IPC records (types 0x20-0x2A).
  bool net = false;                    ///< Network records (types 0x40-0x45).
  std::optional<std::string> process;  ///< A pid field names this process (PROC_START name).
  std::optional<std::string> service;  ///< The record's service has this name (IPC_REGISTER).
  std::optional<std::string> iface;    ///< The record's interface has this name (HELLO).
  bool no_console = false;             ///< Hide console text (--no-console).
  bool console_only = false;           ///< Console text only, no records (--console-only).
};

/// Decides whether a record passes the filter options, resolving names through a TraceContext.
class RecordFilter {
 public:
  explicit RecordFilter(FilterOptions options) : options_(std::move(options)) {}
  /// True if `record` passes every configured condition.
  bool Matches(const Record& record, const TraceContext& context) const;
  /// True if no condition is configured.
  bool PassesEverything() const;
  /// True if console text is shown (neither --no-console nor a record filter that excludes it).
  bool PassesConsole() const { return !options_.no_console; }

 private:
  bool MatchesCategory(RecordType type) const;
  bool MatchesProcess(const Record& record, const TraceContext& context) const;
  bool MatchesService(const Record& record, const TraceContext& context) const;
  bool MatchesInterface(const Record& record, const TraceContext& context) const;

  FilterOptions options_;
};

/// True for IPC record types (0x20-0x2A).
bool IsIpcRecord(RecordType type);
/// True for network record types (0x40-0x45).
bool IsNetRecord(RecordType type);

}  // namespace tockctl::tracer
