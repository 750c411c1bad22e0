#pragma once
// The letter adapter's workers: deliveries of out/letter come in on the AMQP thread (which must
// not block) and wait in one queue; each of N worker threads takes one, decodes the Envelope,
// chooses the recipient, runs SendLetter (render, spool, the command) and settles it:
// delivered → accepted, retry → released, refused or no recipient → rejected with the reason.
// Every outcome is logged with ids only (event id, recipient id, what happened).
//
// The queue is bounded by the subscription's max-in-flight: the hub grants no more credit than
// that until deliveries are settled. StopTaking() hands back (releases) whatever waits and
// anything posted after; letters being sent finish (their command's timeout bounds them).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/letter/letter_adapter_config.h"
#include "adapters/letter/sender.h"
#include "adapters/letter/spool.h"
#include "hub_client.h"

namespace slussen::adapters::letter {

// How one delivery is to be settled with the hub.
struct Settlement {
  client::Disposition disposition = client::Disposition::kRelease;
  std::string condition;    // with kReject: the AMQP condition
  std::string description;  // with kReject: the reason the hub keeps with the dead letter
};

class LetterWorkers {
 public:
  using Settle = std::function<void(uint64_t token, const Settlement&)>;
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `config`, `spool` and `sender` must outlive this. `settle` is called from the worker threads.
  LetterWorkers(const LetterAdapterConfig& config, const Spool& spool, const Sender& sender,
                Settle settle, Clock clock);
  ~LetterWorkers();  // StopTaking() and Join()
  LetterWorkers(const LetterWorkers&) = delete;
  LetterWorkers& operator=(const LetterWorkers&) = delete;

  // Any thread; never blocks for long.
  void Post(uint64_t token, client::IncomingMessage message);
  // Releases what waits and whatever is posted from now on.
  void StopTaking();
  // Waits for the letters being sent.
  void Join();

 private:
  struct Job {
    uint64_t token;
    client::IncomingMessage message;
  };
  void Run();
  Settlement Handle(const client::IncomingMessage& message);

  const LetterAdapterConfig& config_;
  const Spool& spool_;
  const Sender& sender_;
  Settle settle_;
  Clock clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace slussen::adapters::letter
