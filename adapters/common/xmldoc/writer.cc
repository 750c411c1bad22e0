// WriteDocument: an Envelope to the document of its kind with libxml2's text writer, which
// escapes every value; then the result is validated against the schema, so an event the schema
// refuses (the hub checks less than the schema does, e.g. planning item codes) becomes an error
// here rather than a document a receiving system turns away.
#include <vector>

#include "xmldoc/parse.h"
#include "xmldoc/text_writer.h"
#include "xmldoc/xmldoc.h"

namespace slussen::xmldoc {
namespace {

void WriteIdentity(const v1::PatientIdentity& ident, TextWriter& w) {
  using K = v1::PatientIdentity;
  const char* element = nullptr;
  std::string oid;
  switch (ident.kind()) {
    case K::PERSONNUMMER:
      element = "personnummer";
      oid = "1.2.752.129.2.1.3.1";
      break;
    case K::SAMORDNINGSNUMMER:
      element = "samordningsnummer";
      oid = "1.2.752.129.2.1.3.3";
      break;
    case K::RESERVNUMMER:
      element = "reservnummer";
      oid = ident.reserve_oid();
      break;
    default:
      w.Problem("patient.identity.kind",
                ident.kind() == K::KIND_UNSPECIFIED ? "missing" : "unknown value");
      return;
  }
  if (ident.kind() != K::RESERVNUMMER && !ident.reserve_oid().empty()) {
    w.Problem("patient.identity.reserve_oid", "must be empty unless kind is RESERVNUMMER");
  }
  w.Start(element);
  w.Attribute("oid", oid, "patient.identity.reserve_oid");
  w.Text(ident.id(), "patient.identity.id");
  w.End();
}

void WritePatient(const v1::Patient& p, TextWriter& w) {
  w.Start("patient");
  WriteIdentity(p.identity(), w);
  w.Bool("skyddad-identitet", p.identity().protected_identity());
  w.Element("kommunkod", p.kommunkod(), "patient.kommunkod");
  w.OptionalElement("listad-vardenhet-hsa-id", p.listed_care_unit_hsa_id(),
                    "patient.listed_care_unit_hsa_id");
  w.OptionalElement("placerande-kommunkod", p.placing_kommunkod(), "patient.placing_kommunkod");
  if (p.sarskilt_boende()) w.Bool("sarskilt-boende", true);
  w.End();
}

// "gront"/"gult"/"rott"; nothing when none is named.
void WriteTrack(v1::Planeringsunderlag::Track t, TextWriter& w) {
  switch (t) {
    case v1::Planeringsunderlag::TRACK_UNSPECIFIED: return;
    case v1::Planeringsunderlag::GRONT: w.Element("spar", "gront", "planeringsunderlag.track"); return;
    case v1::Planeringsunderlag::GULT: w.Element("spar", "gult", "planeringsunderlag.track"); return;
    case v1::Planeringsunderlag::RODT: w.Element("spar", "rott", "planeringsunderlag.track"); return;
    default: w.Problem("planeringsunderlag.track", "unknown value " + std::to_string(t)); return;
  }
}

void WriteHeader(const v1::Envelope& env, EventKind kind, TextWriter& w) {
  w.Start("huvud");
  w.Element("dokument-id", env.event_id(), "event_id");
  w.OptionalElement("ersatter-dokument-id", env.replaces(), "replaces");
  w.Start("vardtillfalle");
  w.Element("vardenhet-hsa-id", env.case_id().care_unit_hsa_id(), "case_id.care_unit_hsa_id");
  w.Element("vardtillfalle-id", env.case_id().episode_id(), "case_id.episode_id");
  w.End();
  w.Element("avsandare-hsa-id", env.sender_hsa_id(), "sender_hsa_id");
  w.Time("handelsetidpunkt", true, env.occurred_at(), "occurred_at");
  w.Time("skickad-tidpunkt", env.has_source_sent_at(), env.source_sent_at(), "source_sent_at");
  if (env.has_patient()) {
    WritePatient(env.patient(), w);
  } else if (kind != EventKind::kReceipt) {
    w.Problem("patient", "missing");
  }
  w.End();
}

// "somatisk"/"psykiatrisk"; nothing for CARE_TYPE_UNSPECIFIED unless `required`.
void WriteCareType(v1::CareType t, bool required, std::string_view path, TextWriter& w) {
  switch (t) {
    case v1::SOMATIC: w.Element("vardform", "somatisk", path); return;
    case v1::PSYCHIATRIC: w.Element("vardform", "psykiatrisk", path); return;
    case v1::CARE_TYPE_UNSPECIFIED:
      if (required) w.Problem(path, "missing (SOMATIC or PSYCHIATRIC)");
      return;
    default: w.Problem(path, "unknown value " + std::to_string(t)); return;
  }
}

// "lpt"/"lrv"; nothing for NONE.
void WriteSamordnadVardplan(v1::SamordnadVardplan v, std::string_view path, TextWriter& w) {
  switch (v) {
    case v1::SAMORDNAD_VARDPLAN_NONE: return;
    case v1::SAMORDNAD_VARDPLAN_LPT: w.Element("samordnad-vardplan", "lpt", path); return;
    case v1::SAMORDNAD_VARDPLAN_LRV: w.Element("samordnad-vardplan", "lrv", path); return;
    default: w.Problem(path, "unknown value " + std::to_string(v)); return;
  }
}

void WritePlanningItems(const v1::Planeringsunderlag& m, TextWriter& w) {
  for (int i = 0; i < m.items_size(); ++i) {
    const std::string path = "planeringsunderlag.items[" + std::to_string(i) + "]";
    w.Start("punkt");
    w.Element("kod", m.items(i).code(), path + ".code");
    w.OptionalElement("text", m.items(i).text(), path + ".text");
    w.End();
  }
}

void WritePayload(const v1::Envelope& env, EventKind kind, TextWriter& w) {
  switch (kind) {
    case EventKind::kInskrivningsmeddelande: {
      const auto& m = env.inskrivningsmeddelande();
      w.Time("inskrivningstidpunkt", true, m.admitted_at(), "inskrivningsmeddelande.admitted_at");
      w.Time("bedomningstidpunkt", m.has_assessed_at(), m.assessed_at(),
             "inskrivningsmeddelande.assessed_at");
      w.Start("namn");
      w.OptionalElement("fornamn", m.name().given_name(), "inskrivningsmeddelande.name.given_name");
      w.Element("efternamn", m.name().family_name(), "inskrivningsmeddelande.name.family_name");
      w.End();
      const auto& a = m.folkbokforing_address();
      w.Start("folkbokforingsadress");
      w.Element("utdelningsadress", a.street(), "inskrivningsmeddelande.folkbokforing_address.street");
      w.Element("postnummer", a.postal_code(),
                "inskrivningsmeddelande.folkbokforing_address.postal_code");
      w.Element("postort", a.city(), "inskrivningsmeddelande.folkbokforing_address.city");
      w.End();
      w.Time("beraknad-utskrivning", true, m.estimated_discharge_at(),
             "inskrivningsmeddelande.estimated_discharge_at");
      WriteCareType(m.care_type(), false, "inskrivningsmeddelande.care_type", w);
      w.Bool("sip-forvantas", m.sip_expected());
      for (int i = 0; i < m.receiving_unit_hsa_ids_size(); ++i) {
        w.Element("mottagande-enhet-hsa-id", m.receiving_unit_hsa_ids(i),
                  "inskrivningsmeddelande.receiving_unit_hsa_ids[" + std::to_string(i) + "]");
      }
      WriteSamordnadVardplan(m.samordnad_vardplan(), "inskrivningsmeddelande.samordnad_vardplan", w);
      w.OptionalElement("oppen-vard-enhet-hsa-id", m.oppen_vard_unit_hsa_id(),
                        "inskrivningsmeddelande.oppen_vard_unit_hsa_id");
      return;
    }
    case EventKind::kEstimatedDischargeChanged: {
      const auto& m = env.estimated_discharge_changed();
      w.Time("tidigare-beraknad-utskrivning", m.has_previous_estimate(), m.previous_estimate(),
             "estimated_discharge_changed.previous_estimate");
      w.Time("ny-beraknad-utskrivning", true, m.new_estimate(),
             "estimated_discharge_changed.new_estimate");
      return;
    }
    case EventKind::kPlaneringsunderlag: {
      const auto& m = env.planeringsunderlag();
      if (!m.in_reply_to().empty()) {
        w.Problem("planeringsunderlag.in_reply_to", "a request cannot carry one (only answers do)");
      }
      w.OptionalElement("svarande-enhet-hsa-id", m.responding_unit_hsa_id(),
                        "planeringsunderlag.responding_unit_hsa_id");
      for (const auto& unit : m.addressed_unit_hsa_ids()) {
        w.Element("adresserad-enhet-hsa-id", unit, "planeringsunderlag.addressed_unit_hsa_ids");
      }
      WriteTrack(m.track(), w);
      WritePlanningItems(m, w);
      return;
    }
    case EventKind::kPlaneringsunderlagSvar: {
      const auto& m = env.planeringsunderlag();
      w.Element("svar-pa-dokument-id", m.in_reply_to(), "planeringsunderlag.in_reply_to");
      w.OptionalElement("svarande-enhet-hsa-id", m.responding_unit_hsa_id(),
                        "planeringsunderlag.responding_unit_hsa_id");
      WritePlanningItems(m, w);
      return;
    }
    case EventKind::kUtskrivningsklar: {
      const auto& m = env.utskrivningsklar();
      w.Time("beslutstidpunkt", true, m.decided_at(), "utskrivningsklar.decided_at");
      w.Element("lakare-hsa-id", m.physician_hsa_id(), "utskrivningsklar.physician_hsa_id");
      WriteCareType(m.care_type(), true, "utskrivningsklar.care_type", w);
      return;
    }
    case EventKind::kUtskrivningsklarWithdrawn: {
      const auto& m = env.utskrivningsklar_withdrawn();
      w.Element("atertaget-dokument-id", m.withdrawn_event_id(),
                "utskrivningsklar_withdrawn.withdrawn_event_id");
      w.OptionalElement("orsak", m.reason(), "utskrivningsklar_withdrawn.reason");
      return;
    }
    case EventKind::kKallelseSip: {
      const auto& m = env.kallelse_sip();
      w.Time("motestidpunkt", true, m.meeting_at(), "kallelse_sip.meeting_at");
      w.Element("fast-vardkontakt-hsa-id", m.fast_vardkontakt_hsa_id(),
                "kallelse_sip.fast_vardkontakt_hsa_id");
      for (int i = 0; i < m.participant_hsa_ids_size(); ++i) {
        w.Element("deltagare-hsa-id", m.participant_hsa_ids(i),
                  "kallelse_sip.participant_hsa_ids[" + std::to_string(i) + "]");
      }
      return;
    }
    case EventKind::kUtskrivningsmeddelande: {
      const auto& m = env.utskrivningsmeddelande();
      w.Time("utskrivningstidpunkt", true, m.discharged_at(),
             "utskrivningsmeddelande.discharged_at");
      if (m.hemgangsklar_size() > 0) {
        w.Start("hemgangsklar");
        for (int i = 0; i < m.hemgangsklar_size(); ++i) {
          const std::string path = "utskrivningsmeddelande.hemgangsklar[" + std::to_string(i) + "]";
          const auto& item = m.hemgangsklar(i);
          w.Start("punkt");
          w.Element("kod", item.code(), path + ".code");
          w.Bool("klar", item.done());
          w.OptionalElement("kommentar", item.comment(), path + ".comment");
          w.End();
        }
        w.End();
      }
      return;
    }
    case EventKind::kReceipt: {
      const auto& m = env.receipt();
      w.Element("kvitterat-dokument-id", m.acknowledged_event_id(),
                "receipt.acknowledged_event_id");
      w.Time("mottagningstidpunkt", true, m.received_at(), "receipt.received_at");
      w.OptionalElement("kvittens-id", m.external_ack_id(), "receipt.external_ack_id");
      return;
    }
    case EventKind::kCancellation: {
      const auto& m = env.cancellation();
      w.OptionalElement("makulerat-dokument-id", m.cancelled_event_id(),
                        "cancellation.cancelled_event_id");
      w.Element("orsak", m.reason(), "cancellation.reason");
      return;
    }
    case EventKind::kUtskrivning:
      w.Time("utskrivningstidpunkt", true, env.utskrivning().discharged_at(),
             "utskrivning.discharged_at");
      return;
    case EventKind::kSipBedomning: {
      const auto& m = env.sip_bedomning();
      w.Bool("sip-forvantas", m.sip_expected());
      w.Element("orsak", m.reason(), "sip_bedomning.reason");
      WriteSamordnadVardplan(m.samordnad_vardplan(), "sip_bedomning.samordnad_vardplan", w);
      w.OptionalElement("oppen-vard-enhet-hsa-id", m.oppen_vard_unit_hsa_id(),
                        "sip_bedomning.oppen_vard_unit_hsa_id");
      return;
    }
    case EventKind::kClockStopper: {
      const auto& m = env.clock_stopper();
      switch (m.action()) {
        case v1::ClockStopper::START: w.Element("atgard", "start", "clock_stopper.action"); break;
        case v1::ClockStopper::END: w.Element("atgard", "slut", "clock_stopper.action"); break;
        default: w.Problem("clock_stopper.action", "must be START or END"); break;
      }
      w.Element("orsak", m.reason(), "clock_stopper.reason");
      return;
    }
  }
}

Error Problems(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& p : problems) {
    if (!text.empty()) text += '\n';
    text += p;
  }
  return Error{text, ErrorCode::kInvalidArgument};
}

}  // namespace

