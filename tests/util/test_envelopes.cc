#include "util/test_envelopes.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "util/test_config.h"

namespace slussen::testing {

namespace {
google::protobuf::Timestamp TsFromNow(std::chrono::seconds offset) {
  const auto t = std::chrono::system_clock::now() + offset;
  google::protobuf::Timestamp ts;
  ts.set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  return ts;
}
}  // namespace

std::string NewEventId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng();
  const uint64_t b = rng();
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return out;
}

v1::Envelope ValidInskrivning(const std::string& event_id, const std::string& kommunkod,
                              const std::string& listed_vc) {
  using std::chrono::seconds;
  v1::Envelope env;
  env.set_event_id(event_id);
  env.mutable_case_id()->set_care_unit_hsa_id(kTestHospital);
  env.mutable_case_id()->set_episode_id("VT-2025:000123");
  env.set_sender_hsa_id(kTestHospital);
  *env.mutable_occurred_at() = TsFromNow(seconds(-60));
  env.set_schema_version(v1::SCHEMA_VERSION_1);
  auto* patient = env.mutable_patient();
  patient->mutable_identity()->set_kind(v1::PatientIdentity::PERSONNUMMER);
  patient->mutable_identity()->set_id(kValidPersonnummer);
  patient->set_kommunkod(kommunkod);
  if (!listed_vc.empty()) patient->set_listed_care_unit_hsa_id(listed_vc);

  auto* m = env.mutable_inskrivningsmeddelande();
  *m->mutable_admitted_at() = TsFromNow(seconds(-3600));
  m->mutable_name()->set_given_name("Tess");
  m->mutable_name()->set_family_name("Testsson");
  m->mutable_folkbokforing_address()->set_street("Storgatan 1");
  m->mutable_folkbokforing_address()->set_postal_code("302 50");
  m->mutable_folkbokforing_address()->set_city("Halmstad");
  *m->mutable_estimated_discharge_at() = TsFromNow(seconds(5 * 86400));
  if (!listed_vc.empty()) m->add_receiving_unit_hsa_ids(listed_vc);
  m->set_care_type(v1::SOMATIC);
  m->set_sip_expected(true);
  return env;
}

std::string CaseIdString(const v1::Envelope& env) {
  return env.case_id().care_unit_hsa_id() + "/" + env.case_id().episode_id();
}

client::OutgoingMessage ToMessage(const v1::Envelope& env) {
  client::OutgoingMessage msg;
  msg.message_id = env.event_id();
  if (env.has_inskrivningsmeddelande()) msg.subject = "Inskrivningsmeddelande";
  msg.body = env.SerializeAsString();
  return msg;
}

client::OutgoingMessage RawMessage(const std::string& body, const std::string& message_id) {
  client::OutgoingMessage msg;
  msg.message_id = message_id.empty() ? NewEventId() : message_id;
  msg.body = body;
  return msg;
}

}  // namespace slussen::testing
