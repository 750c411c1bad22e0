#include "adapters/letter/letter_content.h"

#include <cstdio>
#include <string_view>

#include "common/swedish_calendar.h"
#include "common/timestamp.h"
#include "wire/event_kind.h"

namespace slussen::adapters::letter {
namespace {

using slussen::v1::Envelope;

constexpr const char* kDash = "–";
constexpr const char* kLaw =
    "lag (2017:612) om samverkan vid utskrivning från sluten hälso- och sjukvård";

std::string Or(const std::string& s) { return s.empty() ? kDash : s; }

std::string CareTypeText(slussen::v1::CareType t) {
  switch (t) {
    case slussen::v1::SOMATIC: return "somatisk vård";
    case slussen::v1::PSYCHIATRIC: return "psykiatrisk vård";
    default: return "ej angiven";
  }
}

// "202508242381" -> "20250824-2381"; anything else as it is.
std::string FormatPersonnummer(const std::string& id) {
  if (id.size() == 12 && id.find_first_not_of("0123456789") == std::string::npos) {
    return id.substr(0, 8) + "-" + id.substr(8);
  }
  return id;
}

void AddPatient(const Envelope& e, LetterText& t) {
  if (!e.has_patient()) return;
  const auto& identity = e.patient().identity();
  t.protected_identity = identity.protected_identity();
  if (e.has_inskrivningsmeddelande() && e.inskrivningsmeddelande().has_name()) {
    const auto& n = e.inskrivningsmeddelande().name();
    t.patient.emplace_back("Namn", Or(n.given_name() + (n.given_name().empty() ? "" : " ") +
                                      n.family_name()));
  }
  switch (identity.kind()) {
    case slussen::v1::PatientIdentity::PERSONNUMMER:
      t.patient.emplace_back("Personnummer", Or(FormatPersonnummer(identity.id())));
      break;
    case slussen::v1::PatientIdentity::SAMORDNINGSNUMMER:
      t.patient.emplace_back("Samordningsnummer", Or(FormatPersonnummer(identity.id())));
      break;
    case slussen::v1::PatientIdentity::RESERVNUMMER:
      t.patient.emplace_back("Reservnummer", Or(identity.id()) + " (utfärdat av OID " +
                                                 Or(identity.reserve_oid()) + ")");
      break;
    default:
      t.patient.emplace_back("Patientidentitet", Or(identity.id()));
  }
  // A protected identity's address is never printed, even if the event carries one.
  if (e.has_inskrivningsmeddelande() && e.inskrivningsmeddelande().has_folkbokforing_address() &&
      !t.protected_identity) {
    const auto& a = e.inskrivningsmeddelande().folkbokforing_address();
    std::string line = a.street();
    const std::string place = a.postal_code() + (a.postal_code().empty() ? "" : " ") + a.city();
    if (!place.empty()) line += (line.empty() ? "" : ", ") + place;
    t.patient.emplace_back("Folkbokföringsadress", Or(line));
  }
}

// 4 kap. 1 § andra stycket: the samordnad vårdplan that replaces the SIP.
std::string VardplanText(slussen::v1::SamordnadVardplan v) {
  switch (v) {
    case slussen::v1::SAMORDNAD_VARDPLAN_LPT:
      return "öppen psykiatrisk tvångsvård (7 a § lagen (1991:1128) om psykiatrisk tvångsvård)";
    case slussen::v1::SAMORDNAD_VARDPLAN_LRV:
      return "öppen rättspsykiatrisk vård (12 a § lagen (1991:1129) om rättspsykiatrisk vård)";
    default: return "nej";
  }
}

void Inskrivning(const slussen::v1::Inskrivningsmeddelande& m, LetterText& t) {
  t.title = "Inskrivningsmeddelande";
  t.legal_basis = std::string("2 kap. 1–3 §§ ") + kLaw;
  t.paragraphs = {
      "Patienten nedan är inskriven i sluten hälso- och sjukvård. Behandlande läkare bedömer att "
      "patienten kan komma att behöva insatser från socialtjänsten, den kommunalt finansierade "
      "hälso- och sjukvården eller den regionfinansierade öppna vården efter utskrivningen.",
      "Enligt 2 kap. 6 § ska er planering inför utskrivningen inledas när ni tagit emot detta "
      "meddelande."};
  t.facts.emplace_back("Inskriven", LetterTime(m.admitted_at()));
  if (m.has_assessed_at()) t.facts.emplace_back("Behovet bedömt", LetterTime(m.assessed_at()));
  t.facts.emplace_back("Beräknad tidpunkt för utskrivning", LetterTime(m.estimated_discharge_at()));
  t.facts.emplace_back("Vårdform", CareTypeText(m.care_type()));
  t.facts.emplace_back("Samordnad individuell planering (SIP) väntas", m.sip_expected() ? "ja" : "nej");
  if (m.samordnad_vardplan() != slussen::v1::SAMORDNAD_VARDPLAN_NONE) {
    t.facts.emplace_back("Samordnad vårdplan i stället för SIP", VardplanText(m.samordnad_vardplan()));
  }
  if (!m.oppen_vard_unit_hsa_id().empty()) {
    t.facts.emplace_back("Öppen vård, fast vårdkontakt utses av (HSA-id)", m.oppen_vard_unit_hsa_id());
  }
  if (m.receiving_unit_hsa_ids_size() > 0) {
    t.list_heading = "Mottagande enheter (HSA-id)";
    for (const auto& id : m.receiving_unit_hsa_ids()) t.list.push_back(id);
  }
}

void EstimateChanged(const slussen::v1::EstimatedDischargeChanged& m, LetterText& t) {
  t.title = "Ändrad beräknad tidpunkt för utskrivning";
  t.legal_basis = std::string("2 kap. 4 § ") + kLaw;
  t.paragraphs = {"Den beräknade tidpunkten för patientens utskrivning har ändrats. Ta hänsyn till "
                  "den nya tidpunkten i er planering."};
  t.facts.emplace_back("Tidigare beräknad tidpunkt", LetterTime(m.previous_estimate()));
  t.facts.emplace_back("Ny beräknad tidpunkt", LetterTime(m.new_estimate()));
}

void Planning(const Envelope& e, bool answer, LetterText& t) {
  const slussen::v1::Planeringsunderlag& m = e.planeringsunderlag();
  if (answer) {
    t.title = "Svar på begäran om planeringsunderlag";
    t.paragraphs = {"Bifogat är svaret på en begäran om planeringsunderlag."};
    t.facts.emplace_back("Svar på händelse", Or(m.in_reply_to()));
    t.facts.emplace_back("Svarande enhet (HSA-id)", Or(m.responding_unit_hsa_id()));
  } else {
    t.title = "Begäran om planeringsunderlag";
    t.legal_basis = std::string("2 kap. 6 § ") + kLaw;
    t.paragraphs = {"Slutenvården ber er om underlag för planeringen inför patientens utskrivning, "
                    "för de punkter som anges nedan. Svara enligt er överenskommelse med regionen."};
    t.facts.emplace_back("Begärande enhet (HSA-id)", Or(e.sender_hsa_id()));
  }
  if (m.items_size() > 0) {
    t.list_heading = "Punkter";
    for (const auto& item : m.items()) {
      std::string line = item.code();
      if (!item.text().empty()) line += (line.empty() ? "" : ": ") + item.text();
      t.list.push_back(Or(line));
    }
  }
}

void Klar(const slussen::v1::Utskrivningsklar& m, LetterText& t) {
  t.title = "Meddelande om utskrivningsklar patient";
  t.legal_basis = std::string("3 kap. 1 § ") + kLaw;
  t.paragraphs = {
      "Behandlande läkare har bedömt att patienten inte längre behöver vård vid en enhet inom den "
      "slutna vården (utskrivningsklar, 1 kap. 3 §).",
      "Meddelandets tidpunkt har betydelse för betalningsansvaret enligt 5 kap. Den gäller från "
      "när meddelandet först skickades elektroniskt, inte från när detta brev kom fram."};
  t.facts.emplace_back("Bedömd utskrivningsklar", LetterTime(m.decided_at()));
  t.facts.emplace_back("Behandlande läkare (HSA-id)", Or(m.physician_hsa_id()));
  t.facts.emplace_back("Vårdform", CareTypeText(m.care_type()));
}

void Withdrawn(const slussen::v1::UtskrivningsklarWithdrawn& m, LetterText& t) {
  t.title = "Återtagande av utskrivningsklar";
  t.paragraphs = {"Patienten är inte längre utskrivningsklar. Det tidigare meddelandet om "
                  "utskrivningsklar patient gäller inte. Ett nytt meddelande skickas när patienten "
                  "åter bedöms utskrivningsklar."};
  t.facts.emplace_back("Återtaget meddelande (händelse-id)", Or(m.withdrawn_event_id()));
  t.facts.emplace_back("Anledning", Or(m.reason()));
}

void Kallelse(const slussen::v1::KallelseSip& m, LetterText& t) {
  t.title = "Kallelse till samordnad individuell planering (SIP)";
  t.legal_basis = std::string("4 kap. 1–3 §§ ") + kLaw;
  t.paragraphs = {"Ni kallas till samordnad individuell planering för patienten nedan. Planen "
                  "upprättas endast om patienten samtycker (4 kap. 2 §). Kontakta patientens fasta "
                  "vårdkontakt om tiden inte passar."};
  t.facts.emplace_back("Mötestid", LetterTime(m.meeting_at()));
  t.facts.emplace_back("Fast vårdkontakt (HSA-id)", Or(m.fast_vardkontakt_hsa_id()));
  if (m.participant_hsa_ids_size() > 0) {
    t.list_heading = "Kallade deltagare (HSA-id)";
    for (const auto& id : m.participant_hsa_ids()) t.list.push_back(id);
  }
}

void Utskrivning(const slussen::v1::Utskrivningsmeddelande& m, LetterText& t) {
  t.title = "Utskrivningsmeddelande";
  t.paragraphs = {"Patienten är utskriven från den slutna vården. (Utskrivningsmeddelandet är ett "
                  "meddelande enligt de regionala rutinerna, inte ett begrepp i lag 2017:612.)"};
  t.facts.emplace_back("Utskriven", LetterTime(m.discharged_at()));
  if (m.hemgangsklar_size() > 0) {
    t.list_heading = "Hemgångsklar, checklista";
    for (const auto& item : m.hemgangsklar()) {
      std::string line = Or(item.code()) + ": " + (item.done() ? "klart" : "inte klart");
      if (!item.comment().empty()) line += " – " + item.comment();
      t.list.push_back(line);
    }
  }
}

void ReceiptText(const slussen::v1::Receipt& m, LetterText& t) {
  t.title = "Kvittens";
  t.paragraphs = {"Kvittens på att ett meddelande har tagits emot."};
  t.facts.emplace_back("Kvitterat meddelande (händelse-id)", Or(m.acknowledged_event_id()));
  t.facts.emplace_back("Mottagande system", Or(m.receiving_system()));
  t.facts.emplace_back("Mottagarens kvittens-id", Or(m.external_ack_id()));
  t.facts.emplace_back("Mottaget", LetterTime(m.received_at()));
}

void CancellationText(const slussen::v1::Cancellation& m, LetterText& t) {
  t.title = "Makulering";
  if (m.cancelled_event_id().empty()) {
    t.paragraphs = {"Hela vårdtillfället nedan är makulerat: bortse från alla meddelanden om det."};
    t.facts.emplace_back("Makulerat", "hela vårdtillfället");
  } else {
    t.paragraphs = {"Ett tidigare meddelande är makulerat (skickat av misstag): bortse från det."};
    t.facts.emplace_back("Makulerat meddelande (händelse-id)", m.cancelled_event_id());
  }
  t.facts.emplace_back("Anledning", Or(m.reason()));
}

// The pause starts or ends when the event occurred (occurred_at, ClockStopper's comment).
void DischargeText(const slussen::v1::Utskrivning& m, LetterText& t) {
  t.title = "Utskrivning";
  t.paragraphs = {"Patienten har lämnat den slutna vården. Informationen enligt 3 kap. 2 § "
                  "(utskrivningsmeddelandet) kommer separat."};
  t.facts.emplace_back("Utskriven", LetterTime(m.discharged_at()));
}

void SipBedomningText(const slussen::v1::SipBedomning& m, LetterText& t) {
  t.title = "Ny bedömning: samordnad individuell planering (SIP)";
  t.legal_basis = std::string("4 kap. 1 § ") + kLaw;
  t.paragraphs = {m.sip_expected()
                      ? "Patienten bedöms nu behöva insatser från både region och kommun efter "
                        "utskrivningen: en samordnad individuell planering väntas."
                      : "Patienten bedöms inte längre behöva en samordnad individuell planering."};
  t.facts.emplace_back("SIP väntas", m.sip_expected() ? "ja" : "nej");
  t.facts.emplace_back("Anledning", Or(m.reason()));
  if (m.samordnad_vardplan() != slussen::v1::SAMORDNAD_VARDPLAN_NONE) {
    t.facts.emplace_back("Samordnad vårdplan i stället för SIP", VardplanText(m.samordnad_vardplan()));
  }
  if (!m.oppen_vard_unit_hsa_id().empty()) {
    t.facts.emplace_back("Öppen vård, fast vårdkontakt utses av (HSA-id)", m.oppen_vard_unit_hsa_id());
  }
}

void ClockStopperText(const Envelope& e, LetterText& t) {
  const slussen::v1::ClockStopper& m = e.clock_stopper();
  const bool start = m.action() == slussen::v1::ClockStopper::START;
  t.title = start ? "Uppehåll i betalningsansvaret" : "Uppehållet i betalningsansvaret upphör";
  t.legal_basis = std::string("5 kap. 5 § ") + kLaw;
  t.paragraphs = {start ? "Insatser som regionens öppna vård ansvarar för finns inte tillgängliga, "
                          "eller det är oklart om de finns. Så länge gäller inget "
                          "betalningsansvar för kommunen."
                        : "Insatserna från regionens öppna vård finns nu tillgängliga. "
                          "Betalningsansvaret räknas åter från tidpunkten nedan."};
  t.facts.emplace_back(start ? "Uppehåll från" : "Uppehåll till", LetterTime(e.occurred_at()));
  t.facts.emplace_back("Anledning", Or(m.reason()));
}

}  // namespace

std::string LetterTime(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return kDash;
  const calendar::LocalTime local = calendar::ToStockholm(TimestampToTimePoint(ts));
  const auto minutes = local.time_of_day.count();
  char buf[32];
  std::snprintf(buf, sizeof buf, " kl. %02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return calendar::FormatDate(local.date) + buf;
}

Result<LetterText> ComposeLetter(const Envelope& e) {
  const std::optional<EventKind> kind = KindOf(e);
  if (!kind) {
    return Error{"the event has no kind (no payload, or a Planeringsunderlag without direction)",
                 ErrorCode::kInvalidArgument};
  }
  LetterText t;
  t.kind_name = std::string(EventKindName(*kind));
  AddPatient(e, t);
  switch (*kind) {
    case EventKind::kInskrivningsmeddelande: Inskrivning(e.inskrivningsmeddelande(), t); break;
    case EventKind::kEstimatedDischargeChanged:
      EstimateChanged(e.estimated_discharge_changed(), t);
      break;
    case EventKind::kPlaneringsunderlag: Planning(e, false, t); break;
    case EventKind::kPlaneringsunderlagSvar: Planning(e, true, t); break;
    case EventKind::kUtskrivningsklar: Klar(e.utskrivningsklar(), t); break;
    case EventKind::kUtskrivningsklarWithdrawn: Withdrawn(e.utskrivningsklar_withdrawn(), t); break;
    case EventKind::kKallelseSip: Kallelse(e.kallelse_sip(), t); break;
    case EventKind::kUtskrivningsmeddelande: Utskrivning(e.utskrivningsmeddelande(), t); break;
    case EventKind::kReceipt: ReceiptText(e.receipt(), t); break;
    case EventKind::kCancellation: CancellationText(e.cancellation(), t); break;
    case EventKind::kClockStopper: ClockStopperText(e, t); break;
    case EventKind::kUtskrivning: DischargeText(e.utskrivning(), t); break;
    case EventKind::kSipBedomning: SipBedomningText(e.sip_bedomning(), t); break;
  }
  return t;
}

}  // namespace slussen::adapters::letter
