// ReadDocument and ValidateDocument: a validated tree to an Envelope. The schema has checked
// every shape, pattern and enumeration, so the mapping only converts; where a conversion can
// still fail (a time out of protobuf's range) it reports instead of assuming.
#include <libxml/tree.h>

#include <vector>

#include "xml/xml_validation.h"
#include "xmldoc/parse.h"
#include "xmldoc/times.h"
#include "xmldoc/xmldoc.h"

namespace slussen::xmldoc {
namespace {

using google::protobuf::Timestamp;

class Mapper {
 public:
  explicit Mapper(xml::Diagnostics& diag) : diag_(diag) {}

  // The element's value as the schema saw an xs:token: whitespace collapsed.
  static std::string Token(const xmlNode* n) {
    std::string out;
    for (const std::string& t : xml::Tokens(xml::Text(n))) {
      if (!out.empty()) out += ' ';
      out += t;
    }
    return out;
  }
  static std::string TokenAttr(const xmlNode* n, const char* attr) {
    std::string out;
    for (const std::string& t : xml::Tokens(xml::AttrOr(n, attr))) {
      if (!out.empty()) out += ' ';
      out += t;
    }
    return out;
  }

  static const xmlNode* Child(const xmlNode* parent, const char* name) {
    return xml::Child(parent, kNamespace, name);
  }
  static std::vector<const xmlNode*> Children(const xmlNode* parent, const char* name) {
    return xml::Children(parent, kNamespace, name);
  }

  // The child's token value, "" if absent (the schema decides what may be absent).
  static std::string ChildToken(const xmlNode* parent, const char* name) {
    const xmlNode* n = Child(parent, name);
    return n ? Token(n) : std::string();
  }
  // The child's text exactly as written.
  static std::string ChildText(const xmlNode* parent, const char* name) {
    const xmlNode* n = Child(parent, name);
    return n ? xml::Text(n) : std::string();
  }
  static bool ChildBool(const xmlNode* parent, const char* name) {
    const xmlNode* n = Child(parent, name);
    return n != nullptr && xml::ParseBool(xml::Text(n));
  }

  // Sets *out from the child if present; reports a time protobuf cannot hold.
  void Time(const xmlNode* parent, const char* name, Timestamp* out) {
    const xmlNode* n = Child(parent, name);
    if (n == nullptr) return;
    if (auto ts = ParseTime(xml::Text(n))) {
      *out = *ts;
    } else {
      diag_.Add(n, std::string("<") + name + ">: not a time between 0001 and 9999 with an offset");
    }
  }
  v1::CareType CareType(const xmlNode* parent) {
    const std::string v = ChildToken(parent, "vardform");
    if (v == "somatisk") return v1::SOMATIC;
    if (v == "psykiatrisk") return v1::PSYCHIATRIC;
    return v1::CARE_TYPE_UNSPECIFIED;
  }

