#include "payload.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "synthetic_events.h"

namespace slussen::bench {
namespace {

using slussen::v1::Envelope;

// The episode id: "B" + run (8 hex) + "." + case number (10 digits); fixed width, so it can be
// patched in place. Valid as an episode id ([A-Za-z0-9._:-], at most 64).
constexpr char kEpisodePlaceholder[] = "B00000000.0000000000";
constexpr std::size_t kEpisodeLength = sizeof kEpisodePlaceholder - 1;

// Planning items as a ward writes them; cycled to pad a message.
constexpr const char* kPlanning[][2] = {
    {"BOENDE",
     "Bor ensam i lägenhet på andra våningen, hiss finns. Dottern bor i samma ort och "
     "hjälper till med inköp."},
    {"KOGNITION", "Lätt kognitiv svikt, behöver påminnelse om måltider och läkemedel."},
    {"NUTRITION",
     "Nedsatt aptit under vårdtiden, viktnedgång 3 kg. Näringsdryck två gånger "
     "dagligen rekommenderas."},
    {"LAKEMEDEL", "Dosett delas av hemsjukvården, ny behandling med antikoagulantia insatt."},
    {"REHAB", "Går med rollator inomhus, behöver stöd vid förflyttning till och från säng."},
    {"HEMSJUKVARD", "Omläggning av sår på underbenet varannan dag, distriktssköterska kontaktad."},
};

// Shortens `text` until the envelope is no larger than `target`, at UTF-8 character boundaries
// (proto3 strings must be valid UTF-8, or the receiver cannot parse the message).
void TrimTo(Envelope& env, std::string* text, std::size_t target) {
  auto is_continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
  while (env.ByteSizeLong() > target && !text->empty()) {
    while (!text->empty() && is_continuation(text->back())) text->pop_back();
    if (!text->empty()) text->pop_back();  // an ASCII character or the lead byte
  }
}

// Adds planning items (or hemgångsklar items) until the envelope reaches `target` bytes.
void PadTo(Envelope& env, std::size_t target) {
  for (std::size_t i = 0; env.ByteSizeLong() < target; ++i) {
    const char* code = kPlanning[i % 6][0];
    const char* text = kPlanning[i % 6][1];
    if (env.has_planeringsunderlag()) {
      auto* item = env.mutable_planeringsunderlag()->add_items();
      item->set_code(code);
      item->set_text(text);
    } else {
      auto* item = env.mutable_utskrivningsmeddelande()->add_hemgangsklar();
      item->set_code(code);
      item->set_done(true);
      item->set_comment(text);
    }
  }
  if (env.has_planeringsunderlag()) {
    auto* m = env.mutable_planeringsunderlag();
    TrimTo(env, m->mutable_items(m->items_size() - 1)->mutable_text(), target);
  } else {
    auto* m = env.mutable_utskrivningsmeddelande();
    TrimTo(env, m->mutable_hemgangsklar(m->hemgangsklar_size() - 1)->mutable_comment(), target);
  }
}

bool HasFreeText(const Envelope& env) {
  return env.has_planeringsunderlag() || env.has_utskrivningsmeddelande();
}

void SetTime(google::protobuf::Timestamp* ts, std::chrono::system_clock::time_point t) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  ts->set_seconds(us / 1000000);
  ts->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
}

// Cuts the chain short and moves the times the shape names (see CaseShape).
void ApplyShape(std::vector<Envelope>& chain, const CaseShape& shape) {
  if (shape.sent() < 1 || shape.events > PayloadFactory::kEventsPerCase) {
    throw std::runtime_error("payload: a case has 1 to 6 events");
  }
  chain.resize(static_cast<std::size_t>(shape.events));
  if (shape.without_inskrivning) chain.erase(chain.begin());
  const auto now = std::chrono::system_clock::now();
  for (Envelope& env : chain) {
    if (shape.inskrivning_on_time && env.has_inskrivningsmeddelande()) {
      auto* m = env.mutable_inskrivningsmeddelande();
      SetTime(m->mutable_assessed_at(), now - std::chrono::hours(1));
      SetTime(m->mutable_estimated_discharge_at(), now + std::chrono::hours(72));
    }
    if (shape.estimate_hours_ago && env.has_estimated_discharge_changed()) {
      SetTime(env.mutable_estimated_discharge_changed()->mutable_new_estimate(),
              now - std::chrono::hours(*shape.estimate_hours_ago));
    }
  }
}

}  // namespace

