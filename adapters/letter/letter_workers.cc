#include "adapters/letter/letter_workers.h"

#include <spdlog/spdlog.h>

#include "adapters/letter/letter_job.h"
#include "adapters/letter/letter_recipient.h"
#include "common/log_safe.h"
#include "slussen/v1/events.pb.h"

namespace slussen::adapters::letter {
namespace {

// An event id from the wire, for the log: as it is if it can name a file (a UUID can), else not.
std::string IdForLog(const std::string& id) {
  return IsSafeFileToken(id) ? id : std::string("(an id that cannot name a file)");
}

Settlement Reject(std::string condition, std::string description) {
  return {client::Disposition::kReject, std::move(condition), std::move(description)};
}

}  // namespace

LetterWorkers::LetterWorkers(const LetterAdapterConfig& config, const Spool& spool,
                             const Sender& sender, Settle settle, Clock clock)
    : config_(config), spool_(spool), sender_(sender), settle_(std::move(settle)),
      clock_(std::move(clock)) {
  for (int i = 0; i < config_.workers; ++i) threads_.emplace_back([this] { Run(); });
}

LetterWorkers::~LetterWorkers() {
  StopTaking();
  Join();
}

void LetterWorkers::Post(uint64_t token, client::IncomingMessage message) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({token, std::move(message)});
      cv_.notify_one();
      return;
    }
  }
  settle_(token, Settlement{client::Disposition::kRelease, {}, {}});
}

void LetterWorkers::StopTaking() {
  std::deque<Job> waiting;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    waiting.swap(queue_);
    cv_.notify_all();
  }
  if (!waiting.empty()) {
    spdlog::info("stopping: {} letter(s) not started are handed back to the hub", waiting.size());
  }
  for (const Job& job : waiting) {
    settle_(job.token, Settlement{client::Disposition::kRelease, {}, {}});
  }
}

void LetterWorkers::Join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void LetterWorkers::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Settlement s;
    try {
      s = Handle(job.message);
    } catch (const std::exception& e) {
      // Not expected (the library returns values); the hub is to try again, not to lose it.
      spdlog::error("letter: unexpected failure ({}); released", e.what());
      s = Settlement{client::Disposition::kRelease, {}, {}};
    }
    settle_(job.token, s);
  }
}

Settlement LetterWorkers::Handle(const client::IncomingMessage& message) {
  v1::Envelope event;
  if (!event.ParseFromString(message.body)) {
    spdlog::error("letter: a delivery on {} is not a slussen.v1.Envelope ({} bytes); rejected",
                  kLetterAddress, message.body.size());
    return Reject("slussen:invalid-event", "the body is not a slussen.v1.Envelope");
  }
  const std::string id = IdForLog(event.event_id());
  Result<RecipientChoice> choice = ChooseRecipient(config_, message.properties, event);
  if (!choice.ok()) {
    spdlog::error("letter {}: {}; rejected (dead letter)", id, choice.error());
    return Reject("slussen:no-recipient", "letter " + id + ": " + choice.error());
  }
  if (choice->how != "for_destination") {
    spdlog::info("letter {}: routed to letter without for_destination; recipient {} ({})", id,
                 choice->recipient->id, choice->how);
  }
  const LetterContext context{config_.letter.hospital, *choice->recipient, choice->reason,
                              clock_()};
  const LetterOutcome out = SendLetter(event, context, spool_, sender_);
  switch (out.disposition) {
    case Disposition::kDelivered:
      spdlog::info("{}; accepted", out.summary);
      if (!out.output.empty()) spdlog::debug("letter {}: command said: {}", id, LogSafe(out.output, 512));
      return {client::Disposition::kAccept, {}, {}};
    case Disposition::kRetry:
      spdlog::warn("{}; released, the hub retries", out.summary);
      if (!out.output.empty()) spdlog::warn("letter {}: command said: {}", id, LogSafe(out.output, 512));
      return {client::Disposition::kRelease, {}, {}};
    case Disposition::kRefused:
      spdlog::error("{}; rejected (dead letter)", out.summary);
      return Reject("slussen:letter-refused", out.summary);
  }
  return {client::Disposition::kRelease, {}, {}};
}

}  // namespace slussen::adapters::letter
