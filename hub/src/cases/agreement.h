#pragma once
// A payment-liability and deadline agreement (överenskommelse) between a region and its kommuner,
// or the law's default when there is none (lag 2017:612 5 kap. 4 §). Loaded from one XML file
// (schemas/agreement.xsd, config/agreements/) by LoadAgreement() in agreement_loader.h, validated
// like the hub config, then immutable. Every parameter that the sources disagree on or leave
// unconfirmed (docs/domain.md) is here, with the law's value as the default.
#include <chrono>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>

namespace slussen {

enum class DayCounting {
  kCalendarDays,  // every day counts (the law's default reading, docs/domain.md §3)
  kWorkingDays,   // Mon–Fri except Swedish public holidays (and eves, if eves_are_holidays)
};

enum class LiabilityModel {
  kIndividual,  // each patient's own days after the free days are billed
  kAverage,     // per kommun and month: billed only above an average (VGR, Stockholm 2020)
};

struct Agreement {
  std::string id;           // e.g. "lag-2017-612", "region-halland"
  std::string name;
  std::string source_path;  // the file it came from
  std::string source_note;  // what the agreement cites (free text from the file)

  // --- Deadlines of the law -------------------------------------------------------------
  // 2 kap. 3 §: inskrivningsmeddelande within this long after admission (or the later assessment).
  std::chrono::hours inskrivning_deadline{24};
  // 4 kap. 3 §: kallelse to SIP within this many days after the utskrivningsklar notice.
  int sip_kallelse_days = 3;
  DayCounting sip_kallelse_counting = DayCounting::kCalendarDays;
  // "inom tre dagar" read as the end of the notice's local day + 3 days (the hub's default: the
  // law counts days, and the cut-off rule of 5 kap. 4 § counts whole days too), or as 72 hours
  // from the notice (elapsed; calendar counting only). An interpretation either way: the law
  // does not say (docs/domain.md).
  enum class SipKallelseReading { kEndOfDay, kElapsedHours };
  SipKallelseReading sip_kallelse_reading = SipKallelseReading::kEndOfDay;
  // 3 kap. 2 §: information transfer no later than the day of discharge — fixed, no parameter.

  // --- Regional deadlines (absent = not part of this agreement) -----------------------------
  // Halland samverkansrutin 2022 [S20]: "ifyllnad av planeringsunderlaget inom 48 timmar". The
  // routine names neither the event that starts the 48 hours nor who fills it in, so both are
  // read here (hub/DESIGN.md "Halland's planning rules"):
  std::optional<std::chrono::hours> planeringsunderlag_answer_deadline;
  // What starts the count: the planeringsunderlag request (the hub's reading: the request is
  // what asks for it), or the inskrivningsmeddelande (planning starts on its receipt, 2 kap. 6 §;
  // then every request's answer is due that long after the inskrivningsmeddelande).
  enum class PlaneringsunderlagFrom { kRequest, kInskrivningsmeddelande };
  PlaneringsunderlagFrom planeringsunderlag_from = PlaneringsunderlagFrom::kRequest;
  // Who must answer: any one addressed unit (the hub's reading: an answer from the kommun or
  // the vårdcentral fills the underlag in), or each unit the request addresses
  // (Planeringsunderlag.addressed_unit_hsa_ids, matched by the answers' responding_unit_hsa_id;
  // a request that addresses none is met by any answer).
  enum class PlaneringsunderlagAnsweredBy { kAny, kEachAddressed };
  PlaneringsunderlagAnsweredBy planeringsunderlag_answered_by = PlaneringsunderlagAnsweredBy::kAny;

  // Halland [S20]: slutenvården contacts the kommun when the beräknat utskrivningsdatum moves
  // earlier or later by more than one dygn. The size of that dygn, in hours (24).
  std::optional<std::chrono::hours> estimate_change_threshold;
  // How "more than one dygn" is measured. kCalendarDays (the hub's reading): the routine moves a
  // *datum*, so local dates are compared and a move of more than threshold/24 calendar days
  // counts (Thu 10:00 to Fri 23:00 is one day); kElapsedHours: elapsed time against the
  // threshold (Thu 10:00 to Fri 11:00 is more than 24 h). Either way a change counts as
  // "notified in time" for a discharge only when it was notified at least one such dygn before
  // it (calendar: on an earlier local day; elapsed: threshold hours before), since a change
  // notified minutes before the patient leaves lets the kommun plan nothing. The routine is
  // silent on both points.
  enum class EstimateChangeCounting { kCalendarDays, kElapsedHours };
  EstimateChangeCounting estimate_change_counting = EstimateChangeCounting::kCalendarDays;

