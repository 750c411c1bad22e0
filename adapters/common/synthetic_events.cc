#include "synthetic_events.h"

#include <google/protobuf/timestamp.pb.h>

#include <array>
#include <functional>
#include <string_view>

#include "wire/event_kind.h"
#include "wire/uuid_v4.h"

namespace slussen::client {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::system_clock;

// One invented person per test personnummer. Sex in the names follows the personnummer's
// ninth digit (odd: man), so the data does not contradict itself.
struct Person {
  std::string_view personnummer;
  std::string_view given_name;
  std::string_view family_name;
  std::string_view street;
  std::string_view postal_code;
  std::string_view city;
  std::string_view kommunkod;
  std::string_view listed_vc;  // empty: none
};

constexpr std::array<Person, 8> kPersons{{
    {"202508242381", "Elsa", "Lindqvist", "Storgatan 12", "314 30", "Hyltebruk", "1315",
     "SE2321000115-VC02"},
    {"202510022383", "Alva", "Bergström", "Tallvägen 4", "302 40", "Halmstad", "1380",
     "SE2321000115-VC01"},
    {"202503082386", "Maja", "Holm", "Kvarngatan 7", "312 31", "Laholm", "1381",
     "SE2321000115-VC01"},
    {"200306062381", "Ebba", "Nyström", "Strandvägen 21", "311 42", "Falkenberg", "1382", ""},
    {"200802122390", "Oskar", "Sandberg", "Kyrkogatan 3", "432 41", "Varberg", "1383",
     "SE2321000115-VC03"},
    {"200607092384", "Wilma", "Ekström", "Björkvägen 15", "434 30", "Kungsbacka", "1384",
     "SE2321000115-VC03"},
    {"190704019801", "Greta", "Johansson", "Ängsvägen 2", "314 32", "Hyltebruk", "1315",
     "SE2321000115-VC02"},
    {"189506299818", "Karl", "Axelsson", "Hamngatan 9", "302 42", "Halmstad", "1380", ""},
}};

// Wards of the sending hospital; HSA-id local parts may not contain '-', hence "SH01AVD21".
constexpr std::array<std::string_view, 3> kWards{
    "SE2321000115-SH01AVD21", "SE2321000115-SH01AVD34", "SE2321000115-SH01AVD42"};

// Offsets of the chain's events from admission.
constexpr auto kInskrivning = hours(3);
constexpr auto kPlanering = hours(20);
constexpr auto kEstimateChanged = days(1) + hours(6);
constexpr auto kUtskrivningsklar = days(3) + hours(2);
constexpr auto kKallelse = days(3) + hours(4);
constexpr auto kUtskrivning = days(4);
constexpr auto kFirstEstimate = days(5);
constexpr auto kSecondEstimate = days(4);
constexpr auto kSipMeeting = days(4) - hours(3);

void SetTime(google::protobuf::Timestamp* ts, system_clock::time_point t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
  ts->set_seconds(us.count() / 1000000);
  ts->set_nanos(static_cast<int>(us.count() % 1000000) * 1000);
}

std::string KommunSocialtjanst(const std::string& kommunkod) {
  // The demo config's invented socialtjänst HSA-ids: "SE212000" + kommunkod + "-SOC1".
  return "SE212000" + kommunkod + "-SOC1";
}

}  // namespace

const std::vector<std::string>& TestPersonnummer() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (const Person& p : kPersons) v.emplace_back(p.personnummer);
    return v;
  }();
  return all;
}

SyntheticPatient MakeSyntheticPatient(long n) {
  if (n < 0) n = -n;
  const Person& p = kPersons[static_cast<std::size_t>(n) % kPersons.size()];
  SyntheticPatient s;
  s.personnummer = p.personnummer;
  s.given_name = p.given_name;
  s.family_name = p.family_name;
  s.street = p.street;
  s.postal_code = p.postal_code;
  s.city = p.city;
  s.kommunkod = p.kommunkod;
  s.listed_vc_hsa_id = p.listed_vc;
  s.care_unit_hsa_id = kWards[static_cast<std::size_t>(n / 8) % kWards.size()];
  s.episode_id = "VT-" + std::to_string(n);
  return s;
}

system_clock::duration SyntheticChainSpan() { return kUtskrivning + minutes(50); }

