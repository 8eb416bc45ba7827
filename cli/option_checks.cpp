#include "cli/option_checks.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

namespace tockctl::cli {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

CLI::Validator Bound(const std::string& words, double bound, std::function<bool(double)> fits) {
  auto check = [words, bound, fits](const std::string& text) -> std::string {
    double value = 0;
    if (!CLI::detail::lexical_cast(text, value) || !std::isfinite(value))
      return "must be a number, got " + text;
    if (fits(value)) return {};
    return "must be " + words + " " + Number(bound) + ", got " + text;
  };
  return CLI::Validator(check, words + " " + Number(bound));
}

}  // namespace

CLI::Validator AtLeast(double min) {
  return Bound("at least", min, [min](double v) { return v >= min; });
}

CLI::Validator MoreThan(double bound) {
  return Bound("more than", bound, [bound](double v) { return v > bound; });
}

}  // namespace tockctl::cli