  // Halland's planning tracks (grönt, gult, rött spår; samverkansrutin 2022 [S20]): whether the
  // agreement uses them, and what a change of a planeringsunderlag that led to the red track
  // (forbidden except for SÄBO residents) meets: recorded as a deviation (the default: the
  // change happened in the sender's system, and the hub's record must show it), or refused at
  // ingest with a reason, dead-lettered like every other rejection.
  bool planning_tracks = false;
  enum class RedTrackChange { kDeviation, kRefuse };
  RedTrackChange red_track_change = RedTrackChange::kDeviation;

  // A pending deadline is "at risk" when it falls due within this horizon.
  std::chrono::hours at_risk_horizon{4};

  // --- Payment liability (5 kap.) --------------------------------------------------------
  LiabilityModel model = LiabilityModel::kIndividual;
  // The first billable day is the notice's local date S (moved on by extra_days_after_cutoff when
  // sent after the cut-off) advanced by this many days, counted with day_counting. Law default
  // (5 kap. 4 §): 3 calendar days, so a notice on Monday 11:59 makes Thursday the first billable
  // day and one at 12:01 Friday. Days while a clock stopper (5 kap. 5 §) is active are not billed.
  int free_days_somatic = 3;
  int free_days_psychiatric = 3;
  DayCounting day_counting = DayCounting::kCalendarDays;
  // Average model: whether a patient discharged on the day of the notice enters the average as a
  // stay of 0 days (Stockholm 2020: "dag 0" counts) or is left out.
  bool day0_counted = false;
  // Notices sent after this local time (Europe/Stockholm) count one day later (5 kap. 4 §: 12.00).
  std::optional<std::chrono::minutes> cutoff_local_time = std::chrono::hours(12);
  int extra_days_after_cutoff = 1;
  // --- Day conventions: which edge days are billed --------------------------------------------
  // Lag 2017:612 is silent on all three: 5 kap. 1 § makes the kommun pay for a patient "som vårdas
  // inom den slutna vården efter det att" the physician judged them utskrivningsklar, and 5 kap.
  // 6 § prices a "vårddygn", without saying how the days at either edge are counted, and none of
  // the sources in docs/domain.md (förordning 2017:617, the regional routines) gives a counting
  // rule. The defaults keep the hub's earlier behaviour, which follows Socialstyrelsen's
  // national statistics convention for vårdtid (termbanken: "utskrivningsdatum minus
  // inskrivningsdatum", a same-day stay is 0 days): the day a stretch ends is not counted.
  // Socialstyrelsen's vårddag ("varje påbörjat dygn") would count it: an agreement may choose.
  // Whether the local day of the discharge is billed (default: no, see above).
  bool bill_discharge_day = false;
  // Whether the local day of a withdrawal (återtagande) is billed (default: no; the patient is
  // no longer utskrivningsklar that day, and the same date-difference convention applies).
  bool bill_withdrawal_day = false;
  // A day on which a 5 kap. 5 § pause is active for only part of the day: kNotBilled (default:
  // the day is not billed, since the law says liability "ska inte inträda" while the insatser
  // are missing and a vårddygn is not split) or kBilled (only days paused from start to end are
  // left out).
  enum class PartlyPausedDay { kNotBilled, kBilled };
  PartlyPausedDay partly_paused_day = PartlyPausedDay::kNotBilled;

  // Amount per day (kr) by calendar year of the billed day (5 kap. 6 §, Socialstyrelsen).
  std::map<int, int64_t> amount_per_day_kr;
  // Whether the file marks each year's amount as confirmed, and by which source (docs/domain.md
  // tags); a year absent here is unconfirmed.
  struct AmountProvenance {
    bool confirmed = false;
    std::string source;
  };
  std::map<int, AmountProvenance> amount_provenance;
  // Average model only: the kommun pays for days above this monthly average per patient. Somatic
  // and psychiatric stays are averaged apart, each against its own threshold (the psychiatric
  // one is average_threshold_days unless the agreement sets it).
  double average_threshold_days = 3.0;
  std::optional<double> average_threshold_days_psychiatric;
  double AverageThreshold(bool psychiatric) const {
    return psychiatric && average_threshold_days_psychiatric ? *average_threshold_days_psychiatric
                                                             : average_threshold_days;
  }
  // Average model only (VGR 7-day rule): a patient still in hospital more than this many calendar
  // days after the notice is billed individually instead.
  std::optional<int> individual_after_days;

