#pragma once
// Patient data in a log: the lines of `log` that hold a personnummer or samordningsnummer (the
// 12-digit form, with or without the hyphen: any that looks like one, and every test number the
// project uses) or a synthetic patient's name. UUIDs are left out of the pattern search (a UUID's
// last group can be twelve digits). For tests that check that nothing identifying reaches a log.
#include <string>
#include <vector>

namespace slussen::testing {

std::vector<std::string> PatientDataInLog(const std::string& log);

}  // namespace slussen::testing
