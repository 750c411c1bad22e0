#include "util/crash_ledger.h"

#include <set>
#include <sstream>

namespace slussen::testing {

namespace {
constexpr std::size_t kExamples = 5;
}  // namespace

CrashLedger::CrashLedger(std::vector<std::string> ids, std::size_t destinations)
    : ids_(std::move(ids)),
      accepted_(ids_.size(), false),
      rounds_(destinations, std::vector<std::vector<int>>(ids_.size())),
      received_in_round_(destinations, 0),
      distinct_(destinations, 0),
      foreign_(destinations, 0) {
  for (std::size_t i = 0; i < ids_.size(); ++i) index_.emplace(ids_[i], i);
}

void CrashLedger::BeginRound(int round) {
  std::lock_guard<std::mutex> lock(mu_);
  round_ = round;
  accepted_in_round_ = 0;
  for (auto& n : received_in_round_) n = 0;
}

CrashLedger::Counts CrashLedger::Settled(std::size_t index, client::SendOutcome::Kind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  switch (kind) {
    case client::SendOutcome::Kind::kAccepted:
      ++accepted_in_round_;
      if (!accepted_[index]) {
        accepted_[index] = true;
        ++accepted_count_;
      }
      break;
    case client::SendOutcome::Kind::kRejected: ++rejected_; break;
    default: ++released_; break;
  }
  return {accepted_count_, accepted_in_round_};
}

void CrashLedger::AddTransfers(std::size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  transfers_ += n;
}

int CrashLedger::Received(std::size_t destination, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  const int n = ++received_in_round_[destination];
  auto it = index_.find(id);
  if (it == index_.end()) {
    ++foreign_[destination];
  } else {
    auto& rounds = rounds_[destination][it->second];
    if (rounds.empty()) ++distinct_[destination];
    rounds.push_back(round_);
  }
  cv_.notify_all();
  return n;
}

int CrashLedger::ReceivedThisRound(std::size_t destination) const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_in_round_[destination];
}

std::vector<std::size_t> CrashLedger::Unaccepted() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < accepted_.size(); ++i) {
    if (!accepted_[i]) out.push_back(i);
  }
  return out;
}

bool CrashLedger::AllReceivedLocked() const {
  for (std::size_t d = 0; d < rounds_.size(); ++d) {
    if (distinct_[d] < accepted_count_) return false;  // cheap: most wake-ups stop here
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      if (accepted_[i] && rounds_[d][i].empty()) return false;
    }
  }
  return true;
}

bool CrashLedger::WaitAllReceived(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [this] { return AllReceivedLocked(); });
}

std::string CrashLedger::Missing() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream os;
  for (std::size_t d = 0; d < rounds_.size(); ++d) {
    std::size_t n = 0;
    std::ostringstream examples;
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      if (!accepted_[i] || !rounds_[d][i].empty()) continue;
      if (n++ < kExamples) examples << " " << ids_[i] << " (#" << i << ")";
    }
    os << "destination " << d << ": " << n << " accepted event(s) not received" << examples.str()
       << "; ";
  }
  return os.str();
}

std::string CrashLedger::NotIn(const std::vector<std::string>& stored) const {
  const std::set<std::string> have(stored.begin(), stored.end());
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  std::ostringstream examples;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (!accepted_[i] || have.contains(ids_[i])) continue;
    if (n++ < kExamples) examples << " " << ids_[i];
  }
  if (n == 0) return "";
  std::ostringstream os;
  os << n << " event(s):" << examples.str();
  return os.str();
}

CrashLedger::Figures CrashLedger::Summarize() const {
  std::lock_guard<std::mutex> lock(mu_);
  Figures f;
  f.transfers = transfers_;
  f.accepted = accepted_count_;
  f.rejected = rejected_;
  f.released = released_;
  f.runs.assign(static_cast<std::size_t>(round_) + 1,
                Run{std::vector<std::size_t>(rounds_.size(), 0),
                    std::vector<std::size_t>(rounds_.size(), 0)});
  for (std::size_t d = 0; d < rounds_.size(); ++d) {
    Destination dest;
    dest.foreign = foreign_[d];
    dest.received = foreign_[d];
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      const auto& rounds = rounds_[d][i];
      dest.received += rounds.size();
      if (rounds.empty()) {
        if (accepted_[i]) ++dest.lost;
        continue;
      }
      ++dest.distinct;
      dest.duplicated += rounds.size() - 1;
      for (std::size_t k = 0; k < rounds.size(); ++k) {
        auto& run = f.runs[static_cast<std::size_t>(rounds[k])];
        ++run.accepted[d];
        if (k + 1 < rounds.size()) ++run.came_again[d];
      }
      for (std::size_t k = 1; k < rounds.size(); ++k) {
        if (rounds[k] != rounds[k - 1]) continue;
        if (dest.duplicated_within_run++ == 0) {
          dest.example_within_run = ids_[i] + " in run " + std::to_string(rounds[k]);
        }
      }
    }
    f.destinations.push_back(dest);
  }
  return f;
}

}  // namespace slussen::testing
