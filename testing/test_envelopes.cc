#include "testing/test_envelopes.h"

namespace slussen::testing {

namespace {
using std::chrono::hours;
using std::chrono::minutes;
}  // namespace

const std::vector<std::string>& TestPersonnummer() {
  static const std::vector<std::string> all = {
      kValidPersonnummer, "202510022383", "202503082386", "200306062381",
      "200802122390",     "200607092384", "190704019801", "189506299818",
  };
  return all;
}

google::protobuf::Timestamp Ts(std::chrono::system_clock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  google::protobuf::Timestamp ts;
  ts.set_seconds(ns / 1'000'000'000);
  ts.set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
  return ts;
}

v1::Envelope EnvelopeHeader(const EnvelopeSpec& spec,
                            std::chrono::system_clock::time_point occurred) {
  v1::Envelope env;
  env.set_event_id(spec.event_id);
  env.mutable_case_id()->set_care_unit_hsa_id(spec.care_unit);
  env.mutable_case_id()->set_episode_id(spec.episode);
  env.set_sender_hsa_id(spec.hospital);
  *env.mutable_occurred_at() = Ts(occurred);
  env.set_schema_version(v1::SCHEMA_VERSION_1);
  auto* patient = env.mutable_patient();
  patient->mutable_identity()->set_kind(v1::PatientIdentity::PERSONNUMMER);
  patient->mutable_identity()->set_id(spec.personnummer);
  patient->set_kommunkod(spec.kommunkod);
  if (!spec.listed_vc.empty()) patient->set_listed_care_unit_hsa_id(spec.listed_vc);
  return env;
}

v1::Envelope ValidEnvelope(EventKind kind, const EnvelopeSpec& spec) {
  v1::Envelope env = EnvelopeHeader(spec, spec.now - minutes(1));
  const auto past = Ts(spec.now - hours(1));
  const auto future = Ts(spec.now + hours(5 * 24));
  switch (kind) {
    case EventKind::kInskrivningsmeddelande: {
      auto* m = env.mutable_inskrivningsmeddelande();
      *m->mutable_admitted_at() = past;
      m->mutable_name()->set_given_name(kTestGivenName);
      m->mutable_name()->set_family_name(kTestFamilyName);
      m->mutable_folkbokforing_address()->set_street(kTestStreet);
      m->mutable_folkbokforing_address()->set_postal_code("302 50");
      m->mutable_folkbokforing_address()->set_city("Halmstad");
      *m->mutable_estimated_discharge_at() = future;
      if (!spec.listed_vc.empty()) m->add_receiving_unit_hsa_ids(spec.listed_vc);
      m->set_care_type(v1::SOMATIC);
      m->set_sip_expected(true);
      break;
    }
    case EventKind::kEstimatedDischargeChanged: {
      auto* m = env.mutable_estimated_discharge_changed();
      *m->mutable_previous_estimate() = future;
      *m->mutable_new_estimate() = Ts(spec.now + hours(7 * 24));
      break;
    }
    case EventKind::kPlaneringsunderlag:
      env.mutable_planeringsunderlag()->set_direction(v1::Planeringsunderlag::REQUEST);
      env.mutable_planeringsunderlag()->add_items()->set_code("hemtjanst");
      break;
    case EventKind::kPlaneringsunderlagSvar: {
      env.set_sender_hsa_id(spec.kommun_sender);
      auto* m = env.mutable_planeringsunderlag();
      m->set_direction(v1::Planeringsunderlag::ANSWER);
      m->set_in_reply_to(spec.referenced_event_id);
      m->set_responding_unit_hsa_id(spec.kommun_sender);
      break;
    }
    case EventKind::kUtskrivningsklar: {
      auto* m = env.mutable_utskrivningsklar();
      *m->mutable_decided_at() = past;
      m->set_physician_hsa_id("SE2321000115-LAK7");
      m->set_care_type(v1::PSYCHIATRIC);
      break;
    }
    case EventKind::kUtskrivningsklarWithdrawn:
      env.mutable_utskrivningsklar_withdrawn()->set_withdrawn_event_id(spec.referenced_event_id);
      break;
    case EventKind::kKallelseSip: {
      auto* m = env.mutable_kallelse_sip();
      *m->mutable_meeting_at() = future;
      m->set_fast_vardkontakt_hsa_id(spec.listed_vc.empty() ? spec.care_unit : spec.listed_vc);
      m->add_participant_hsa_ids(spec.hospital);
      m->add_participant_hsa_ids(spec.kommun_sender);
      break;
    }
    case EventKind::kUtskrivningsmeddelande:
      *env.mutable_utskrivningsmeddelande()->mutable_discharged_at() = past;
      break;
    case EventKind::kReceipt: {
      // Receipts carry no patient (data minimisation).
      env.clear_patient();
      env.set_sender_hsa_id(spec.kommun_sender);
      auto* m = env.mutable_receipt();
      m->set_acknowledged_event_id(spec.referenced_event_id);
      m->set_receiving_system(KommunDestination(spec.kommunkod));
      m->set_external_ack_id("ack-17");
      *m->mutable_received_at() = past;
      break;
    }
    case EventKind::kCancellation:
      env.mutable_cancellation()->set_cancelled_event_id(spec.referenced_event_id);
      env.mutable_cancellation()->set_reason("fel patient");
      break;
    case EventKind::kClockStopper:
      env.mutable_clock_stopper()->set_action(v1::ClockStopper::START);
      env.mutable_clock_stopper()->set_reason("hemsjukvård saknas");
      break;
    case EventKind::kUtskrivning:
      *env.mutable_utskrivning()->mutable_discharged_at() = past;
      break;
    case EventKind::kSipBedomning:
      env.mutable_sip_bedomning()->set_sip_expected(true);
      env.mutable_sip_bedomning()->set_reason("behov av hemsjukvård tillkom");
      break;
  }
  return env;
}

v1::Envelope ValidInskrivning(const std::string& event_id, const std::string& kommunkod,
                              const std::string& listed_vc) {
  EnvelopeSpec spec;
  spec.event_id = event_id;
  spec.kommunkod = kommunkod;
  spec.listed_vc = listed_vc;
  return ValidEnvelope(EventKind::kInskrivningsmeddelande, spec);
}

v1::Envelope ValidInskrivningOwnCase() {
  EnvelopeSpec spec;
  spec.episode = "VT-" + NewEventId().substr(0, 18);
  return ValidEnvelope(EventKind::kInskrivningsmeddelande, spec);
}

std::string CaseIdString(const v1::Envelope& env) {
  return env.case_id().care_unit_hsa_id() + "/" + env.case_id().episode_id();
}

}  // namespace slussen::testing
