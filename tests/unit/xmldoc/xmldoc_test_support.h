#pragma once
// Envelopes of every kind with every optional field set, for the xmldoc tests.
#include <google/protobuf/util/message_differencer.h>

#include <chrono>
#include <string>

#include "slussen/v1/events.pb.h"
#include "testing/test_envelopes.h"
#include "wire/event_kind.h"

namespace slussen::xmldoc::testing {

// The destination a municipality adapter serves, restored on a Receipt read from a kvittens.
inline constexpr char kReceivingSystem[] = "kommun-1380";

// 2026-11-23T08:41:07.123456789Z: a fixed instant with nanoseconds.
inline std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1'795'423'267)) +
         std::chrono::nanoseconds(123'456'789);
}

// testing::ValidEnvelope(kind) at FixedNow(), with the optional fields it leaves empty filled in
// (replaces, protected identity, texts with åäö and line breaks, items), so that a round trip
// exercises every element of the document.
inline v1::Envelope FullEnvelope(EventKind kind) {
  slussen::testing::EnvelopeSpec spec;
  spec.event_id = "5d3c1a2b-7e8f-4a9b-8c1d-2e3f4a5b6c7d";
  spec.now = FixedNow();
  v1::Envelope env = slussen::testing::ValidEnvelope(kind, spec);
  env.set_replaces("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0");
  if (env.has_patient()) env.mutable_patient()->mutable_identity()->set_protected_identity(true);
  switch (kind) {
    case EventKind::kInskrivningsmeddelande: {
      auto* m = env.mutable_inskrivningsmeddelande();
      *m->mutable_assessed_at() = slussen::testing::Ts(FixedNow() - std::chrono::minutes(30));
      m->mutable_name()->set_given_name("Åsa Märta");
      m->mutable_name()->set_family_name("Öberg-Ståhl");
      m->mutable_folkbokforing_address()->set_street("Ängsvägen 2 <lgh 1102> & \"gården\"");
      m->add_receiving_unit_hsa_ids("SE2120001380-SOC1");
      break;
    }
    case EventKind::kPlaneringsunderlag:
    case EventKind::kPlaneringsunderlagSvar: {
      auto* m = env.mutable_planeringsunderlag();
      m->set_responding_unit_hsa_id("SE2120001380-SOC1");
      m->add_items()->set_code("ADL");
      m->mutable_items(m->items_size() - 1)->set_text("Behöver hjälp\r\nmorgon och kväll.\n");
      m->add_items()->set_code("TRYGGHETSLARM");
      break;
    }
    case EventKind::kUtskrivningsklarWithdrawn:
      env.mutable_utskrivningsklar_withdrawn()->set_reason("Feber; ny bedömning imorgon");
      break;
    case EventKind::kUtskrivningsmeddelande: {
      auto* m = env.mutable_utskrivningsmeddelande();
      auto* a = m->add_hemgangsklar();
      a->set_code("LAKEMEDELSLISTA");
      a->set_done(true);
      a->set_comment("Överlämnad");
      auto* b = m->add_hemgangsklar();
      b->set_code("SJUKRESA");
      b->set_done(false);
      break;
    }
    case EventKind::kReceipt:
      env.mutable_receipt()->set_receiving_system(kReceivingSystem);
      break;
    default:
      break;
  }
  return env;
}

// Field-by-field equality with the differences spelled out on failure.
inline std::string Differences(const v1::Envelope& a, const v1::Envelope& b) {
  std::string report;
  google::protobuf::util::MessageDifferencer d;
  d.ReportDifferencesToString(&report);
  return d.Compare(a, b) ? std::string() : report.empty() ? "differ" : report;
}

}  // namespace slussen::xmldoc::testing
