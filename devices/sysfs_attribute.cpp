#include "devices/sysfs_attribute.h"

#include <fstream>

namespace tockctl::devices {

std::string ReadSysfsAttribute(const std::filesystem::path& dir, const char* name) {
  std::ifstream in(dir / name);
  std::string value;
  if (!in || !std::getline(in, value)) return "";
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' '))
    value.pop_back();
  return value;
}

}  // namespace tockctl::devices
