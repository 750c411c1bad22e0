#pragma once
// A case's evidence report as the store holds it now: its events projected under the agreement
// (the same ProjectCase as the core) and every delivery with its attempts, receipts, fallbacks and
// operators' actions. One assembly for `slussen --report` and the admin API.
#include <string>
#include <vector>

#include "cases/case_projection.h"
#include "common/result.h"
#include "report/case_report.h"
#include "store/store_reader.h"

namespace slussen {

struct StoredCaseReport {
  CaseProjection projection;
  std::vector<DeliveryRecord> deliveries;
  // The report as CaseReportJson makes it (what the PDF shows too).
  nlohmann::json Json(const Agreement& agreement, TimePoint now) const;
};

// kNotFound when the store holds no event of the case.
Result<StoredCaseReport> LoadCaseReport(StoreReader& store, const std::string& case_id,
                                        const Agreement& agreement, TimePoint now);

}  // namespace slussen