Result<std::string> WriteDocument(const v1::Envelope& env) {
  const auto kind = KindOf(env);
  if (!kind) {
    if (env.event_case() == v1::Envelope::kPlaneringsunderlag) {
      return Problems({"planeringsunderlag.direction: must be REQUEST or ANSWER"});
    }
    return Problems({"event: no event type set"});
  }
  TextWriter w;
  if (!w.ok()) return Problems(w.problems());
  if (env.schema_version() != v1::SCHEMA_VERSION_1) {
    w.Problem("schema_version", std::to_string(env.schema_version()) +
                                    " cannot be written (these documents are version 1)");
  }
  const std::string_view root = RootElement(*kind);
  w.StartRoot(root);
  WriteHeader(env, *kind, w);
  WritePayload(env, *kind, w);
  w.End();
  std::string doc = w.Finish();
  if (!w.problems().empty()) return Problems(w.problems());

  // The name in messages: the event id only if it is a UUID, never an arbitrary string.
  const std::string name = std::string(root) + " document" +
                           (IsUuidShape(env.event_id()) ? " of event " + env.event_id() : "");
  xml::Diagnostics diag(name);
  if (ParseDocument(doc, name, doc.size(), AllRootElements(), diag) == nullptr) {
    return Problems({diag.ToError().message});
  }
  return doc;
}

}  // namespace slussen::xmldoc
