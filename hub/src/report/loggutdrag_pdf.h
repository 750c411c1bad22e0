#pragma once
// The patient's access-log extract (loggutdrag.h) as a PDF for the patient: Swedish headings,
// one row per disclosure (när, vilken organisation och enhet, vem, vad), laid out by the pdf
// library like the evidence report. `personnummer` (normalised, 12 digits) is printed in the
// header: the document is the patient's own. An unwritable path is an error Status.
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace slussen {

Status WriteLoggutdragPdf(const nlohmann::json& extract, const std::string& personnummer,
                          const std::string& path);

}  // namespace slussen
