#include "mapping/adt_mapping.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "mapping/event_ids.h"
#include "mapping_test_util.h"

namespace slussen::ehr {
namespace {

using namespace std::chrono;
using testing::Config;
using testing::Drop;
using testing::Example;
using testing::Seg;

constexpr const char* kA01 = "adt_a01_inskrivning.hl7";
constexpr const char* kA08 = "adt_a08_estimate_changed.hl7";
constexpr const char* kA11 = "adt_a11_cancel_admit.hl7";
const std::string kApp = "COSMIC";
const std::string kFacility = "Hallands sjukhus Halmstad^SE2321000115-SH01^HSA";

int64_t Utc(sys_days day, hours h, minutes m = minutes{0}) {
  return duration_cast<seconds>((day + h + m).time_since_epoch()).count();
}

v1::Envelope Envelope(const MappingOutcome& o) {
  if (const auto* r = std::get_if<Refusal>(&o)) {
    ADD_FAILURE() << "refused: " << r->problems.front().text;
  } else if (const auto* n = std::get_if<NothingToSend>(&o)) {
    ADD_FAILURE() << "nothing to send: " << n->reason;
  }
  const auto* env = std::get_if<v1::Envelope>(&o);
  return env ? *env : v1::Envelope{};
}

std::string Nothing(const MappingOutcome& o) {
  const auto* n = std::get_if<NothingToSend>(&o);
  if (!n) {
    ADD_FAILURE() << "expected nothing to send";
    return "";
  }
  return n->reason;
}

// The refusal's problems as "AE 101 PV1-19" lines.
std::vector<std::string> Problems(const MappingOutcome& o) {
  std::vector<std::string> out;
  const auto* r = std::get_if<Refusal>(&o);
  if (!r) {
    ADD_FAILURE() << "expected a refusal";
    return out;
  }
  for (const auto& p : r->problems) {
    out.push_back(std::string(hl7::AckCodeText(p.ack)) + " " +
                  std::to_string(static_cast<int>(p.code)) + " " + p.location.segment + "-" +
                  std::to_string(p.location.field));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(AdtMapping, A01WithSupportExpectedIsAnInskrivningsmeddelande) {
  const v1::Envelope env = Envelope(MapAdt(Example(kA01), Config()));
  EXPECT_EQ(env.schema_version(), 1u);
  EXPECT_EQ(env.sender_hsa_id(), "SE2321000115-SH01");
  EXPECT_EQ(env.case_id().care_unit_hsa_id(), "SE2321000115-SH01");
  EXPECT_EQ(env.case_id().episode_id(), "VT2026-004711");
  EXPECT_EQ(env.event_id(), InskrivningEventId(kApp, kFacility, env.case_id()));
  EXPECT_TRUE(env.replaces().empty());
  // EVN-6, with its offset.
  EXPECT_EQ(env.occurred_at().seconds(), Utc(2026y / November / 23, hours{7}, minutes{12}));

  const v1::Patient& p = env.patient();
  EXPECT_EQ(p.identity().kind(), v1::PatientIdentity::PERSONNUMMER);
  EXPECT_EQ(p.identity().id(), "190704019801");
  EXPECT_TRUE(p.identity().reserve_oid().empty());
  EXPECT_FALSE(p.identity().protected_identity());
  EXPECT_EQ(p.kommunkod(), "1380");
  EXPECT_EQ(p.listed_care_unit_hsa_id(), "SE2321000115-VC01");

  ASSERT_TRUE(env.has_inskrivningsmeddelande());
  const v1::Inskrivningsmeddelande& m = env.inskrivningsmeddelande();
  EXPECT_EQ(m.admitted_at().seconds(), Utc(2026y / November / 23, hours{7}, minutes{12}));
  EXPECT_EQ(m.assessed_at().seconds(), Utc(2026y / November / 23, hours{9}, minutes{15}));
  EXPECT_EQ(m.name().family_name(), "Karlsson");
  EXPECT_EQ(m.name().given_name(), "Greta Maria");
  EXPECT_EQ(m.folkbokforing_address().street(), "Storgatan 12");
  EXPECT_EQ(m.folkbokforing_address().postal_code(), "302 45");
  EXPECT_EQ(m.folkbokforing_address().city(), "Halmstad");
  // PV2-9 is a date: Stockholm midnight.
  EXPECT_EQ(m.estimated_discharge_at().seconds(), Utc(2026y / November / 26, hours{23}));
  ASSERT_EQ(m.receiving_unit_hsa_ids_size(), 2);
  EXPECT_EQ(m.receiving_unit_hsa_ids(0), "SE2120001380-SOC1");
  EXPECT_EQ(m.receiving_unit_hsa_ids(1), "SE2321000115-VC01");
  EXPECT_EQ(m.care_type(), v1::SOMATIC);
  EXPECT_TRUE(m.sip_expected());
}

TEST(AdtMapping, SameMessageSameBytesSoAResendIsADuplicate) {
  for (const char* name : {kA01, kA08, kA11}) {
    const v1::Envelope a = Envelope(MapAdt(Example(name), Config()));
    const v1::Envelope b = Envelope(MapAdt(Example(name), Config()));
    EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString()) << name;
  }
}

TEST(AdtMapping, A01WithoutSupportExpectedSendsNothing) {
  hl7::Message m = Example(kA01);
  Seg(m, "ZSP").Set(1, "N");
  EXPECT_NE(Nothing(MapAdt(m, Config())).find("no inskrivningsmeddelande"), std::string::npos);
  Drop(m, "ZSP");
  EXPECT_NE(Nothing(MapAdt(m, Config())).find("ZSP-1 is not Y"), std::string::npos);
}

TEST(AdtMapping, TheZSegmentNameIsConfigurable) {
  hl7::Message m = Example(kA01);
  MappingConfig c = Config();
  c.z_segment = "ZHA";
  EXPECT_FALSE(std::holds_alternative<v1::Envelope>(MapAdt(m, c)));
  hl7::Segment& zsp = Seg(m, "ZSP");
  hl7::Segment zha("ZHA");
  for (int f = 1; f <= zsp.field_count(); ++f) zha.SetField(f, *zsp.field(f));
  zsp = zha;
  EXPECT_TRUE(Envelope(MapAdt(m, c)).has_inskrivningsmeddelande());
}

TEST(AdtMapping, AssessmentBeforeAdmissionIsNoLaterAssessment) {
  hl7::Message m = Example(kA01);
  Seg(m, "ZSP").Set(2, "20261123080000+0100");
  EXPECT_FALSE(Envelope(MapAdt(m, Config())).inskrivningsmeddelande().has_assessed_at());
}

TEST(AdtMapping, AdmissionTimeFallsBackToTheEventTime) {
  hl7::Message m = Example(kA01);
  Seg(m, "PV1").Set(44, "");
  Seg(m, "EVN").Set(6, "20261123074500+0100");
  const v1::Envelope env = Envelope(MapAdt(m, Config()));
  EXPECT_EQ(env.inskrivningsmeddelande().admitted_at().seconds(),
            Utc(2026y / November / 23, hours{6}, minutes{45}));
}

TEST(AdtMapping, EventTimeIsEvn6ThenEvn2ThenMsh7) {
  hl7::Message m = Example(kA01);
  Seg(m, "EVN").Set(6, "");
  EXPECT_EQ(Envelope(MapAdt(m, Config())).occurred_at().seconds(),
            Utc(2026y / November / 23, hours{9}, minutes{30}) + 2);
  Drop(m, "EVN");
  Seg(m, "MSH").Set(7, "20261123110000");  // no offset: Stockholm time
  EXPECT_EQ(Envelope(MapAdt(m, Config())).occurred_at().seconds(),
            Utc(2026y / November / 23, hours{10}));
  Seg(m, "MSH").Set(7, "");
  EXPECT_EQ(Problems(MapAdt(m, Config())), (V{"AE 101 EVN-2"}));
}

// Issue 15 item 4: MSH-7 (when the EHR created the message) is the source system's send time,
// beside whichever time is occurred_at; absent MSH-7, none; a malformed one is refused (AE 102).
TEST(AdtMapping, Msh7IsTheSourceSendTime) {
  hl7::Message m = Example(kA01);
  const v1::Envelope env = Envelope(MapAdt(m, Config()));
  ASSERT_TRUE(env.has_source_sent_at());
  EXPECT_EQ(env.source_sent_at().seconds(), Utc(2026y / November / 23, hours{9}, minutes{30}) + 2);
  EXPECT_EQ(env.occurred_at().seconds(), Utc(2026y / November / 23, hours{7}, minutes{12}))
      << "EVN-6 stays the event's time";

  Seg(m, "MSH").Set(7, "");
  EXPECT_FALSE(Envelope(MapAdt(m, Config())).has_source_sent_at());
  Seg(m, "MSH").Set(7, "2026-11-23");
  EXPECT_EQ(Problems(MapAdt(m, Config())), (V{"AE 102 MSH-7"}));
}

TEST(AdtMapping, PatientIdentifiersBySwedishOid) {
  hl7::Message m = Example(kA01);
  hl7::Segment& pid = Seg(m, "PID");
  // Invented identifiers below fail the Luhn check, so they cannot be anyone's.
  // Samordningsnummer first in the list, personnummer second: the personnummer wins.
  pid.SetField(3, hl7::Field{});
  pid.Set(3, 1, 1, 1, "190704619801");
  pid.Set(3, 1, 4, 2, "1.2.752.129.2.1.3.3");
  pid.Set(3, 2, 1, 1, "190704019801");
  pid.Set(3, 2, 4, 2, "1.2.752.129.2.1.3.1");
  EXPECT_EQ(Envelope(MapAdt(m, Config())).patient().identity().id(), "190704019801");

  pid.SetField(3, hl7::Field{});
  pid.Set(3, 1, 1, 1, "5555");
  pid.Set(3, 1, 4, 2, "1.2.3.4");  // a local id
  pid.Set(3, 2, 1, 1, "190704619801");
  pid.Set(3, 2, 4, 1, "1.2.752.129.2.1.3.3");  // the OID as namespace id: accepted
  auto ident = Envelope(MapAdt(m, Config())).patient().identity();
  EXPECT_EQ(ident.kind(), v1::PatientIdentity::SAMORDNINGSNUMMER);
  EXPECT_EQ(ident.id(), "190704619801");

  pid.SetField(3, hl7::Field{});
  pid.Set(3, 1, 1, 1, "992026000018");
  pid.Set(3, 1, 4, 2, "1.2.752.97.3.1.3");
  ident = Envelope(MapAdt(m, Config())).patient().identity();
  EXPECT_EQ(ident.kind(), v1::PatientIdentity::RESERVNUMMER);
  EXPECT_EQ(ident.id(), "992026000018");
  EXPECT_EQ(ident.reserve_oid(), "1.2.752.97.3.1.3");

  MappingConfig no_reserve = Config();
  no_reserve.reservnummer_oids.clear();
  EXPECT_EQ(Problems(MapAdt(m, no_reserve)), (V{"AE 204 PID-3"}));

  pid.SetField(3, hl7::Field{});
  EXPECT_EQ(Problems(MapAdt(m, Config())), (V{"AE 101 PID-3"}));
}

TEST(AdtMapping, ProtectedIdentityFromPd1ProtectionIndicator) {
  hl7::Message m = Example(kA01);
  Seg(m, "PD1").Set(12, "Y");
  EXPECT_TRUE(Envelope(MapAdt(m, Config())).patient().identity().protected_identity());
  Seg(m, "PD1").Set(12, "maybe");
  EXPECT_EQ(Problems(MapAdt(m, Config())), (V{"AE 103 PD1-12"}));
}

TEST(AdtMapping, ListedVardcentralFromPd1AndNoneWithoutIt) {
  hl7::Message m = Example(kA01);
  hl7::Segment& pd1 = Seg(m, "PD1");
  pd1.SetField(3, hl7::Field{});
  pd1.Set(3, 1, 3, 1, "SE2321000115-VC02");  // XON.3, older senders
  EXPECT_EQ(Envelope(MapAdt(m, Config())).patient().listed_care_unit_hsa_id(), "SE2321000115-VC02");
  Drop(m, "PD1");
  EXPECT_EQ(Envelope(MapAdt(m, Config())).patient().listed_care_unit_hsa_id(), "");
}

TEST(AdtMapping, LegalAddressAndNameArePreferred) {
  hl7::Message m = Example(kA01);
  hl7::Segment& pid = Seg(m, "PID");
  hl7::Field addresses;
  addresses.push_back({{"Sommarvägen 1"}, {}, {"Laholm"}, {}, {"31231"}, {"SWE"}, {"M"}, {}, {"1381"}});
  addresses.push_back(pid.field(11)->front());
  pid.SetField(11, addresses);
  hl7::Field names;
  names.push_back({{"Smeknamn"}, {"G"}, {}, {}, {}, {}, {"N"}});
  names.push_back(pid.field(5)->front());
  pid.SetField(5, names);
  const v1::Envelope env = Envelope(MapAdt(m, Config()));
  EXPECT_EQ(env.patient().kommunkod(), "1380");
  EXPECT_EQ(env.inskrivningsmeddelande().folkbokforing_address().city(), "Halmstad");
  EXPECT_EQ(env.inskrivningsmeddelande().name().family_name(), "Karlsson");
}

TEST(AdtMapping, WhatCannotBeMappedIsRefusedWithItsLocation) {
  {
    hl7::Message m = Example(kA01);
    Seg(m, "PV1").Set(19, "");
    Seg(m, "PV2").Set(9, "");
    Seg(m, "PID").SetField(11, hl7::Field{});
    EXPECT_EQ(Problems(MapAdt(m, Config())), (V{"AE 101 PID-11", "AE 101 PV1-19", "AE 101 PV2-9"}));
  }
  {
    hl7::Message m = Example(kA01);
    Drop(m, "PID");
    Drop(m, "PV1");
    EXPECT_EQ(Problems(MapAdt(m, Config())), (V{"AE 101 PID-0", "AE 101 PV1-0"}));
  }
  {
    hl7::Message m = Example(kA01);
    Seg(m, "EVN").Set(6, "2026-11-23");
    Seg(m, "PV2").Set(9, "20261399");
    Seg(m, "ZSP").Set(3, "X");
    Seg(m, "ZSP").Set(4, "ja");
    EXPECT_EQ(Problems(MapAdt(m, Config())),
              (V{"AE 102 EVN-6", "AE 102 PV2-9", "AE 103 ZSP-3", "AE 103 ZSP-4"}));
  }
  {
    hl7::Message m = Example(kA01);
    Seg(m, "ZSP").Set(1, "J");
    EXPECT_EQ(Problems(MapAdt(m, Config())), (V{"AE 103 ZSP-1"}));
  }
  {
    MappingConfig c = Config();
    c.care_unit_hsa_id.clear();
    EXPECT_EQ(Problems(MapAdt(Example(kA01), c)), (V{"AE 101 PV1-3"}));
  }
}

TEST(AdtMapping, CareUnitFromPv1WhenConfigured) {
  MappingConfig c = Config();
  c.care_unit_from_pv1 = true;
  c.care_unit_hsa_id = "SE2321000115-XXXX";
  hl7::Message m = Example(kA01);
  Seg(m, "PV1").Set(3, 1, 4, 1, "SE2321000115-MED3");
  EXPECT_EQ(Envelope(MapAdt(m, c)).case_id().care_unit_hsa_id(), "SE2321000115-MED3");
  Seg(m, "PV1").Set(3, 1, 4, 1, "");
  EXPECT_EQ(Envelope(MapAdt(m, c)).case_id().care_unit_hsa_id(), "SE2321000115-XXXX");
}

TEST(AdtMapping, HeaderProblemsAreRejections) {
  auto with = [](int field, int comp, const std::string& value) {
    hl7::Message m = Example(kA01);
    Seg(m, "MSH").Set(field, 1, comp, 1, value);
    return Problems(MapAdt(m, Config()));
  };
  EXPECT_EQ(with(9, 1, "ORU"), (V{"AR 200 MSH-9"}));
  EXPECT_EQ(with(9, 2, "A04"), (V{"AR 201 MSH-9"}));
  EXPECT_EQ(with(9, 2, ""), (V{"AR 201 MSH-9"}));
  EXPECT_EQ(with(10, 1, ""), (V{"AR 101 MSH-10"}));
  EXPECT_EQ(with(11, 1, "T"), (V{"AR 202 MSH-11"}));
  EXPECT_EQ(with(12, 1, "3.0"), (V{"AR 203 MSH-12"}));
  hl7::Message v23 = Example(kA01);
  Seg(v23, "MSH").Set(12, "2.3");
  EXPECT_TRUE(std::holds_alternative<v1::Envelope>(MapAdt(v23, Config())));
  MappingConfig any = Config();
  any.processing_id.clear();
  hl7::Message m = Example(kA01);
  Seg(m, "MSH").Set(11, "T");
  EXPECT_TRUE(std::holds_alternative<v1::Envelope>(MapAdt(m, any)));
}

TEST(AdtMapping, A08WithAChangedEstimateIsEstimatedDischargeChanged) {
  const v1::Envelope env = Envelope(MapAdt(Example(kA08), Config()));
  EXPECT_EQ(env.event_id(), MessageEventId(kApp, kFacility, "HSH20261125000342"));
  EXPECT_EQ(env.case_id().episode_id(), "VT2026-004711");
  // EVN-6 without an offset: Stockholm time, 09:15 CET.
  EXPECT_EQ(env.occurred_at().seconds(), Utc(2026y / November / 25, hours{8}, minutes{15}));
  EXPECT_EQ(env.patient().identity().id(), "190704019801");
  ASSERT_TRUE(env.has_estimated_discharge_changed());
  const auto& c = env.estimated_discharge_changed();
  EXPECT_EQ(c.previous_estimate().seconds(), Utc(2026y / November / 26, hours{23}));
  EXPECT_EQ(c.new_estimate().seconds(), Utc(2026y / November / 28, hours{23}));
}

TEST(AdtMapping, A08WithoutAChangeSendsNothing) {
  hl7::Message m = Example(kA08);
  Seg(m, "ZSP").Set(6, "20261129");
  EXPECT_NE(Nothing(MapAdt(m, Config())).find("last notified"), std::string::npos);
  // The same instant written differently is no change either.
  Seg(m, "ZSP").Set(6, "202611290000+0100");
  EXPECT_NE(Nothing(MapAdt(m, Config())).find("last notified"), std::string::npos);
  Seg(m, "PV2").Set(9, "");
  EXPECT_NE(Nothing(MapAdt(m, Config())).find("PV2-9"), std::string::npos);
  Seg(m, "ZSP").Set(1, "N");
  EXPECT_NE(Nothing(MapAdt(m, Config())).find("nothing to notify"), std::string::npos);
}

TEST(AdtMapping, A08WithoutAPreviousEstimateNotifiesTheEstimate) {
  hl7::Message m = Example(kA08);
  Seg(m, "ZSP").Set(6, "");
  const auto c = Envelope(MapAdt(m, Config())).estimated_discharge_changed();
  EXPECT_FALSE(c.has_previous_estimate());
  EXPECT_EQ(c.new_estimate().seconds(), Utc(2026y / November / 28, hours{23}));
  Seg(m, "ZSP").Set(6, "soon");
  EXPECT_EQ(Problems(MapAdt(m, Config())), (V{"AE 102 ZSP-6"}));
}

TEST(AdtMapping, A11CancelsTheInskrivningsmeddelandeOfA01) {
  const v1::Envelope admit = Envelope(MapAdt(Example(kA01), Config()));
  const v1::Envelope cancel = Envelope(MapAdt(Example(kA11), Config()));
  ASSERT_TRUE(cancel.has_cancellation());
  EXPECT_EQ(cancel.cancellation().cancelled_event_id(), admit.event_id());
  EXPECT_FALSE(cancel.cancellation().reason().empty());
  EXPECT_EQ(cancel.event_id(), MessageEventId(kApp, kFacility, "HSH20261123000119"));
  EXPECT_NE(cancel.event_id(), admit.event_id());
  EXPECT_EQ(cancel.case_id().SerializeAsString(), admit.case_id().SerializeAsString());
  EXPECT_EQ(cancel.patient().kommunkod(), "1380");
  EXPECT_EQ(cancel.occurred_at().seconds(), Utc(2026y / November / 23, hours{10}, minutes{20}));
}

TEST(AdtMapping, A11WithoutSupportExpectedSendsNothing) {
  hl7::Message m = Example(kA11);
  Seg(m, "ZSP").Set(1, "N");
  EXPECT_NE(Nothing(MapAdt(m, Config())).find("no inskrivningsmeddelande to cancel"),
            std::string::npos);
}

TEST(AdtMapping, TransferSendsNothing) {
  EXPECT_NE(Nothing(MapAdt(Example("adt_a02_transfer.hl7"), Config())).find("A02"),
            std::string::npos);
}

// Issue 15 item 6: A03 is the discharge itself (kind Utskrivning, the 3 kap. 2 § transfer is due by
// the end of its day), not the utskrivningsmeddelande; A13 cancels it, naming it by PV1-45.
TEST(AdtMapping, A03IsTheDischargeFactAndA13CancelsIt_3kap2) {
  const v1::Envelope discharge = Envelope(MapAdt(Example("adt_a03_discharge.hl7"), Config()));
  ASSERT_TRUE(discharge.has_utskrivning());
  EXPECT_EQ(discharge.utskrivning().discharged_at().seconds(),
            Utc(2026y / November / 29, hours{10}, minutes{25}));  // PV1-45 11:25 +01:00
  EXPECT_EQ(discharge.event_id(), DischargeEventId(kApp, kFacility, discharge.case_id(),
                                                   discharge.utskrivning().discharged_at()));
  EXPECT_EQ(discharge.case_id().episode_id(), "VT2026-004711");

  const v1::Envelope cancel = Envelope(MapAdt(Example("adt_a13_cancel_discharge.hl7"), Config()));
  ASSERT_TRUE(cancel.has_cancellation());
  EXPECT_EQ(cancel.cancellation().cancelled_event_id(), discharge.event_id());
  EXPECT_EQ(cancel.event_id(), MessageEventId(kApp, kFacility, "HSH20261129000415"));

  // Without PV1-45 the discharge time is the event's (EVN-6); an A13 without it cannot name it.
  hl7::Message a03 = Example("adt_a03_discharge.hl7");
  Seg(a03, "PV1").Set(45, "");
  const v1::Envelope from_evn = Envelope(MapAdt(a03, Config()));
  EXPECT_EQ(from_evn.utskrivning().discharged_at().seconds(),
            Utc(2026y / November / 29, hours{10}, minutes{25}));
  hl7::Message a13 = Example("adt_a13_cancel_discharge.hl7");
  Seg(a13, "PV1").Set(45, "");
  const MappingOutcome refused = MapAdt(a13, Config());
  ASSERT_TRUE(std::holds_alternative<Refusal>(refused));
  EXPECT_NE(std::get<Refusal>(refused).problems.front().text.find("PV1-45"), std::string::npos);

  // A patient without an inskrivningsmeddelande has no case to track.
  hl7::Message none = Example("adt_a03_discharge.hl7");
  Seg(none, "ZSP").Set(1, "N");
  EXPECT_NE(Nothing(MapAdt(none, Config())).find("no case to track"), std::string::npos);
}

}  // namespace
}  // namespace slussen::ehr
