#pragma once
// Valid Envelopes of every kind for the unit and integration tests, one builder for all of them:
// the patient is one of Skatteverket's published test personnummer (its open-data service
// "testpersonnummer": numbers that never belong to a real person), the parties are those of the
// test config (test_config.h), and every time is relative to a `now` the test passes in, so a
// unit test with a fixed clock gets the same bytes every run.
//
// The demo feed and the benchmark's payload use the demo's realistic six-event chains instead
// (adapters/common/synthetic_events.h): random ids and wall-clock times, one invented person per
// test personnummer.
#include <google/protobuf/timestamp.pb.h>

#include <chrono>
#include <string>
#include <vector>

#include "slussen/v1/events.pb.h"
#include "testing/test_config.h"
#include "wire/event_kind.h"
#include "wire/uuid_v4.h"

namespace slussen::testing {

// Skatteverket test personnummer (correct date and Luhn digit).
inline constexpr char kValidPersonnummer[] = "202508242381";
// The same with a wrong check digit.
inline constexpr char kBadCheckDigitPersonnummer[] = "202508242382";
// All the test personnummer the project uses (kValidPersonnummer first).
const std::vector<std::string>& TestPersonnummer();

// The personal data of an Inskrivningsmeddelande: what must never show up in a log or a report.
inline constexpr char kTestGivenName[] = "Tess";
inline constexpr char kTestFamilyName[] = "Testsson";
inline constexpr char kTestStreet[] = "Storgatan 1";

// A fresh random RFC 4122 version-4 UUID, lower case.
inline std::string NewEventId() { return RandomUuidV4(); }

// Seconds and nanoseconds since the epoch.
google::protobuf::Timestamp Ts(std::chrono::system_clock::time_point t);

// Who and when: the defaults are the parties of the test config.
struct EnvelopeSpec {
  std::string event_id = NewEventId();
  std::string care_unit = kTestHospital;
  std::string episode = "VT-2025:000123";
  std::string hospital = kTestHospital;           // sends the hospital's kinds
  std::string kommun_sender = kTestKommunSender;  // sends answers and receipts
  std::string personnummer = kValidPersonnummer;
  std::string kommunkod = kTestKommun;
  std::string listed_vc = kTestVardcentral;  // empty: not listed at a vårdcentral
  // What a withdrawal, an answer, a receipt or a cancellation refers to.
  std::string referenced_event_id = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// A valid envelope of `kind`: it happened a minute before `now`; admissions and decisions an hour
// before, estimates and meetings days after.
v1::Envelope ValidEnvelope(EventKind kind, const EnvelopeSpec& spec = {});
// The fields every kind shares (ids, case, sender, patient, time, schema version), no payload:
// for builders of other shapes, such as a case's timeline.
v1::Envelope EnvelopeHeader(const EnvelopeSpec& spec, std::chrono::system_clock::time_point occurred);

// A valid Inskrivningsmeddelande from kTestHospital about a patient folkbokförd in `kommunkod`
// and listed at `listed_vc` (empty = not listed), occurred a minute ago.
v1::Envelope ValidInskrivning(const std::string& event_id = NewEventId(),
                              const std::string& kommunkod = kTestKommun,
                              const std::string& listed_vc = kTestVardcentral);

// The same, about a case of its own (a fresh episode id): the hub sends a case's next event only
// once the receiver accepted the one before, so tests that need many deliveries unsettled at
// once use these.
v1::Envelope ValidInskrivningOwnCase();

// "<care_unit_hsa_id>/<episode_id>", as the hub puts it in the case_id property.
std::string CaseIdString(const v1::Envelope& env);

}  // namespace slussen::testing
