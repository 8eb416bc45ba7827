// What `tockctl app inspect` prints about a TAB or TBF: every header field, TLV, footer and
// finding, as text and as JSON (docs/apps.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/tab.h"
#include "apps/tbf.h"

namespace tockctl::apps {

/// The TAB's metadata and every TBF with its TLVs, footers and findings; one item per line.
std::string RenderAppBundle(const AppBundle& bundle);

/// The same as one JSON object (addresses as "0x..." strings, sizes as numbers).
nlohmann::json AppBundleToJson(const AppBundle& bundle);

/// One TBF header as JSON (used by the bundle and by placement plans).
nlohmann::json TbfHeaderToJson(const TbfHeader& header);

/// One line per TLV and footer of `header`, as `app inspect` shows them ("Main: ...").
std::vector<std::string> DescribeTbfTlvs(const TbfHeader& header);

/// "enabled, sticky", "disabled", "padding".
std::string DescribeTbfFlags(const TbfHeader& header);

}  // namespace tockctl::apps