 private:
  xml::Diagnostics& diag_;
};

void ReadPatient(const xmlNode* p, v1::Patient* out) {
  using M = Mapper;
  auto* ident = out->mutable_identity();
  if (const xmlNode* n = M::Child(p, "personnummer")) {
    ident->set_kind(v1::PatientIdentity::PERSONNUMMER);
    ident->set_id(M::Token(n));
  } else if (const xmlNode* s = M::Child(p, "samordningsnummer")) {
    ident->set_kind(v1::PatientIdentity::SAMORDNINGSNUMMER);
    ident->set_id(M::Token(s));
  } else if (const xmlNode* r = M::Child(p, "reservnummer")) {
    ident->set_kind(v1::PatientIdentity::RESERVNUMMER);
    ident->set_id(M::Token(r));
    ident->set_reserve_oid(M::TokenAttr(r, "oid"));
  }
  ident->set_protected_identity(M::ChildBool(p, "skyddad-identitet"));
  out->set_kommunkod(M::ChildToken(p, "kommunkod"));
  out->set_listed_care_unit_hsa_id(M::ChildToken(p, "listad-vardenhet-hsa-id"));
  out->set_placing_kommunkod(M::ChildToken(p, "placerande-kommunkod"));
  out->set_sarskilt_boende(M::ChildBool(p, "sarskilt-boende"));
}

void ReadHeader(const xmlNode* huvud, v1::Envelope& env, Mapper& m) {
  env.set_event_id(Mapper::ChildToken(huvud, "dokument-id"));
  env.set_replaces(Mapper::ChildToken(huvud, "ersatter-dokument-id"));
  const xmlNode* vt = Mapper::Child(huvud, "vardtillfalle");
  env.mutable_case_id()->set_care_unit_hsa_id(Mapper::ChildToken(vt, "vardenhet-hsa-id"));
  env.mutable_case_id()->set_episode_id(Mapper::ChildToken(vt, "vardtillfalle-id"));
  env.set_sender_hsa_id(Mapper::ChildToken(huvud, "avsandare-hsa-id"));
  m.Time(huvud, "handelsetidpunkt", env.mutable_occurred_at());
  if (Mapper::Child(huvud, "skickad-tidpunkt")) {  // optional: absent stays absent
    m.Time(huvud, "skickad-tidpunkt", env.mutable_source_sent_at());
  }
  if (const xmlNode* p = Mapper::Child(huvud, "patient")) ReadPatient(p, env.mutable_patient());
  env.set_schema_version(v1::SCHEMA_VERSION_1);
}

void ReadPlanningItems(const xmlNode* root, v1::Planeringsunderlag* out) {
  for (const xmlNode* n : Mapper::Children(root, "punkt")) {
    auto* item = out->add_items();
    item->set_code(Mapper::ChildToken(n, "kod"));
    item->set_text(Mapper::ChildText(n, "text"));
  }
}

// The schema allows only lpt and lrv; absent is NONE.
v1::SamordnadVardplan SamordnadVardplan(const xmlNode* root) {
  const std::string v = Mapper::ChildToken(root, "samordnad-vardplan");
  if (v == "lpt") return v1::SAMORDNAD_VARDPLAN_LPT;
  if (v == "lrv") return v1::SAMORDNAD_VARDPLAN_LRV;
  return v1::SAMORDNAD_VARDPLAN_NONE;
}

// The payload of `kind` from the document's root element.
void ReadPayload(EventKind kind, const xmlNode* root, v1::Envelope& env, Mapper& m,
                 const ReadOptions& options) {
  using M = Mapper;
  switch (kind) {
    case EventKind::kInskrivningsmeddelande: {
      auto* p = env.mutable_inskrivningsmeddelande();
      m.Time(root, "inskrivningstidpunkt", p->mutable_admitted_at());
      if (M::Child(root, "bedomningstidpunkt")) {
        m.Time(root, "bedomningstidpunkt", p->mutable_assessed_at());
      }
      const xmlNode* namn = M::Child(root, "namn");
      p->mutable_name()->set_given_name(M::ChildText(namn, "fornamn"));
      p->mutable_name()->set_family_name(M::ChildText(namn, "efternamn"));
      const xmlNode* adr = M::Child(root, "folkbokforingsadress");
      p->mutable_folkbokforing_address()->set_street(M::ChildText(adr, "utdelningsadress"));
      p->mutable_folkbokforing_address()->set_postal_code(M::ChildToken(adr, "postnummer"));
      p->mutable_folkbokforing_address()->set_city(M::ChildText(adr, "postort"));
      m.Time(root, "beraknad-utskrivning", p->mutable_estimated_discharge_at());
      p->set_care_type(m.CareType(root));
      p->set_sip_expected(M::ChildBool(root, "sip-forvantas"));
      for (const xmlNode* n : M::Children(root, "mottagande-enhet-hsa-id")) {
        p->add_receiving_unit_hsa_ids(M::Token(n));
      }
      p->set_samordnad_vardplan(SamordnadVardplan(root));
      p->set_oppen_vard_unit_hsa_id(M::ChildToken(root, "oppen-vard-enhet-hsa-id"));
      break;
    }
    case EventKind::kEstimatedDischargeChanged: {
      auto* p = env.mutable_estimated_discharge_changed();
      if (M::Child(root, "tidigare-beraknad-utskrivning")) {
        m.Time(root, "tidigare-beraknad-utskrivning", p->mutable_previous_estimate());
      }
      m.Time(root, "ny-beraknad-utskrivning", p->mutable_new_estimate());
      break;
    }
    case EventKind::kPlaneringsunderlag:
    case EventKind::kPlaneringsunderlagSvar: {
      auto* p = env.mutable_planeringsunderlag();
      const bool answer = kind == EventKind::kPlaneringsunderlagSvar;
      p->set_direction(answer ? v1::Planeringsunderlag::ANSWER : v1::Planeringsunderlag::REQUEST);
      if (answer) p->set_in_reply_to(M::ChildToken(root, "svar-pa-dokument-id"));
      p->set_responding_unit_hsa_id(M::ChildToken(root, "svarande-enhet-hsa-id"));
      if (!answer) {
        for (const xmlNode* n : M::Children(root, "adresserad-enhet-hsa-id")) {
          p->add_addressed_unit_hsa_ids(M::Token(n));
        }
        // The schema allows only these; absent is none named.
        const std::string track = M::ChildToken(root, "spar");
        p->set_track(track == "gront"  ? v1::Planeringsunderlag::GRONT
                     : track == "gult" ? v1::Planeringsunderlag::GULT
                     : track == "rott" ? v1::Planeringsunderlag::RODT
                                       : v1::Planeringsunderlag::TRACK_UNSPECIFIED);
      }
      ReadPlanningItems(root, p);
      break;
    }
    case EventKind::kUtskrivningsklar: {
      auto* p = env.mutable_utskrivningsklar();
      m.Time(root, "beslutstidpunkt", p->mutable_decided_at());
      p->set_physician_hsa_id(M::ChildToken(root, "lakare-hsa-id"));
      p->set_care_type(m.CareType(root));
      break;
    }
    case EventKind::kUtskrivningsklarWithdrawn: {
      auto* p = env.mutable_utskrivningsklar_withdrawn();
      p->set_withdrawn_event_id(M::ChildToken(root, "atertaget-dokument-id"));
      p->set_reason(M::ChildText(root, "orsak"));
      break;
    }
    case EventKind::kKallelseSip: {
      auto* p = env.mutable_kallelse_sip();
      m.Time(root, "motestidpunkt", p->mutable_meeting_at());
      p->set_fast_vardkontakt_hsa_id(M::ChildToken(root, "fast-vardkontakt-hsa-id"));
      for (const xmlNode* n : M::Children(root, "deltagare-hsa-id")) {
        p->add_participant_hsa_ids(M::Token(n));
      }
      break;
    }
    case EventKind::kUtskrivningsmeddelande: {
      auto* p = env.mutable_utskrivningsmeddelande();
      m.Time(root, "utskrivningstidpunkt", p->mutable_discharged_at());
      for (const xmlNode* n : M::Children(M::Child(root, "hemgangsklar"), "punkt")) {
        auto* item = p->add_hemgangsklar();
        item->set_code(M::ChildToken(n, "kod"));
        item->set_done(M::ChildBool(n, "klar"));
        item->set_comment(M::ChildText(n, "kommentar"));
      }
      break;
    }
    case EventKind::kReceipt: {
      auto* p = env.mutable_receipt();
      p->set_acknowledged_event_id(M::ChildToken(root, "kvitterat-dokument-id"));
      p->set_receiving_system(options.receiving_system);
      p->set_external_ack_id(M::ChildToken(root, "kvittens-id"));
      m.Time(root, "mottagningstidpunkt", p->mutable_received_at());
      break;
    }
    case EventKind::kCancellation: {
      auto* p = env.mutable_cancellation();
      p->set_cancelled_event_id(M::ChildToken(root, "makulerat-dokument-id"));
      p->set_reason(M::ChildText(root, "orsak"));
      break;
    }
    case EventKind::kUtskrivning:
      m.Time(root, "utskrivningstidpunkt", env.mutable_utskrivning()->mutable_discharged_at());
      break;
    case EventKind::kSipBedomning: {
      auto* p = env.mutable_sip_bedomning();
      p->set_sip_expected(M::ChildBool(root, "sip-forvantas"));
      p->set_reason(M::ChildText(root, "orsak"));
      p->set_samordnad_vardplan(SamordnadVardplan(root));
      p->set_oppen_vard_unit_hsa_id(M::ChildToken(root, "oppen-vard-enhet-hsa-id"));
      break;
    }
    case EventKind::kClockStopper: {
      auto* p = env.mutable_clock_stopper();
      const std::string action = M::ChildToken(root, "atgard");
      p->set_action(action == "start" ? v1::ClockStopper::START : v1::ClockStopper::END);
      p->set_reason(M::ChildText(root, "orsak"));
      break;
    }
  }
}

}  // namespace

Result<v1::Envelope> ReadDocument(std::string_view text, const std::string& name,
                                  const ReadOptions& options) {
  std::vector<std::string_view> roots;
  for (EventKind k : options.accept) roots.push_back(RootElement(k));
  xml::Diagnostics diag(name);
  const xml::DocPtr doc = ParseDocument(
      text, name, options.max_bytes,
      roots.empty() ? AllRootElements() : std::span<const std::string_view>(roots), diag);
  if (doc == nullptr) return Error{diag.ToError().message, ErrorCode::kInvalidArgument};

  const xmlNode* root = xmlDocGetRootElement(doc.get());
  const auto kind = KindOfRootElement(reinterpret_cast<const char*>(root->name));
  if (!kind) {  // the schema and kRoots disagree: a bug, reported rather than assumed away
    diag.Add(root, "internal error: no event kind for this root element");
    return Error{diag.ToError().message, ErrorCode::kInternal};
  }
  if (*kind == EventKind::kReceipt && options.receiving_system.empty()) {
    diag.Add(root, "this endpoint does not take receipts (no receiving system configured)");
    return Error{diag.ToError().message, ErrorCode::kInvalidArgument};
  }
  v1::Envelope env;
  Mapper m(diag);
  ReadHeader(Mapper::Child(root, "huvud"), env, m);
  ReadPayload(*kind, root, env, m, options);
  if (!diag.empty()) return Error{diag.ToError().message, ErrorCode::kInvalidArgument};
  return env;
}

Status ValidateDocument(std::string_view text, const std::string& name, std::size_t max_bytes) {
  xml::Diagnostics diag(name);
  if (ParseDocument(text, name, max_bytes, AllRootElements(), diag) == nullptr) {
    return Error{diag.ToError().message, ErrorCode::kInvalidArgument};
  }
  return OkStatus();
}

}  // namespace slussen::xmldoc