std::vector<v1::Envelope> SyntheticChain(const SyntheticPatient& patient,
                                         system_clock::time_point admitted) {
  // A little per-case variation so that not every case ticks at the same minute.
  const auto jitter = minutes(std::hash<std::string>{}(patient.episode_id) % 50);
  const auto now = system_clock::now();
  if (admitted + kUtskrivning + jitter > now) admitted = now - kUtskrivning - jitter;
  auto at = [&](system_clock::duration offset) { return admitted + offset + jitter; };

  std::vector<std::string> receivers{KommunSocialtjanst(patient.kommunkod)};
  if (!patient.listed_vc_hsa_id.empty()) receivers.push_back(patient.listed_vc_hsa_id);

  auto base = [&](system_clock::duration offset) {
    v1::Envelope env;
    env.set_event_id(RandomUuidV4());
    env.mutable_case_id()->set_care_unit_hsa_id(patient.care_unit_hsa_id);
    env.mutable_case_id()->set_episode_id(patient.episode_id);
    auto* ident = env.mutable_patient()->mutable_identity();
    ident->set_kind(v1::PatientIdentity::PERSONNUMMER);
    ident->set_id(patient.personnummer);
    env.mutable_patient()->set_kommunkod(patient.kommunkod);
    env.mutable_patient()->set_listed_care_unit_hsa_id(patient.listed_vc_hsa_id);
    env.set_sender_hsa_id(kSyntheticSender);
    SetTime(env.mutable_occurred_at(), at(offset));
    env.set_schema_version(v1::SCHEMA_VERSION_1);
    return env;
  };

  std::vector<v1::Envelope> chain;

  {
    v1::Envelope env = base(kInskrivning);
    auto* m = env.mutable_inskrivningsmeddelande();
    SetTime(m->mutable_admitted_at(), admitted);
    m->mutable_name()->set_given_name(patient.given_name);
    m->mutable_name()->set_family_name(patient.family_name);
    m->mutable_folkbokforing_address()->set_street(patient.street);
    m->mutable_folkbokforing_address()->set_postal_code(patient.postal_code);
    m->mutable_folkbokforing_address()->set_city(patient.city);
    SetTime(m->mutable_estimated_discharge_at(), admitted + kFirstEstimate);
    for (const auto& r : receivers) m->add_receiving_unit_hsa_ids(r);
    m->set_care_type(v1::SOMATIC);
    m->set_sip_expected(true);
    chain.push_back(std::move(env));
  }
  {
    v1::Envelope env = base(kPlanering);
    auto* m = env.mutable_planeringsunderlag();
    m->set_direction(v1::Planeringsunderlag::REQUEST);
    auto add = [m](const char* code, const char* text) {
      auto* item = m->add_items();
      item->set_code(code);
      item->set_text(text);
    };
    add("ADL", "Behöver hjälp med personlig hygien och påklädning");
    add("HEMTJANST", "Hemtjänst önskas morgon och kväll");
    add("TRYGGHETSLARM", "Saknar trygghetslarm");
    chain.push_back(std::move(env));
  }
  {
    v1::Envelope env = base(kEstimateChanged);
    auto* m = env.mutable_estimated_discharge_changed();
    SetTime(m->mutable_previous_estimate(), admitted + kFirstEstimate);
    SetTime(m->mutable_new_estimate(), admitted + kSecondEstimate);
    chain.push_back(std::move(env));
  }
  {
    v1::Envelope env = base(kUtskrivningsklar);
    auto* m = env.mutable_utskrivningsklar();
    SetTime(m->mutable_decided_at(), at(kUtskrivningsklar));
    m->set_physician_hsa_id("SE2321000115-LAK0042");
    m->set_care_type(v1::SOMATIC);
    chain.push_back(std::move(env));
  }
  {
    v1::Envelope env = base(kKallelse);
    auto* m = env.mutable_kallelse_sip();
    SetTime(m->mutable_meeting_at(), admitted + kSipMeeting);
    // Fast vårdkontakt is the listed vårdcentral; without one the ward keeps the role.
    m->set_fast_vardkontakt_hsa_id(patient.listed_vc_hsa_id.empty() ? patient.care_unit_hsa_id
                                                                    : patient.listed_vc_hsa_id);
    for (const auto& r : receivers) m->add_participant_hsa_ids(r);
    m->add_participant_hsa_ids(patient.care_unit_hsa_id);
    chain.push_back(std::move(env));
  }
  {
    v1::Envelope env = base(kUtskrivning);
    auto* m = env.mutable_utskrivningsmeddelande();
    SetTime(m->mutable_discharged_at(), at(kUtskrivning));
    auto add = [m](const char* code, bool done, const char* comment) {
      auto* item = m->add_hemgangsklar();
      item->set_code(code);
      item->set_done(done);
      item->set_comment(comment);
    };
    add("LAKEMEDELSLISTA", true, "Aktuell läkemedelslista överlämnad");
    add("HJALPMEDEL", true, "Rollator levererad till bostaden");
    add("HEMTJANST", true, "Hemtjänst startar samma dag");
    add("SJUKRESA", false, "Sjukresa beställs av avdelningen");
    chain.push_back(std::move(env));
  }
  return chain;
}

OutgoingMessage ToMessage(const v1::Envelope& env) {
  OutgoingMessage msg;
  msg.message_id = env.event_id();
  const auto kind = KindOf(env);
  if (kind) msg.subject = std::string(EventKindName(*kind));
  msg.body = env.SerializeAsString();
  if (kind) msg.properties["event_type"] = msg.subject;
  msg.properties["case_id"] = env.case_id().care_unit_hsa_id() + "/" + env.case_id().episode_id();
  msg.properties["schema_version"] = std::to_string(env.schema_version());
  return msg;
}

}  // namespace slussen::client
