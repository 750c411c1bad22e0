#pragma once
// Synthetic but realistic discharge-planning traffic for the demo feed and the benchmark's payload:
// one patient's care episode from admission to discharge, as the hospital would send it. (Tests
// build single envelopes of every kind, at a fixed clock, with testing/test_envelopes.h.)
//
// Patients use only Skatteverket's published test personnummer (never real-looking invented
// ones, see docs/domain.md §6); names and addresses are invented. Each test number is
// always the same invented person (same name, address, kommun, vårdcentral), so a number never
// contradicts itself across cases; the case (episode) is what varies.
#include <chrono>
#include <string>
#include <vector>

#include "hub_client.h"
#include "slussen/v1/events.pb.h"

namespace slussen::client {

// The hospital that sends the synthetic chains (a configured sender in config/demo.xml).
inline constexpr char kSyntheticSender[] = "SE2321000115-SH01";

struct SyntheticPatient {
  std::string personnummer;       // one of TestPersonnummer()
  std::string given_name;
  std::string family_name;
  std::string street;
  std::string postal_code;        // "NNN NN"
  std::string city;
  std::string kommunkod;          // one of Halland's six
  std::string listed_vc_hsa_id;   // empty: not listed at one of the demo's vårdcentraler
  std::string care_unit_hsa_id;   // the ward that owns the case
  std::string episode_id;         // "VT-<n>"
};

// The eight test personnummer, in the order MakeSyntheticPatient cycles through them.
const std::vector<std::string>& TestPersonnummer();

// The n-th synthetic case (n >= 0): person number n % 8, episode "VT-<n>", ward by n.
// Deterministic. Over any 8 consecutive n every Halland kommun (1315 1380 1381 1382 1383 1384)
// and every demo vårdcentral (VC01..VC03) occurs, and 2 of 8 patients have no vårdcentral.
SyntheticPatient MakeSyntheticPatient(long n);

// The case's events in order: Inskrivningsmeddelande, Planeringsunderlag (REQUEST),
// EstimatedDischargeChanged, Utskrivningsklar, KallelseSip, Utskrivningsmeddelande, spread over
// about four days from `admitted`. Each has a fresh random UUID v4 event id, schema version 1 and
// sender kSyntheticSender. Every occurred_at (and other "has happened" time) is <= now: if
// `admitted` is too recent for the whole chain, the chain is moved back so it ends now.
// Only the Inskrivningsmeddelande carries name and address (data minimisation).
std::vector<slussen::v1::Envelope> SyntheticChain(const SyntheticPatient& patient,
                                                  std::chrono::system_clock::time_point admitted);

// The longest a chain spans from admission to its last event.
std::chrono::system_clock::duration SyntheticChainSpan();

// The AMQP message for an envelope as the wire contract wants it: message-id = event id,
// subject = kind name, body = serialized envelope, properties event_type, case_id
// ("<care_unit_hsa_id>/<episode_id>") and schema_version.
OutgoingMessage ToMessage(const slussen::v1::Envelope& env);

}  // namespace slussen::client
