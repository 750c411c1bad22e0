#pragma once
// The benchmark's messages: realistic discharge-planning traffic of about 1 KB per event. Each
// case is the synthetic chain of one patient (adapters/common/synthetic_events.h): six events,
// Inskrivningsmeddelande to Utskrivningsmeddelande. The two with free text, the Planeringsunderlag
// request and the Utskrivningsmeddelande, are padded with more realistic planning items so that
// the chain's mean serialized Envelope has the target size (the other four are small by nature).
//
// Message `seq` is event seq % E of case seq / E, E = events_per_case() (6 unless a CaseShape
// cuts the chain short). Its event id (event_ids.h) and the case's episode id have fixed widths
// and are patched into the serialized template, so building a message costs a copy, not a
// protobuf serialization.
//
// The patient decides the routing: with the bench hub config, patient 1 (kommun 1380, listed at
// SE2321000115-VC01) fans out to exactly two destinations, patient 4 (1383, VC03) to two others.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slussen::bench {

// What the cases of a factory look like (the admin scenario mixes several). The default is the
// whole chain as it is: a discharged case whose inskrivningsmeddelande arrives days after the
// admission (the chain lies in the past), so its 24 h deadline is missed.
struct CaseShape {
  int events = 6;  // the chain's first `events` (1..6): fewer leave the case open
  // The hospital never sends the inskrivningsmeddelande (the first event): once the case's first
  // event is a day old, the deadline is missed and stays unmet.
  bool without_inskrivning = false;
  // The inskrivningsmeddelande says the patient was assessed an hour before the factory was made
  // (the 24 h count starts then: met) and expects the discharge in three days.
  bool inskrivning_on_time = false;
  // The EstimatedDischargeChanged (if among the events) moves the estimate to this long before
  // the factory was made: a case not yet discharged past its estimated day has its information
  // transfer at risk.
  std::optional<int> estimate_hours_ago;
  int sent() const { return events - (without_inskrivning ? 1 : 0); }  // events per case
};

class PayloadFactory {
 public:
  static constexpr int kEventsPerCase = 6;  // of the whole chain

  // `patient`: index for MakeSyntheticPatient; `mean_bytes`: mean Envelope size to pad to.
  PayloadFactory(int patient, std::size_t mean_bytes, const CaseShape& shape = {});

  struct Payload {
    std::string subject;                            // the event kind
    std::map<std::string, std::string> properties;  // event_type, schema_version (not case_id)
    std::string body;                               // serialized Envelope template
    std::size_t episode_offset = 0;                 // where the episode id sits in `body`
  };
  // Writes message `seq` of run `run` to `body` (event id `event_id`, 36 chars) and its case id
  // ("<care unit>/<episode>") to `case_id`; returns the template (subject, properties).
  const Payload& Build(uint32_t run, uint64_t seq, const std::string& event_id, std::string* body,
                       std::string* case_id) const;
  int events_per_case() const { return static_cast<int>(templates_.size()); }
  std::size_t mean_body_size() const;
  std::size_t min_body_size() const;
  std::size_t max_body_size() const;
  std::string kommunkod() const { return kommunkod_; }
  std::string vardcentral() const { return vardcentral_; }

 private:
  std::vector<Payload> templates_;
  std::string care_unit_;
  std::string kommunkod_;
  std::string vardcentral_;
};

}  // namespace slussen::bench