  // --- When a notice counts (issue 15 items 4 and 5) -----------------------------------------
  // The notices are the three that 5 kap. 3 § makes preconditions of the liability: the
  // inskrivningsmeddelande (2 kap. 3 §: "skickas" within 24 h), the utskrivningsklar notice
  // (5 kap. 4 §: liability "tre dagar efter det att en underrättelse ... har skickats") and the
  // kallelse to SIP (4 kap. 3 §: "senast tre dagar efter det att en underrättelse ... har
  // lämnats"). 5 kap. 3 § itself asks that slutenvården "underrättat" the kommun.
  //
  // Which clock says when a notice was sent ("skickats"): the hub's, when it stored the message
  // (what the hub can prove; the default), or the source system's own (Envelope.source_sent_at,
  // e.g. HL7 MSH-7), which is earlier when the message waited in a queue or an outage. A notice
  // without a source time counts by the stored time under either; the report says so. A
  // correction keeps the first time of its chain, as it does for the stored time.
  enum class SentTime { kStored, kSource };
  SentTime sent_time = SentTime::kStored;
  // When a notice counts as given ("underrättat", 5 kap. 3 §): when it was sent (stored by the
  // hub, at the time sent_time chooses; the default, and the law's word "skickats" in 5 kap. 4 §),
  // when the kommun's system accepted its delivery (the destination kommun-<kod> of the notice's
  // kommunkod settled it accepted; an operator's manual record does not count), or when that
  // system's Receipt says it received it. Under delivered and receipted, a notice not yet
  // delivered (receipted) has not been given: its deadline is not met and its liability has not
  // started. The law does not say; an agreement under 4 kap. 4 § may.
  enum class NotifiedWhen { kStored, kDelivered, kReceipted };
  NotifiedWhen notified_when = NotifiedWhen::kStored;
  // The report flags a notice whose source time and stored time differ by more than this (a
  // source clock that is wrong, or a message that waited): the hub's own margin, no source.
  std::chrono::minutes source_time_skew{5};
  // Whether notices count as the hub stored them, as before these parameters existed: the case
  // logic then needs no other fact and the core gathers none.
  bool NoticesCountWhenStored() const {
    return sent_time == SentTime::kStored && notified_when == NotifiedWhen::kStored;
  }

  // Calendar: treat julafton, nyårsafton and midsommarafton as non-working days.
  bool eves_are_holidays = true;

  // The amount for a day in `year`: that year's, else the latest earlier year's; nullopt if none.
  std::optional<int64_t> AmountFor(int year) const {
    auto it = amount_per_day_kr.upper_bound(year);
    if (it == amount_per_day_kr.begin()) return std::nullopt;
    return std::prev(it)->second;
  }

  // What a day in `year` is billed at, and whether that amount is confirmed: only the year's own
  // amount, marked confirmed in the file, is; an earlier year's stands in unconfirmed.
  struct AmountBasis {
    int64_t kr = 0;
    int year = 0;  // the year whose amount it is; 0: there is none
    bool confirmed = false;
    std::string source;
  };
  AmountBasis BasisFor(int year) const {
    AmountBasis b;
    auto it = amount_per_day_kr.upper_bound(year);
    if (it == amount_per_day_kr.begin()) return b;
    --it;
    b.kr = it->second;
    b.year = it->first;
    if (auto p = amount_provenance.find(it->first); p != amount_provenance.end()) {
      b.confirmed = p->second.confirmed && it->first == year;
      b.source = p->second.source;
    }
    return b;
  }
};

// The law's parameters (the struct's defaults) with no amounts: used when no agreement is
// configured. Amounts are left out on purpose: they come from Socialstyrelsen each year and belong
// in a file someone maintains (config/agreements/lag-2017-612.xml).
inline Agreement DefaultAgreement() {
  Agreement a;
  a.id = "lag-2017-612-defaults";
  a.name = "lag (2017:612), built-in defaults without amounts";
  a.source_note = "5 kap. 4 § lag (2017:612); no agreement configured";
  return a;
}

}  // namespace slussen
