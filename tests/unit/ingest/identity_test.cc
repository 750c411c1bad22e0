#include "ingest/identity.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/test_envelopes.h"

namespace slussen {
namespace {

// Appends the Luhn check digit to 11 digits YYYYMMDDNNN (century excluded from the sum), so the
// tests can build valid numbers for any date instead of hard-coding real-looking ones.
std::string WithCheckDigit(const std::string& eleven) {
  int sum = 0;
  const std::string nine = eleven.substr(2);
  for (std::size_t i = 0; i < nine.size(); ++i) {
    int d = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return eleven + std::to_string((10 - sum % 10) % 10);
}

// The last digit changed to something else, so the check digit is wrong.
std::string WrongCheckDigit(std::string id) {
  id.back() = id.back() == '9' ? '0' : static_cast<char>(id.back() + 1);
  return id;
}

struct Case {
  std::string input;
  std::string want;  // "" = valid, else a substring of the problem
};

void RunTable(const char* what, std::string (*check)(std::string_view),
              const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(what) + " \"" + c.input + "\"");
    const std::string got = check(c.input);
    if (c.want.empty()) {
      EXPECT_EQ(got, "");
    } else {
      EXPECT_NE(got.find(c.want), std::string::npos) << "got: " << got;
      // Problems go to logs: they must never echo an identity number.
      if (c.input.size() >= 6) {
        EXPECT_EQ(got.find(c.input), std::string::npos) << got;
      }
    }
  }
}

TEST(CheckPersonnummer, AcceptsSkatteverketTestNumbers) {
  for (const auto& pnr : testing::TestPersonnummer()) {
    SCOPED_TRACE(pnr);
    EXPECT_EQ(CheckPersonnummer(pnr), "");
  }
}

TEST(CheckPersonnummer, RejectsWrongCheckDigit) {
  for (const auto& pnr : testing::TestPersonnummer()) {
    SCOPED_TRACE(pnr);
    EXPECT_EQ(CheckPersonnummer(WrongCheckDigit(pnr)), "check digit wrong");
  }
}

TEST(CheckPersonnummer, Table) {
  RunTable("personnummer", CheckPersonnummer,
           {
               {WithCheckDigit("20000229123"), ""},  // 2000 is a leap year (div. by 400)
               {WithCheckDigit("20240229123"), ""},
               {WithCheckDigit("20230230123"), "date does not exist"},
               {WithCheckDigit("20230229123"), "date does not exist"},
               {WithCheckDigit("19000229123"), "date does not exist"},  // 1900 is not
               {WithCheckDigit("20231301123"), "date does not exist"},
               {WithCheckDigit("20230001123"), "date does not exist"},
               {WithCheckDigit("20230100123"), "date does not exist"},
               {WithCheckDigit("20230431123"), "date does not exist"},
               {WithCheckDigit("19900172238"), "looks like a samordningsnummer"},
               {"20250824238", "must be 12 digits"},
               {"2025082423810", "must be 12 digits"},
               {"250824-2381", "must be 12 digits"},
               {"20250824-2381", "must be 12 digits"},
               {"2025082423a1", "must be 12 digits"},
               {"", "must be 12 digits"},
               {" 202508242381", "must be 12 digits"},
           });
}

TEST(CheckSamordningsnummer, Table) {
  RunTable("samordningsnummer", CheckSamordningsnummer,
           {
               {WithCheckDigit("19900172238"), ""},  // 12 January + 60
               {WithCheckDigit("19900161001"), ""},  // day 1 + 60
               {WithCheckDigit("19900191001"), ""},  // day 31 + 60
               {WithCheckDigit("20000289123"), ""},  // 29 Feb 2000 + 60
               {WrongCheckDigit(WithCheckDigit("19900172238")), "check digit wrong"},
               {WithCheckDigit("20230290123"), "date does not exist"},  // 30 Feb + 60
               {WithCheckDigit("19000289123"), "date does not exist"},  // 29 Feb 1900 + 60
               {WithCheckDigit("19900492001"), "date does not exist"},  // 32 April
               {WithCheckDigit("19900160001"), "day must be 61..91"},
               {"202508242381", "day must be 61..91"},  // a plain personnummer
               {"1990017223", "must be 12 digits"},
               {"19900172238X", "must be 12 digits"},
           });
}

TEST(CheckSamordningsnummer, PlainPersonnummerAreNotSamordningsnummer) {
  for (const auto& pnr : testing::TestPersonnummer()) {
    SCOPED_TRACE(pnr);
    EXPECT_NE(CheckSamordningsnummer(pnr), "");
  }
}

TEST(CheckReservnummer, Table) {
  RunTable("reservnummer", CheckReservnummer,
           {
               {"991990123456", ""},
               {"19900101K123", ""},
               {"a", ""},
               {"ABCDEFGHIJ0123456789", ""},  // 20
               {"", "1-20 letters or digits"},
               {"ABCDEFGHIJ01234567890", "1-20 letters or digits"},  // 21
               {"1990-0101", "1-20 letters or digits"},
               {"1990 0101", "1-20 letters or digits"},
               {"19900101\xc3\x85""12", "1-20 letters or digits"},  // Å
           });
}

TEST(CheckHsaId, Table) {
  RunTable("hsa-id", CheckHsaId,
           {
               {"SE2321000016-abc1", ""},
               {"SE2321000016-X", ""},
               {"SE2321000131-1", ""},
               {"SE2321000016-" + std::string(18, 'a'), ""},  // exactly 31
               {"SE2321000016-" + std::string(19, 'a'), "longer than 31"},
               {"se2321000016-abc1", "not an HSA-id"},
               {"SE232100001-x", "not an HSA-id"},    // 9 digits
               {"SE23210000166-x", "not an HSA-id"},  // 11 digits
               {"SE2321000016-", "not an HSA-id"},    // no suffix
               {"SE2321000016", "not an HSA-id"},
               {"SE2321000016_abc", "not an HSA-id"},
               {"SE2321000016-ab\xc3\xa5", "not an HSA-id"},  // å
               {"SE2321000016-a@b", "not an HSA-id"},
               {"SE2321000016-a-b", "not an HSA-id"},
               {"SEX321000016-abc", "not an HSA-id"},
               {"", "missing"},
           });
}

TEST(IsUuid, Table) {
  struct UuidCase {
    std::string input;
    bool want;
  };
  const std::vector<UuidCase> cases = {
      {"123e4567-e89b-12d3-a456-426614174000", true},
      {"123E4567-E89B-12D3-A456-426614174000", true},
      {"00000000-0000-0000-0000-000000000000", true},
      {"123e4567e89b12d3a456426614174000", false},
      {"{123e4567-e89b-12d3-a456-426614174000}", false},
      {"123e4567-e89b-12d3-a456-42661417400", false},
      {"123e4567-e89b-12d3-a456-4266141740000", false},
      {"123e4567-e89b-12d3-a456_426614174000", false},
      {"123e4567-e89b-12d3-a4560426614174000-", false},
      {"g23e4567-e89b-12d3-a456-426614174000", false},
      {"", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(IsUuid(c.input), c.want);
  }
}

TEST(CheckKommunkod, Table) {
  RunTable("kommunkod", CheckKommunkod,
           {
               {"1380", ""},
               {"0180", ""},
               {"1315", ""},
               {"9999", "no Swedish municipality has kommunkod 9999"},
               {"1300", "no Swedish municipality has kommunkod 1300"},
               {"138", "must be 4 digits"},
               {"13800", "must be 4 digits"},
               {"13a0", "must be 4 digits"},
               {"", "missing"},
           });
}

}  // namespace
}  // namespace slussen