PayloadFactory::PayloadFactory(int patient_index, std::size_t mean_bytes, const CaseShape& shape) {
  auto patient = client::MakeSyntheticPatient(patient_index);
  patient.episode_id = kEpisodePlaceholder;
  kommunkod_ = patient.kommunkod;
  vardcentral_ = patient.listed_vc_hsa_id;
  care_unit_ = patient.care_unit_hsa_id;
  std::vector<Envelope> chain =
      client::SyntheticChain(patient, std::chrono::system_clock::now() -
                                          client::SyntheticChainSpan() - std::chrono::hours(1));
  if (chain.size() != kEventsPerCase) throw std::runtime_error("payload: unexpected chain length");
  ApplyShape(chain, shape);

  // Pad the free-text events so that the chain's mean size is `mean_bytes`.
  std::size_t fixed = 0;
  int padded = 0;
  for (const auto& env : chain) {
    if (HasFreeText(env))
      ++padded;
    else
      fixed += env.ByteSizeLong();
  }
  const std::size_t total = mean_bytes * chain.size();
  const std::size_t each =
      padded > 0 && total > fixed ? (total - fixed) / static_cast<std::size_t>(padded) : 0;
  for (auto& env : chain) {
    if (HasFreeText(env)) PadTo(env, each);
  }

  for (const Envelope& env : chain) {
    const client::OutgoingMessage msg = client::ToMessage(env);
    Payload p{msg.subject, msg.properties, msg.body, 0};
    p.properties.erase("case_id");  // per case, set by Build
    // Field 1 (event_id, 36 bytes) is serialized first: tag 0x0a, length 0x24.
    if (p.body.size() < 38 || p.body[0] != 0x0a || p.body[1] != 36) {
      throw std::runtime_error("payload: event_id is not at the start of the serialized envelope");
    }
    p.episode_offset = p.body.find(kEpisodePlaceholder);
    if (p.episode_offset == std::string::npos ||
        p.body.find(kEpisodePlaceholder, p.episode_offset + 1) != std::string::npos) {
      throw std::runtime_error("payload: the episode id must occur exactly once in the body");
    }
    templates_.push_back(std::move(p));
  }
}

const PayloadFactory::Payload& PayloadFactory::Build(uint32_t run, uint64_t seq,
                                                     const std::string& event_id, std::string* body,
                                                     std::string* case_id) const {
  const uint64_t per_case = templates_.size();
  const Payload& p = templates_[seq % per_case];
  char episode[kEpisodeLength + 1];
  std::snprintf(episode, sizeof episode, "B%08x.%010llu", run,
                static_cast<unsigned long long>((seq / per_case) % 10000000000ULL));
  *body = p.body;
  body->replace(2, 36, event_id);
  body->replace(p.episode_offset, kEpisodeLength, episode, kEpisodeLength);
  case_id->assign(care_unit_).append("/").append(episode, kEpisodeLength);
  return p;
}

std::size_t PayloadFactory::mean_body_size() const {
  std::size_t sum = 0;
  for (const auto& p : templates_) sum += p.body.size();
  return sum / templates_.size();
}

std::size_t PayloadFactory::min_body_size() const {
  std::size_t v = templates_.front().body.size();
  for (const auto& p : templates_) v = std::min(v, p.body.size());
  return v;
}

std::size_t PayloadFactory::max_body_size() const {
  std::size_t v = 0;
  for (const auto& p : templates_) v = std::max(v, p.body.size());
  return v;
}

}  // namespace slussen::bench
