#include "ingest/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "testing/test_envelopes.h"
#include "wire/event_kind.h"

namespace slussen::testing {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const system_clock::time_point kNow{seconds(1'760'000'000)};  // 2025-10-09, fixed
constexpr char kEventId[] = "0b6f5c1e-3d2a-4f7e-9a1b-2c3d4e5f6a7b";
constexpr char kOtherId[] = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
constexpr char kStockholmReservOid[] = "1.2.752.97.3.1.3";

Config TestConfig() {
  Config c;
  c.hub_name = "test";
  c.clock_skew = seconds(300);
  const std::vector<std::pair<std::string, std::string>> halland = {
      {"1315", "Hylte"},      {"1380", "Halmstad"}, {"1381", "Laholm"},
      {"1382", "Falkenberg"}, {"1383", "Varberg"},  {"1384", "Kungsbacka"}};
  for (const auto& [kod, name] : halland) c.kommuner.push_back({kod, name, "kommun-" + kod});
  c.vardcentraler.push_back(
      {kTestVardcentral, "Vårdcentralen Test", std::string("vc-") + kTestVardcentral});
  c.destinations.push_back({"ehr-halland", "Region Hallands journal"});
  c.senders.push_back({kTestHospital,
                       "Sjukhuset",
                       {EventKind::kInskrivningsmeddelande, EventKind::kEstimatedDischargeChanged,
                        EventKind::kPlaneringsunderlag, EventKind::kUtskrivningsklar,
                        EventKind::kUtskrivningsklarWithdrawn, EventKind::kKallelseSip,
                        EventKind::kUtskrivningsmeddelande, EventKind::kCancellation,
                        EventKind::kClockStopper, EventKind::kUtskrivning,
                        EventKind::kSipBedomning}});
  c.senders.push_back({kTestKommunSender,
                       "Kommunens omsorg",
                       {EventKind::kPlaneringsunderlagSvar, EventKind::kReceipt}});
  c.reservnummer_issuers.push_back({kStockholmReservOid, "Region Stockholm"});
  return c;
}

// A fully valid envelope of the given kind; the mutations below each break one rule.
v1::Envelope Valid(EventKind kind) {
  EnvelopeSpec spec;
  spec.event_id = kEventId;
  spec.episode = "VT-2025:000123_a.b";
  spec.referenced_event_id = kOtherId;
  spec.now = kNow;
  return ValidEnvelope(kind, spec);
}

// Personal data that must never show up in a problem text.
void ExpectNoPersonalData(const std::vector<std::string>& problems) {
  for (const auto& p : problems) {
    EXPECT_THAT(p, ::testing::Not(HasSubstr(kValidPersonnummer)));
    EXPECT_THAT(p, ::testing::Not(HasSubstr("20250824")));
    EXPECT_THAT(p, ::testing::Not(HasSubstr(kTestFamilyName)));
    EXPECT_THAT(p, ::testing::Not(HasSubstr(kTestStreet)));
  }
}

// --- Every kind has a valid baseline ---------------------------------------------------------

class ValidEnvelopeTest : public ::testing::TestWithParam<EventKind> {};

TEST_P(ValidEnvelopeTest, HasNoProblems) {
  const v1::Envelope env = Valid(GetParam());
  ASSERT_EQ(KindOf(env), GetParam());
  EXPECT_THAT(ValidateEnvelope(env, TestConfig(), kNow), ::testing::IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ValidEnvelopeTest, ::testing::ValuesIn(AllEventKinds()),
                         [](const auto& p) { return std::string(EventKindName(p.param)); });

// --- One mutation per rule --------------------------------------------------------------------

struct Mutation {
  std::string name;
  EventKind kind;
  std::function<void(v1::Envelope&)> mutate;
  std::string want;  // the only problem expected, as a substring; "" = still valid
};

void PrintTo(const Mutation& m, std::ostream* os) { *os << m.name; }

using Env = v1::Envelope;
constexpr auto kInsk = EventKind::kInskrivningsmeddelande;

const std::vector<Mutation>& Mutations() {
  static const std::vector<Mutation> m = {
      // Common fields.
      {"EventIdNotUuid", kInsk, [](Env& e) { e.set_event_id("not-a-uuid"); },
       "event_id: must be a UUID"},
      {"EventIdEmpty", kInsk, [](Env& e) { e.clear_event_id(); }, "event_id: must be a UUID"},
      {"EventIdUpperCase", kInsk,
       [](Env& e) { e.set_event_id("0B6F5C1E-3D2A-4F7E-9A1B-2C3D4E5F6A7B"); }, ""},
      {"CaseIdMissing", kInsk, [](Env& e) { e.clear_case_id(); }, "case_id: missing"},
      {"CareUnitNotHsa", kInsk,
       [](Env& e) { e.mutable_case_id()->set_care_unit_hsa_id("se2321000131-sjh"); },
       "case_id.care_unit_hsa_id: not an HSA-id"},
      {"EpisodeEmpty", kInsk, [](Env& e) { e.mutable_case_id()->clear_episode_id(); },
       "case_id.episode_id: must be 1-64 characters"},
      {"EpisodeTooLong", kInsk,
       [](Env& e) { e.mutable_case_id()->set_episode_id(std::string(65, 'a')); },
       "case_id.episode_id: must be 1-64 characters"},
      {"EpisodeMaxLength", kInsk,
       [](Env& e) { e.mutable_case_id()->set_episode_id(std::string(64, 'a')); }, ""},
      {"EpisodeSpace", kInsk, [](Env& e) { e.mutable_case_id()->set_episode_id("VT 1"); },
       "case_id.episode_id: must be 1-64 characters"},
      {"SenderUnknown", kInsk, [](Env& e) { e.set_sender_hsa_id("SE2321000016-X"); },
       "sender_hsa_id: SE2321000016-X is not a configured sender"},
      {"SenderNotHsa", kInsk, [](Env& e) { e.set_sender_hsa_id("SE2321000016"); },
       "sender_hsa_id: not an HSA-id"},
      {"SenderMissing", kInsk, [](Env& e) { e.clear_sender_hsa_id(); },
       "sender_hsa_id: missing"},
      {"SenderNotAllowed", EventKind::kUtskrivningsklar,
       [](Env& e) { e.set_sender_hsa_id(kTestKommunSender); },
       std::string("sender_hsa_id: ") + kTestKommunSender + " is not allowed to send Utskrivningsklar"},
      {"SenderNotAllowedSvar", EventKind::kPlaneringsunderlagSvar,
       [](Env& e) { e.set_sender_hsa_id(kTestHospital); },
       "is not allowed to send PlaneringsunderlagSvar"},
      {"OccurredAtMissing", kInsk, [](Env& e) { e.clear_occurred_at(); },
       "occurred_at: missing"},
      {"OccurredAtZero", kInsk, [](Env& e) { e.mutable_occurred_at()->set_seconds(0); },
       "occurred_at: missing"},
      {"OccurredAtFuture", kInsk,
       [](Env& e) { *e.mutable_occurred_at() = Ts(kNow + seconds(1200)); },
       "occurred_at: 1200 s in the future (allowed skew 300 s)"},
      {"OccurredAtWithinSkew", kInsk,
       [](Env& e) { *e.mutable_occurred_at() = Ts(kNow + seconds(300)); }, ""},
      {"OccurredAtJustPastSkew", kInsk,
       [](Env& e) { *e.mutable_occurred_at() = Ts(kNow + seconds(301)); },
       "occurred_at: 301 s in the future"},
      // Issue 15 item 4: the source system's send time is optional, and checked like occurred_at.
      {"SourceSentAtAbsent", kInsk, [](Env& e) { e.clear_source_sent_at(); }, ""},
      {"SourceSentAtPast", kInsk,
       [](Env& e) { *e.mutable_source_sent_at() = Ts(kNow - seconds(120)); }, ""},
      {"SourceSentAtFuture", kInsk,
       [](Env& e) { *e.mutable_source_sent_at() = Ts(kNow + seconds(1200)); },
       "source_sent_at: 1200 s in the future (allowed skew 300 s)"},
      {"SourceSentAtYear9999", kInsk,
       [](Env& e) { e.mutable_source_sent_at()->set_seconds(253'402'300'799); },
       "source_sent_at: implausibly far in the future (2200-01-01 or later)"},
      {"SourceSentAtNanos", kInsk,
       [](Env& e) {
         *e.mutable_source_sent_at() = Ts(kNow);
         e.mutable_source_sent_at()->set_nanos(-1);
       },
       "source_sent_at: nanos -1 is invalid"},
      // Timestamps at and beyond the limits of google.protobuf.Timestamp: each gets its own
      // reason, none overflows (year 9999 in nanoseconds does not fit an int64).
      {"OccurredAtYear9999", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_seconds(253'402'300'799); },
       "occurred_at: implausibly far in the future (2200-01-01 or later)"},
      {"OccurredAtBeyondProtobufRange", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_seconds(253'402'300'800); },
       "occurred_at: outside the range of google.protobuf.Timestamp"},
      {"OccurredAtInt64Max", kInsk,
       [](Env& e) {
         e.mutable_occurred_at()->set_seconds(std::numeric_limits<int64_t>::max());
       },
       "occurred_at: outside the range of google.protobuf.Timestamp"},
      {"OccurredAtInt64Min", kInsk,
       [](Env& e) {
         e.mutable_occurred_at()->set_seconds(std::numeric_limits<int64_t>::min());
       },
       "occurred_at: outside the range of google.protobuf.Timestamp"},
      {"OccurredAtBeforeYear1", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_seconds(-62'135'596'801); },
       "occurred_at: outside the range of google.protobuf.Timestamp"},
      {"OccurredAtNanosTwoBillion", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_nanos(2'000'000'000); },
       "occurred_at: nanos 2000000000 is invalid (must be 0..999999999)"},
      {"OccurredAtNanosNegative", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_nanos(-1); },
       "occurred_at: nanos -1 is invalid (must be 0..999999999)"},
      {"OccurredAtNanosMax", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_nanos(999'999'999); }, ""},
      // Before 1970 is present, not missing; before 1900 is implausible.
      {"OccurredAtBefore1970", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_seconds(-86'400); }, ""},
      {"OccurredAtOnlyNanos", kInsk,
       [](Env& e) {
         e.mutable_occurred_at()->set_seconds(0);
         e.mutable_occurred_at()->set_nanos(1);
       },
       ""},
      {"OccurredAt1900", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_seconds(-2'208'988'800); }, ""},
      {"OccurredAtBefore1900", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_seconds(-2'208'988'801); },
       "occurred_at: implausibly far in the past (before 1900-01-01)"},
      {"OccurredAtYear1", kInsk,
       [](Env& e) { e.mutable_occurred_at()->set_seconds(-62'135'596'800); },
       "occurred_at: implausibly far in the past (before 1900-01-01)"},
      // A planned time may lie in the future, but not beyond 2199.
      {"EstimateYear9999", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->mutable_estimated_discharge_at()->set_seconds(
             253'402'300'799);
       },
       "inskrivningsmeddelande.estimated_discharge_at: implausibly far in the future"},
      {"EstimateLastPlausibleSecond", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->mutable_estimated_discharge_at()->set_seconds(
             7'258'118'399);
       },
       ""},
      {"EstimateNanosInvalid", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->mutable_estimated_discharge_at()->set_nanos(
             1'000'000'000);
       },
       "inskrivningsmeddelande.estimated_discharge_at: nanos 1000000000 is invalid"},
      {"AssessedAtNanosNegative", kInsk,
       [](Env& e) {
         *e.mutable_inskrivningsmeddelande()->mutable_assessed_at() = Ts(kNow - seconds(10));
         e.mutable_inskrivningsmeddelande()->mutable_assessed_at()->set_nanos(-5);
       },
       "inskrivningsmeddelande.assessed_at: nanos -5 is invalid"},
      {"SchemaVersion2", kInsk, [](Env& e) { e.set_schema_version(2); },
       "schema_version: 2 is not supported (this hub speaks 1)"},
      {"SchemaVersionMissing", kInsk, [](Env& e) { e.clear_schema_version(); },
       "schema_version: 0 is not supported"},
      {"ReplacesNotUuid", kInsk, [](Env& e) { e.set_replaces("earlier"); },
       "replaces: must be a UUID"},
      {"ReplacesItself", kInsk,
       [](Env& e) { e.set_replaces("0B6F5C1E-3D2A-4F7E-9A1B-2C3D4E5F6A7B"); },
       "replaces: must differ from event_id"},
      {"ReplacesOther", kInsk, [](Env& e) { e.set_replaces(kOtherId); }, ""},
      {"NoEvent", kInsk, [](Env& e) { e.clear_event(); }, "event: no event type set"},
      {"PlaneringNoDirection", EventKind::kPlaneringsunderlag,
       [](Env& e) { e.mutable_planeringsunderlag()->clear_direction(); },
       "planeringsunderlag.direction: must be REQUEST or ANSWER"},

      // Patient.
      {"PatientMissing", kInsk, [](Env& e) { e.clear_patient(); }, "patient: missing"},
      {"PatientMissingOnCancellation", EventKind::kCancellation,
       [](Env& e) { e.clear_patient(); }, "patient: missing"},
      {"ReceiptWithPatient", EventKind::kReceipt,
       [](Env& e) { *e.mutable_patient() = Valid(kInsk).patient(); }, ""},
      {"ReceiptWithBadPatient", EventKind::kReceipt,
       [](Env& e) {
         *e.mutable_patient() = Valid(kInsk).patient();
         e.mutable_patient()->set_kommunkod("9999");
       },
       "patient.kommunkod: no Swedish municipality has kommunkod 9999"},
      {"IdentityMissing", kInsk, [](Env& e) { e.mutable_patient()->clear_identity(); },
       "patient.identity: missing"},
      {"IdentityKindMissing", kInsk,
       [](Env& e) { e.mutable_patient()->mutable_identity()->clear_kind(); },
       "patient.identity.kind: missing"},
      {"IdentityKindUnknown", kInsk,
       [](Env& e) {
         e.mutable_patient()->mutable_identity()->set_kind(
             static_cast<v1::PatientIdentity::Kind>(7));
       },
       "patient.identity.kind: unknown value 7"},
      {"PersonnummerCheckDigit", kInsk,
       [](Env& e) { e.mutable_patient()->mutable_identity()->set_id("202508242382"); },
       "patient.identity.id: check digit wrong"},
      {"PersonnummerBadDate", kInsk,
       [](Env& e) { e.mutable_patient()->mutable_identity()->set_id("202302301234"); },
       "patient.identity.id: date does not exist"},
      {"PersonnummerShort", kInsk,
       [](Env& e) { e.mutable_patient()->mutable_identity()->set_id("20250824238"); },
       "patient.identity.id: must be 12 digits (YYYYMMDDNNNC)"},
      {"SamordningsnummerGivenPersonnummer", kInsk,
       [](Env& e) {
         e.mutable_patient()->mutable_identity()->set_kind(
             v1::PatientIdentity::SAMORDNINGSNUMMER);
       },
       "patient.identity.id: day must be 61..91"},
      {"SamordningsnummerValid", kInsk,
       [](Env& e) {
         auto* id = e.mutable_patient()->mutable_identity();
         id->set_kind(v1::PatientIdentity::SAMORDNINGSNUMMER);
         id->set_id("199001722389");  // 12 January 1990 + 60, Luhn-correct
       },
       ""},
      {"ReservnummerKnownIssuer", kInsk,
       [](Env& e) {
         auto* id = e.mutable_patient()->mutable_identity();
         id->set_kind(v1::PatientIdentity::RESERVNUMMER);
         id->set_id("991990123456");
         id->set_reserve_oid(kStockholmReservOid);
       },
       ""},
      {"ReservnummerUnknownIssuer", kInsk,
       [](Env& e) {
         auto* id = e.mutable_patient()->mutable_identity();
         id->set_kind(v1::PatientIdentity::RESERVNUMMER);
         id->set_id("991990123456");
         id->set_reserve_oid("1.2.3");
       },
       "patient.identity.reserve_oid: unknown reservnummer issuer 1.2.3"},
      {"ReservnummerNoIssuer", kInsk,
       [](Env& e) {
         auto* id = e.mutable_patient()->mutable_identity();
         id->set_kind(v1::PatientIdentity::RESERVNUMMER);
         id->set_id("991990123456");
       },
       "patient.identity.reserve_oid: required for RESERVNUMMER"},
      {"ReservnummerBadFormat", kInsk,
       [](Env& e) {
         auto* id = e.mutable_patient()->mutable_identity();
         id->set_kind(v1::PatientIdentity::RESERVNUMMER);
         id->set_id("99-1990-1234");
         id->set_reserve_oid(kStockholmReservOid);
       },
       "patient.identity.id: must be 1-20 letters or digits"},
      {"ReserveOidOnPersonnummer", kInsk,
       [](Env& e) {
         e.mutable_patient()->mutable_identity()->set_reserve_oid(kStockholmReservOid);
       },
       "patient.identity.reserve_oid: must be empty unless kind is RESERVNUMMER"},
      {"KommunNotServed", kInsk, [](Env& e) { e.mutable_patient()->set_kommunkod("0180"); },
       "patient.kommunkod: kommun 0180 (Stockholm) is not served by this hub"},
      {"KommunUnknown", kInsk, [](Env& e) { e.mutable_patient()->set_kommunkod("9999"); },
       "patient.kommunkod: no Swedish municipality has kommunkod 9999"},
      {"KommunMalformed", kInsk, [](Env& e) { e.mutable_patient()->set_kommunkod("138"); },
       "patient.kommunkod: must be 4 digits"},
      {"KommunMissing", kInsk, [](Env& e) { e.mutable_patient()->clear_kommunkod(); },
       "patient.kommunkod: missing"},
      {"KommunOtherServed", kInsk, [](Env& e) { e.mutable_patient()->set_kommunkod("1315"); },
       ""},
      {"ListedUnitNotHsa", kInsk,
       [](Env& e) { e.mutable_patient()->set_listed_care_unit_hsa_id("vc1"); },
       "patient.listed_care_unit_hsa_id: not an HSA-id"},
      {"ListedUnitEmpty", kInsk,
       [](Env& e) { e.mutable_patient()->clear_listed_care_unit_hsa_id(); }, ""},

      // Inskrivningsmeddelande.
      {"AdmittedAtMissing", kInsk,
       [](Env& e) { e.mutable_inskrivningsmeddelande()->clear_admitted_at(); },
       "inskrivningsmeddelande.admitted_at: missing"},
      {"AdmittedAtFuture", kInsk,
       [](Env& e) {
         *e.mutable_inskrivningsmeddelande()->mutable_admitted_at() = Ts(kNow + seconds(3600));
       },
       "inskrivningsmeddelande.admitted_at: 3600 s in the future (allowed skew 300 s)"},
      {"AssessedAtFuture", kInsk,
       [](Env& e) {
         *e.mutable_inskrivningsmeddelande()->mutable_assessed_at() = Ts(kNow + seconds(900));
       },
       "inskrivningsmeddelande.assessed_at: 900 s in the future"},
      {"AssessedAtPast", kInsk,
       [](Env& e) {
         *e.mutable_inskrivningsmeddelande()->mutable_assessed_at() = Ts(kNow - seconds(10));
       },
       ""},
      {"FamilyNameMissing", kInsk,
       [](Env& e) { e.mutable_inskrivningsmeddelande()->mutable_name()->clear_family_name(); },
       "inskrivningsmeddelande.name.family_name: missing"},
      {"StreetMissing", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->mutable_folkbokforing_address()->clear_street();
       },
       "inskrivningsmeddelande.folkbokforing_address.street: missing"},
      {"PostalCodeNoSpace", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->mutable_folkbokforing_address()->set_postal_code(
             "30250");
       },
       ""},
      {"PostalCodeShort", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->mutable_folkbokforing_address()->set_postal_code(
             "3025");
       },
       "inskrivningsmeddelande.folkbokforing_address.postal_code: must be 5 digits"},
      {"PostalCodeDash", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->mutable_folkbokforing_address()->set_postal_code(
             "302-50");
       },
       "inskrivningsmeddelande.folkbokforing_address.postal_code: must be 5 digits"},
      {"CityMissing", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->mutable_folkbokforing_address()->clear_city();
       },
       "inskrivningsmeddelande.folkbokforing_address.city: missing"},
      {"EstimatedDischargeMissing", kInsk,
       [](Env& e) { e.mutable_inskrivningsmeddelande()->clear_estimated_discharge_at(); },
       "inskrivningsmeddelande.estimated_discharge_at: missing"},
      {"EstimatedDischargeFarFuture", kInsk,
       [](Env& e) {
         *e.mutable_inskrivningsmeddelande()->mutable_estimated_discharge_at() =
             Ts(kNow + seconds(60 * 86400));
       },
       ""},
      {"ReceivingUnitNotHsa", kInsk,
       [](Env& e) { e.mutable_inskrivningsmeddelande()->add_receiving_unit_hsa_ids("x"); },
       "inskrivningsmeddelande.receiving_unit_hsa_ids[1]: not an HSA-id"},
      {"InskrivningCareTypeUnknown", kInsk,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->set_care_type(static_cast<v1::CareType>(9));
       },
       "inskrivningsmeddelande.care_type: unknown value 9"},
      {"InskrivningCareTypeOptional", kInsk,
       [](Env& e) { e.mutable_inskrivningsmeddelande()->clear_care_type(); }, ""},

      // EstimatedDischargeChanged.
      {"NewEstimateMissing", EventKind::kEstimatedDischargeChanged,
       [](Env& e) { e.mutable_estimated_discharge_changed()->clear_new_estimate(); },
       "estimated_discharge_changed.new_estimate: missing"},
      {"PreviousEstimateOptional", EventKind::kEstimatedDischargeChanged,
       [](Env& e) { e.mutable_estimated_discharge_changed()->clear_previous_estimate(); }, ""},

      // Planeringsunderlag.
      {"AnswerWithoutInReplyTo", EventKind::kPlaneringsunderlagSvar,
       [](Env& e) { e.mutable_planeringsunderlag()->clear_in_reply_to(); },
       "planeringsunderlag.in_reply_to: must be a UUID"},
      {"AnswerInReplyToNotUuid", EventKind::kPlaneringsunderlagSvar,
       [](Env& e) { e.mutable_planeringsunderlag()->set_in_reply_to("request-1"); },
       "planeringsunderlag.in_reply_to: must be a UUID"},
      {"RespondingUnitNotHsa", EventKind::kPlaneringsunderlagSvar,
       [](Env& e) { e.mutable_planeringsunderlag()->set_responding_unit_hsa_id("kommunen"); },
       "planeringsunderlag.responding_unit_hsa_id: not an HSA-id"},

      // Halland's tracks (samverkansrutin 2022) and the addressed units (issue 15 item 9).
      {"TrackUnknown", EventKind::kPlaneringsunderlag,
       [](Env& e) {
         e.mutable_planeringsunderlag()->set_track(static_cast<v1::Planeringsunderlag::Track>(7));
       },
       "planeringsunderlag.track: unknown value 7"},
      {"TrackRed", EventKind::kPlaneringsunderlag,
       [](Env& e) { e.mutable_planeringsunderlag()->set_track(v1::Planeringsunderlag::RODT); }, ""},
      {"AddressedUnitNotHsa", EventKind::kPlaneringsunderlag,
       [](Env& e) { e.mutable_planeringsunderlag()->add_addressed_unit_hsa_ids("kommunen"); },
       "planeringsunderlag.addressed_unit_hsa_ids[0]: not an HSA-id"},
      {"AddressedUnitsOnAnAnswer", EventKind::kPlaneringsunderlagSvar,
       [](Env& e) {
         e.mutable_planeringsunderlag()->add_addressed_unit_hsa_ids("SE2321000131-E1");
       },
       "planeringsunderlag.addressed_unit_hsa_ids: only a REQUEST addresses units"},

      // The placing kommun (5 kap. 2 §): a real kommun other than that of folkbokföring; this hub
      // need not serve it.
      {"PlacingKommunOutsideTheHub", EventKind::kUtskrivningsklar,
       [](Env& e) {
         e.mutable_patient()->set_placing_kommunkod("1480");  // Göteborg
         e.mutable_patient()->set_sarskilt_boende(true);
       },
       ""},
      {"PlacingKommunNotAKommun", EventKind::kUtskrivningsklar,
       [](Env& e) { e.mutable_patient()->set_placing_kommunkod("9999"); },
       "patient.placing_kommunkod: no Swedish municipality has kommunkod 9999"},
      {"PlacingKommunNotDigits", EventKind::kUtskrivningsklar,
       [](Env& e) { e.mutable_patient()->set_placing_kommunkod("13a0"); },
       "patient.placing_kommunkod: must be 4 digits"},
      {"PlacingKommunIsTheFolkbokforingKommun", EventKind::kUtskrivningsklar,
       [](Env& e) { e.mutable_patient()->set_placing_kommunkod(e.patient().kommunkod()); },
       "patient.placing_kommunkod: must differ from patient.kommunkod"},

      // Utskrivningsklar.
      {"DecidedAtMissing", EventKind::kUtskrivningsklar,
       [](Env& e) { e.mutable_utskrivningsklar()->clear_decided_at(); },
       "utskrivningsklar.decided_at: missing"},
      {"DecidedAtFuture", EventKind::kUtskrivningsklar,
       [](Env& e) {
         *e.mutable_utskrivningsklar()->mutable_decided_at() = Ts(kNow + seconds(86400));
       },
       "utskrivningsklar.decided_at: 86400 s in the future"},
      {"PhysicianMissing", EventKind::kUtskrivningsklar,
       [](Env& e) { e.mutable_utskrivningsklar()->clear_physician_hsa_id(); },
       "utskrivningsklar.physician_hsa_id: missing"},
      {"PhysicianNotHsa", EventKind::kUtskrivningsklar,
       [](Env& e) { e.mutable_utskrivningsklar()->set_physician_hsa_id("SE2321000131-dr.7"); },
       "utskrivningsklar.physician_hsa_id: not an HSA-id"},
      {"UtskrivningsklarCareTypeMissing", EventKind::kUtskrivningsklar,
       [](Env& e) { e.mutable_utskrivningsklar()->clear_care_type(); },
       "utskrivningsklar.care_type: missing"},

      // UtskrivningsklarWithdrawn.
      {"WithdrawnIdNotUuid", EventKind::kUtskrivningsklarWithdrawn,
       [](Env& e) { e.mutable_utskrivningsklar_withdrawn()->set_withdrawn_event_id("x"); },
       "utskrivningsklar_withdrawn.withdrawn_event_id: must be a UUID"},

      // KallelseSip.
      {"MeetingAtMissing", EventKind::kKallelseSip,
       [](Env& e) { e.mutable_kallelse_sip()->clear_meeting_at(); },
       "kallelse_sip.meeting_at: missing"},
      {"FastVardkontaktNotHsa", EventKind::kKallelseSip,
       [](Env& e) { e.mutable_kallelse_sip()->set_fast_vardkontakt_hsa_id("SE2321000131-"); },
       "kallelse_sip.fast_vardkontakt_hsa_id: not an HSA-id"},
      {"ParticipantNotHsa", EventKind::kKallelseSip,
       [](Env& e) {
         e.mutable_kallelse_sip()->set_participant_hsa_ids(0, "SE2321000131-\xc3\xa5");  // å
       },
       "kallelse_sip.participant_hsa_ids[0]: not an HSA-id"},

      // Utskrivningsmeddelande.
      {"DischargedAtMissing", EventKind::kUtskrivningsmeddelande,
       [](Env& e) { e.mutable_utskrivningsmeddelande()->clear_discharged_at(); },
       "utskrivningsmeddelande.discharged_at: missing"},
      {"DischargedAtFuture", EventKind::kUtskrivningsmeddelande,
       [](Env& e) {
         *e.mutable_utskrivningsmeddelande()->mutable_discharged_at() = Ts(kNow + seconds(7200));
       },
       "utskrivningsmeddelande.discharged_at: 7200 s in the future"},

      // Receipt.
      {"AcknowledgedIdNotUuid", EventKind::kReceipt,
       [](Env& e) { e.mutable_receipt()->set_acknowledged_event_id(""); },
       "receipt.acknowledged_event_id: must be a UUID"},
      {"ReceivingSystemMissing", EventKind::kReceipt,
       [](Env& e) { e.mutable_receipt()->clear_receiving_system(); },
       "receipt.receiving_system: missing"},
      {"ReceivingSystemUnknown", EventKind::kReceipt,
       [](Env& e) { e.mutable_receipt()->set_receiving_system("kommun-0180"); },
       "receipt.receiving_system: kommun-0180 is not a destination of this hub"},
      {"ReceivingSystemFixedDestination", EventKind::kReceipt,
       [](Env& e) { e.mutable_receipt()->set_receiving_system("ehr-halland"); }, ""},
      {"ReceivedAtMissing", EventKind::kReceipt,
       [](Env& e) { e.mutable_receipt()->clear_received_at(); }, "receipt.received_at: missing"},
      {"ReceivedAtFuture", EventKind::kReceipt,
       [](Env& e) { *e.mutable_receipt()->mutable_received_at() = Ts(kNow + seconds(600)); },
       "receipt.received_at: 600 s in the future"},

      // Cancellation.
      {"CancellationReasonMissing", EventKind::kCancellation,
       [](Env& e) { e.mutable_cancellation()->clear_reason(); },
       "cancellation.reason: missing"},
      {"CancelledIdNotUuid", EventKind::kCancellation,
       [](Env& e) { e.mutable_cancellation()->set_cancelled_event_id("abc"); },
       "cancellation.cancelled_event_id: must be a UUID"},
      {"CancelWholeCase", EventKind::kCancellation,
       [](Env& e) { e.mutable_cancellation()->clear_cancelled_event_id(); }, ""},

      // ClockStopper (5 kap. 5 §).
      {"ClockStopperActionMissing", EventKind::kClockStopper,
       [](Env& e) { e.mutable_clock_stopper()->clear_action(); },
       "clock_stopper.action: must be START or END"},
      {"ClockStopperReasonMissing", EventKind::kClockStopper,
       [](Env& e) { e.mutable_clock_stopper()->clear_reason(); }, "clock_stopper.reason: missing"},

      // Utskrivning: the discharge itself (3 kap. 2 § counts from its day).
      {"DischargeFactMissing", EventKind::kUtskrivning,
       [](Env& e) { e.mutable_utskrivning()->clear_discharged_at(); },
       "utskrivning.discharged_at: missing"},
      {"DischargeFactFuture", EventKind::kUtskrivning,
       [](Env& e) { *e.mutable_utskrivning()->mutable_discharged_at() = Ts(kNow + seconds(7200)); },
       "utskrivning.discharged_at: 7200 s in the future"},

      // SipBedomning and the samordnad vårdplan (4 kap. 1 §).
      {"SipBedomningReasonMissing", EventKind::kSipBedomning,
       [](Env& e) { e.mutable_sip_bedomning()->clear_reason(); }, "sip_bedomning.reason: missing"},
      {"SipBedomningVardplanUnknown", EventKind::kSipBedomning,
       [](Env& e) { e.mutable_sip_bedomning()->set_samordnad_vardplan(static_cast<v1::SamordnadVardplan>(9)); },
       "sip_bedomning.samordnad_vardplan: unknown value 9"},
      {"SipBedomningLrv", EventKind::kSipBedomning,
       [](Env& e) { e.mutable_sip_bedomning()->set_samordnad_vardplan(v1::SAMORDNAD_VARDPLAN_LRV); },
       ""},
      {"SipBedomningUnitNotHsa", EventKind::kSipBedomning,
       [](Env& e) { e.mutable_sip_bedomning()->set_oppen_vard_unit_hsa_id("VC01"); },
       "sip_bedomning.oppen_vard_unit_hsa_id: not an HSA-id"},
      {"InskrivningLptWithPsychiatricCare", EventKind::kInskrivningsmeddelande,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->set_care_type(v1::PSYCHIATRIC);
         e.mutable_inskrivningsmeddelande()->set_samordnad_vardplan(v1::SAMORDNAD_VARDPLAN_LPT);
       },
       ""},
      {"InskrivningLptWithSomaticCare", EventKind::kInskrivningsmeddelande,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->set_care_type(v1::SOMATIC);
         e.mutable_inskrivningsmeddelande()->set_samordnad_vardplan(v1::SAMORDNAD_VARDPLAN_LPT);
       },
       "inskrivningsmeddelande.samordnad_vardplan: LPT or LRV requires care_type PSYCHIATRIC (or "
       "unspecified), not SOMATIC"},
      {"InskrivningVardplanUnknown", EventKind::kInskrivningsmeddelande,
       [](Env& e) {
         e.mutable_inskrivningsmeddelande()->set_samordnad_vardplan(static_cast<v1::SamordnadVardplan>(7));
       },
       "inskrivningsmeddelande.samordnad_vardplan: unknown value 7"},
      {"InskrivningOppenVardUnitNotHsa", EventKind::kInskrivningsmeddelande,
       [](Env& e) { e.mutable_inskrivningsmeddelande()->set_oppen_vard_unit_hsa_id("SE2321000115-"); },
       "inskrivningsmeddelande.oppen_vard_unit_hsa_id: not an HSA-id"},
  };
  return m;
}

class MutationTest : public ::testing::TestWithParam<Mutation> {};

TEST_P(MutationTest, ReportsExactlyTheBrokenRule) {
  const Mutation& m = GetParam();
  v1::Envelope env = Valid(m.kind);
  m.mutate(env);
  const auto problems = ValidateEnvelope(env, TestConfig(), kNow);
  if (m.want.empty()) {
    EXPECT_THAT(problems, ::testing::IsEmpty());
  } else {
    ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
    EXPECT_THAT(problems[0], HasSubstr(m.want));
  }
  ExpectNoPersonalData(problems);
}

INSTANTIATE_TEST_SUITE_P(Rules, MutationTest, ::testing::ValuesIn(Mutations()),
                         [](const auto& p) { return p.param.name; });

// --- Several problems at once ---------------------------------------------------------------

TEST(ValidateEnvelope, ReportsEveryProblem) {
  v1::Envelope env = Valid(EventKind::kUtskrivningsklar);
  env.set_event_id("nope");
  env.set_sender_hsa_id(kTestKommunSender);
  *env.mutable_occurred_at() = Ts(kNow + seconds(1200));
  env.set_schema_version(2);
  env.mutable_patient()->mutable_identity()->set_id("202508242382");
  env.mutable_patient()->set_kommunkod("0180");
  env.mutable_utskrivningsklar()->clear_decided_at();
  env.mutable_utskrivningsklar()->set_physician_hsa_id("SE2321000016");

  const auto problems = ValidateEnvelope(env, TestConfig(), kNow);
  EXPECT_THAT(problems,
              UnorderedElementsAre(
                  "event_id: must be a UUID",
                  std::string("sender_hsa_id: ") + kTestKommunSender +
                      " is not allowed to send Utskrivningsklar",
                  "occurred_at: 1200 s in the future (allowed skew 300 s)",
                  "schema_version: 2 is not supported (this hub speaks 1)",
                  "patient.identity.id: check digit wrong",
                  "patient.kommunkod: kommun 0180 (Stockholm) is not served by this hub",
                  "utskrivningsklar.decided_at: missing",
                  "utskrivningsklar.physician_hsa_id: not an HSA-id (SE + 10 digits + '-' + "
                  "letters/digits)"));
  ExpectNoPersonalData(problems);
}

TEST(ValidateEnvelope, EmptyEnvelopeReportsEveryMissingField) {
  const auto problems = ValidateEnvelope(v1::Envelope(), TestConfig(), kNow);
  EXPECT_THAT(problems,
              UnorderedElementsAre("event_id: must be a UUID", "case_id: missing",
                                   "sender_hsa_id: missing (an HSA-id)", "occurred_at: missing",
                                   "schema_version: 0 is not supported (this hub speaks 1)",
                                   "event: no event type set", "patient: missing"));
}

TEST(ValidateEnvelope, SkewComesFromConfig) {
  Config config = TestConfig();
  config.clock_skew = seconds(0);
  v1::Envelope env = Valid(kInsk);
  *env.mutable_occurred_at() = Ts(kNow + seconds(1));
  EXPECT_THAT(ValidateEnvelope(env, config, kNow),
              UnorderedElementsAre("occurred_at: 1 s in the future (allowed skew 0 s)"));
}

// The wire-contract scope (slussenctl simulate without a hub config) leaves out exactly the four
// checks against the hub's own config and keeps every other one with the same text.
TEST(ValidateEnvelope, WireContractScopeLeavesOutOnlyTheHubConfigChecks) {
  const Config empty;  // knows no sender, kommun, issuer or destination
  v1::Envelope env = Valid(EventKind::kUtskrivningsklar);
  env.mutable_patient()->mutable_identity()->set_kind(v1::PatientIdentity::RESERVNUMMER);
  env.mutable_patient()->mutable_identity()->set_reserve_oid("1.2.3.4.5");
  env.mutable_patient()->set_kommunkod("0180");
  env.set_event_id("nope");
  const auto hub = ValidateEnvelope(env, empty, kNow);
  EXPECT_THAT(hub, ::testing::Contains(HasSubstr("is not a configured sender")));
  EXPECT_THAT(hub, ::testing::Contains("patient.kommunkod: kommun 0180 (Stockholm) is not served by this hub"));
  EXPECT_THAT(hub, ::testing::Contains("patient.identity.reserve_oid: unknown reservnummer issuer 1.2.3.4.5"));

  std::vector<std::string> wire = ValidateEnvelope(env, empty, kNow, ValidationScope::kWireContract);
  std::vector<std::string> hub_without_config_checks;
  for (const auto& p : hub) {
    if (p.find("is not a configured sender") == std::string::npos &&
        p.find("is not served by this hub") == std::string::npos &&
        p.find("unknown reservnummer issuer") == std::string::npos) {
      hub_without_config_checks.push_back(p);
    }
  }
  EXPECT_EQ(wire, hub_without_config_checks);
  EXPECT_THAT(wire, ::testing::Contains("event_id: must be a UUID"));

  v1::Envelope receipt = Valid(EventKind::kReceipt);
  receipt.mutable_receipt()->set_receiving_system("kommun-9999");
  EXPECT_THAT(ValidateEnvelope(receipt, empty, kNow),
              ::testing::Contains("receipt.receiving_system: kommun-9999 is not a destination of this hub"));
  EXPECT_THAT(ValidateEnvelope(receipt, empty, kNow, ValidationScope::kWireContract),
              ::testing::IsEmpty());

  v1::Envelope late = Valid(EventKind::kUtskrivningsklar);
  *late.mutable_occurred_at() = Ts(kNow + seconds(1200));
  EXPECT_THAT(ValidateEnvelope(late, empty, kNow, ValidationScope::kWireContract),
              ::testing::Contains("occurred_at: 1200 s in the future (allowed skew 300 s)"));
}

}  // namespace
}  // namespace slussen::testing
