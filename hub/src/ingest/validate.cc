#include "ingest/validate.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

#include "wire/event_kind.h"
#include "ingest/identity.h"
#include "common/clock.h"
#include "common/kommuner.h"
#include "common/timestamp.h"

namespace slussen {
namespace {

using google::protobuf::Timestamp;
using std::chrono::system_clock;

bool IsEpisodeChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '.' || c == '_' || c == ':' || c == '-';
}

bool IsDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "NNNNN" or "NNN NN", the two ways Swedish postnummer are written.
bool IsPostalCode(std::string_view s) {
  if (s.size() == 5) return IsDigits(s);
  return s.size() == 6 && s[3] == ' ' && IsDigits(s.substr(0, 3)) && IsDigits(s.substr(4));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Collects problems; one instance per ValidateEnvelope call.
class Checker {
 public:
  Checker(const Config& config, system_clock::time_point now, ValidationScope scope)
      : config_(config), now_(now), scope_(scope) {}

  void Add(std::string_view path, std::string_view problem) {
    problems_.push_back(std::string(path) + ": " + std::string(problem));
  }
  // For Check* functions: an empty problem means valid.
  void AddIf(std::string_view path, const std::string& problem) {
    if (!problem.empty()) Add(path, problem);
  }

  void Uuid(std::string_view path, const std::string& value) {
    if (!IsUuid(value)) Add(path, "must be a UUID");
  }
  void HsaId(std::string_view path, const std::string& value) { AddIf(path, CheckHsaId(value)); }
  void OptionalHsaId(std::string_view path, const std::string& value) {
    if (!value.empty()) HsaId(path, value);
  }
  template <class List>
  void HsaIdList(std::string_view path, const List& values) {
    for (int i = 0; i < values.size(); ++i) {
      HsaId(std::string(path) + "[" + std::to_string(i) + "]", values.Get(i));
    }
  }
  void NonEmpty(std::string_view path, const std::string& value) {
    if (value.empty()) Add(path, "missing");
  }

  // A timestamp of something that has happened: required, plausible, and not later than now +
  // skew.
  void Past(std::string_view path, bool has, const Timestamp& ts) {
    if (!IsSet(has, ts)) {
      Add(path, "missing");
      return;
    }
    if (Plausible(path, ts)) NotFuture(path, ts);
  }
  void OptionalPast(std::string_view path, bool has, const Timestamp& ts) {
    if (IsSet(has, ts) && Plausible(path, ts)) NotFuture(path, ts);
  }
  // Estimates and meetings lie in the future by nature; they need to be there and plausible.
  void Planned(std::string_view path, bool has, const Timestamp& ts) {
    if (!IsSet(has, ts)) {
      Add(path, "missing");
      return;
    }
    Plausible(path, ts);
  }

  const Config& config() const { return config_; }
  // Whether the checks against the hub's own config (senders, kommuner, issuers, destinations)
  // apply.
  bool HubConfigChecks() const { return scope_ == ValidationScope::kHub; }
  std::vector<std::string> Take() { return std::move(problems_); }

 private:
  // The all-zero Timestamp is what serializers without field presence write for "unset"; any
  // other value, a time before 1970 included, is present (and judged by Plausible).
  static bool IsSet(bool has, const Timestamp& ts) {
    return has && (ts.seconds() != 0 || ts.nanos() != 0);
  }

  // Valid nanos, inside protobuf's range and inside 1900..2199 (common/timestamp.h); after this,
  // converting the Timestamp cannot overflow.
  bool Plausible(std::string_view path, const Timestamp& ts) {
    const std::string problem = TimestampProblem(ts);
    if (problem.empty()) return true;
    Add(path, problem);
    return false;
  }

  // In microseconds: a plausible Timestamp fits, and so does its distance from now.
  void NotFuture(std::string_view path, const Timestamp& ts) {
    const int64_t ahead_us = TimestampToMicrosClamped(ts) - ToMicros(now_);
    const int64_t skew_us =
        std::chrono::duration_cast<std::chrono::microseconds>(config_.clock_skew).count();
    if (ahead_us > skew_us) {
      Add(path, std::to_string(ahead_us / 1'000'000) + " s in the future (allowed skew " +
                    std::to_string(config_.clock_skew.count()) + " s)");
    }
  }

  const Config& config_;
  system_clock::time_point now_;
  ValidationScope scope_;
  std::vector<std::string> problems_;
};

void CheckCommon(const v1::Envelope& env, std::optional<EventKind> kind, Checker& c) {
  c.Uuid("event_id", env.event_id());

  if (!env.has_case_id()) {
    c.Add("case_id", "missing");
  } else {
    c.HsaId("case_id.care_unit_hsa_id", env.case_id().care_unit_hsa_id());
    const std::string& episode = env.case_id().episode_id();
    if (episode.empty() || episode.size() > 64 ||
        !std::all_of(episode.begin(), episode.end(), IsEpisodeChar)) {
      c.Add("case_id.episode_id", "must be 1-64 characters of [A-Za-z0-9._:-]");
    }
  }

  const std::string& sender = env.sender_hsa_id();
  if (const std::string problem = CheckHsaId(sender); !problem.empty()) {
    c.Add("sender_hsa_id", problem);
  } else if (!c.HubConfigChecks()) {
    // Whether this sender may send this kind is the hub config's to say.
  } else if (const SenderConfig* s = c.config().FindSender(sender); s == nullptr) {
    c.Add("sender_hsa_id", sender + " is not a configured sender");
  } else if (kind && !s->may_send.contains(*kind)) {
    // Without a kind there is nothing to check permission for; that problem is reported
    // under `event`.
    c.Add("sender_hsa_id",
          sender + " is not allowed to send " + std::string(EventKindName(*kind)));
  }

  c.Past("occurred_at", env.has_occurred_at(), env.occurred_at());
  c.OptionalPast("source_sent_at", env.has_source_sent_at(), env.source_sent_at());

  if (env.schema_version() != v1::SCHEMA_VERSION_1) {
    c.Add("schema_version", std::to_string(env.schema_version()) +
                                " is not supported (this hub speaks " +
                                std::to_string(v1::SCHEMA_VERSION_1) + ")");
  }

  if (!env.replaces().empty()) {
    if (!IsUuid(env.replaces())) {
      c.Add("replaces", "must be a UUID");
    } else if (Lower(env.replaces()) == Lower(env.event_id())) {
      // UUIDs compare case-insensitively; an event cannot supersede itself.
      c.Add("replaces", "must differ from event_id");
    }
  }

  if (env.event_case() == v1::Envelope::EVENT_NOT_SET) c.Add("event", "no event type set");
}

void CheckPatient(const v1::Patient& p, Checker& c) {
  using Kind = v1::PatientIdentity;
  if (!p.has_identity()) {
    c.Add("patient.identity", "missing");
  } else {
    const v1::PatientIdentity& ident = p.identity();
    switch (ident.kind()) {
      case Kind::PERSONNUMMER:
        c.AddIf("patient.identity.id", CheckPersonnummer(ident.id()));
        break;
      case Kind::SAMORDNINGSNUMMER:
        c.AddIf("patient.identity.id", CheckSamordningsnummer(ident.id()));
        break;
      case Kind::RESERVNUMMER:
        c.AddIf("patient.identity.id", CheckReservnummer(ident.id()));
        if (ident.reserve_oid().empty()) {
          c.Add("patient.identity.reserve_oid", "required for RESERVNUMMER");
        } else if (c.HubConfigChecks() && !c.config().KnowsReservnummerOid(ident.reserve_oid())) {
          c.Add("patient.identity.reserve_oid",
                "unknown reservnummer issuer " + ident.reserve_oid());
        }
        break;
      case Kind::KIND_UNSPECIFIED:
        c.Add("patient.identity.kind", "missing");
        break;
      default:  // proto3 enums are open: a newer sender may send a value we do not know
        c.Add("patient.identity.kind", "unknown value " + std::to_string(ident.kind()));
        break;
    }
    if (ident.kind() != Kind::RESERVNUMMER && !ident.reserve_oid().empty()) {
      c.Add("patient.identity.reserve_oid", "must be empty unless kind is RESERVNUMMER");
    }
  }

  if (const std::string problem = CheckKommunkod(p.kommunkod()); !problem.empty()) {
    c.Add("patient.kommunkod", problem);
  } else if (c.HubConfigChecks() && c.config().FindKommun(p.kommunkod()) == nullptr) {
    const KommunEntry* entry = FindKommunEntry(p.kommunkod());
    c.Add("patient.kommunkod", "kommun " + p.kommunkod() + " (" + entry->name +
                                   ") is not served by this hub");
  }

  c.OptionalHsaId("patient.listed_care_unit_hsa_id", p.listed_care_unit_hsa_id());

  // 5 kap. 2 §: the kommun that placed the patient in a särskild boendeform in another kommun
  // pays. A real kommun, but not necessarily one this hub serves: a placement across regions is
  // lawful, and refusing the notice for it would lose a message the law requires.
  if (!p.placing_kommunkod().empty()) {
    if (const std::string problem = CheckKommunkod(p.placing_kommunkod()); !problem.empty()) {
      c.Add("patient.placing_kommunkod", problem);
    } else if (p.placing_kommunkod() == p.kommunkod()) {
      c.Add("patient.placing_kommunkod",
            "must differ from patient.kommunkod (5 kap. 2 §: a placement in another kommun); "
            "leave it empty when the kommun of folkbokföring pays");
    }
  }
}

void CheckCareType(std::string_view path, v1::CareType t, bool required, Checker& c) {
  if (t == v1::CARE_TYPE_UNSPECIFIED) {
    if (required) c.Add(path, "missing (SOMATIC or PSYCHIATRIC)");
  } else if (!v1::CareType_IsValid(t)) {
    c.Add(path, "unknown value " + std::to_string(t));
  }
}

void CheckVardplan(std::string_view path, v1::SamordnadVardplan v, Checker& c) {
  if (!v1::SamordnadVardplan_IsValid(v)) c.Add(path, "unknown value " + std::to_string(v));
}

void CheckInskrivning(const v1::Inskrivningsmeddelande& m, Checker& c) {
  c.Past("inskrivningsmeddelande.admitted_at", m.has_admitted_at(), m.admitted_at());
  c.OptionalPast("inskrivningsmeddelande.assessed_at", m.has_assessed_at(), m.assessed_at());
  c.NonEmpty("inskrivningsmeddelande.name.family_name", m.name().family_name());
  const v1::Address& a = m.folkbokforing_address();
  c.NonEmpty("inskrivningsmeddelande.folkbokforing_address.street", a.street());
  if (!IsPostalCode(a.postal_code())) {
    c.Add("inskrivningsmeddelande.folkbokforing_address.postal_code",
          "must be 5 digits (NNNNN or NNN NN)");
  }
  c.NonEmpty("inskrivningsmeddelande.folkbokforing_address.city", a.city());
  c.Planned("inskrivningsmeddelande.estimated_discharge_at", m.has_estimated_discharge_at(),
            m.estimated_discharge_at());
  c.HsaIdList("inskrivningsmeddelande.receiving_unit_hsa_ids", m.receiving_unit_hsa_ids());
  CheckCareType("inskrivningsmeddelande.care_type", m.care_type(), false, c);
  CheckVardplan("inskrivningsmeddelande.samordnad_vardplan", m.samordnad_vardplan(), c);
  const bool compulsory = m.samordnad_vardplan() == v1::SAMORDNAD_VARDPLAN_LPT ||
                          m.samordnad_vardplan() == v1::SAMORDNAD_VARDPLAN_LRV;
  if (compulsory && m.care_type() == v1::SOMATIC) {
    // LPT and LRV are psychiatric compulsory care; a somatic stay cannot lead to them.
    c.Add("inskrivningsmeddelande.samordnad_vardplan",
          "LPT or LRV requires care_type PSYCHIATRIC (or unspecified), not SOMATIC");
  }
  c.OptionalHsaId("inskrivningsmeddelande.oppen_vard_unit_hsa_id", m.oppen_vard_unit_hsa_id());
}

void CheckPlaneringsunderlag(const v1::Planeringsunderlag& m, Checker& c) {
  switch (m.direction()) {
    case v1::Planeringsunderlag::REQUEST:
      break;
    case v1::Planeringsunderlag::ANSWER:
      c.Uuid("planeringsunderlag.in_reply_to", m.in_reply_to());
      break;
    default:
      c.Add("planeringsunderlag.direction", "must be REQUEST or ANSWER");
      break;
  }
  c.OptionalHsaId("planeringsunderlag.responding_unit_hsa_id", m.responding_unit_hsa_id());
  if (!v1::Planeringsunderlag::Track_IsValid(m.track())) {
    // proto3 enums are open: a newer sender may send a track this hub does not know.
    c.Add("planeringsunderlag.track", "unknown value " + std::to_string(m.track()));
  }
  if (m.direction() == v1::Planeringsunderlag::ANSWER && m.addressed_unit_hsa_ids_size() > 0) {
    c.Add("planeringsunderlag.addressed_unit_hsa_ids", "only a REQUEST addresses units");
  }
  c.HsaIdList("planeringsunderlag.addressed_unit_hsa_ids", m.addressed_unit_hsa_ids());
}

void CheckEvent(const v1::Envelope& env, Checker& c) {
  switch (env.event_case()) {
    case v1::Envelope::kInskrivningsmeddelande:
      CheckInskrivning(env.inskrivningsmeddelande(), c);
      break;
    case v1::Envelope::kEstimatedDischargeChanged: {
      const auto& m = env.estimated_discharge_changed();
      c.Planned("estimated_discharge_changed.new_estimate", m.has_new_estimate(),
                m.new_estimate());
      break;
    }
    case v1::Envelope::kPlaneringsunderlag:
      CheckPlaneringsunderlag(env.planeringsunderlag(), c);
      break;
    case v1::Envelope::kUtskrivningsklar: {
      const auto& m = env.utskrivningsklar();
      c.Past("utskrivningsklar.decided_at", m.has_decided_at(), m.decided_at());
      c.HsaId("utskrivningsklar.physician_hsa_id", m.physician_hsa_id());
      CheckCareType("utskrivningsklar.care_type", m.care_type(), true, c);
      break;
    }
    case v1::Envelope::kUtskrivningsklarWithdrawn:
      c.Uuid("utskrivningsklar_withdrawn.withdrawn_event_id",
             env.utskrivningsklar_withdrawn().withdrawn_event_id());
      break;
    case v1::Envelope::kKallelseSip: {
      const auto& m = env.kallelse_sip();
      c.Planned("kallelse_sip.meeting_at", m.has_meeting_at(), m.meeting_at());
      c.HsaId("kallelse_sip.fast_vardkontakt_hsa_id", m.fast_vardkontakt_hsa_id());
      c.HsaIdList("kallelse_sip.participant_hsa_ids", m.participant_hsa_ids());
      break;
    }
    case v1::Envelope::kUtskrivningsmeddelande: {
      const auto& m = env.utskrivningsmeddelande();
      c.Past("utskrivningsmeddelande.discharged_at", m.has_discharged_at(), m.discharged_at());
      break;
    }
    case v1::Envelope::kUtskrivning: {
      const auto& m = env.utskrivning();
      c.Past("utskrivning.discharged_at", m.has_discharged_at(), m.discharged_at());
      break;
    }
    case v1::Envelope::kSipBedomning: {
      const auto& m = env.sip_bedomning();
      c.NonEmpty("sip_bedomning.reason", m.reason());
      CheckVardplan("sip_bedomning.samordnad_vardplan", m.samordnad_vardplan(), c);
      c.OptionalHsaId("sip_bedomning.oppen_vard_unit_hsa_id", m.oppen_vard_unit_hsa_id());
      break;
    }
    case v1::Envelope::kReceipt: {
      const auto& m = env.receipt();
      c.Uuid("receipt.acknowledged_event_id", m.acknowledged_event_id());
      if (m.receiving_system().empty()) {
        c.Add("receipt.receiving_system", "missing");
      } else if (c.HubConfigChecks() && !c.config().IsDestination(m.receiving_system())) {
        c.Add("receipt.receiving_system",
              m.receiving_system() + " is not a destination of this hub");
      }
      c.Past("receipt.received_at", m.has_received_at(), m.received_at());
      break;
    }
    case v1::Envelope::kCancellation: {
      const auto& m = env.cancellation();
      c.NonEmpty("cancellation.reason", m.reason());
      // Empty means the whole case is void (see the proto).
      if (!m.cancelled_event_id().empty()) {
        c.Uuid("cancellation.cancelled_event_id", m.cancelled_event_id());
      }
      break;
    }
    case v1::Envelope::kClockStopper: {
      const auto& m = env.clock_stopper();
      if (m.action() != v1::ClockStopper::START && m.action() != v1::ClockStopper::END) {
        c.Add("clock_stopper.action", "must be START or END");
      }
      c.NonEmpty("clock_stopper.reason", m.reason());
      break;
    }
    case v1::Envelope::EVENT_NOT_SET:
      break;  // reported by CheckCommon
  }
}

}  // namespace

std::vector<std::string> ValidateEnvelope(const v1::Envelope& env, const Config& config,
                                          system_clock::time_point now, ValidationScope scope) {
  Checker c(config, now, scope);
  CheckCommon(env, KindOf(env), c);
  // A receipt comes from a receiving system about an event it got; the event already named the
  // patient, so a receipt need not repeat it (data minimisation). If it does, it must be right.
  const bool is_receipt = env.event_case() == v1::Envelope::kReceipt;
  if (env.has_patient()) {
    CheckPatient(env.patient(), c);
  } else if (!is_receipt) {
    c.Add("patient", "missing");
  }
  CheckEvent(env, c);
  return c.Take();
}

}  // namespace slussen
