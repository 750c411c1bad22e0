#pragma once
// The case report PDF's table of notice times (issue 15 items 4-5): for each notice of 5 kap.
// 3 §, when the hub stored it, when the source system says it sent it, when the kommun's system
// accepted it and receipted it, which of these the agreement applied, and any divergence between
// the source and stored times. Reads the report JSON's "notice_times" (CaseReportJson).
#include <nlohmann/json.hpp>

#include "pdf/document.h"

namespace slussen {

void RenderNoticeTimes(pdf::Document& r, const nlohmann::json& notice_times);

}  // namespace slussen
