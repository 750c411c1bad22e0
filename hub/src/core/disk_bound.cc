#include "core/disk_bound.h"

#include <spdlog/spdlog.h>

namespace slussen {
namespace {
constexpr auto kReportEvery = std::chrono::minutes(1);

int64_t Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}
}  // namespace

DiskBound::DiskBound(const Config& config, std::chrono::milliseconds interval)
    : config_(config), interval_(interval) {}

uint64_t DiskBound::resume_below_bytes() const {
  const uint64_t max = config_.store_max_bytes;
  const uint64_t resume = config_.store_resume_below_bytes;
  return resume == 0 || resume >= max ? max - max / 10 : resume;
}

bool DiskBound::Check(Store& store, TimePoint now) {
  if (measured_at_ && now - *measured_at_ < interval_) return full_;
  measured_at_ = now;
  auto bytes = store.BytesOnDisk();
  if (!bytes) {
    // The state stays as it was: a store that cannot be measured is no reason to refuse inbound
    // (its writes tell their own errors), nor to accept it while full.
    if (!error_logged_at_ || now - *error_logged_at_ >= kReportEvery) {
      spdlog::warn("store: cannot measure its size for the disk bound ({}): {}",
                   full_ ? "still refusing inbound" : "accepting inbound", bytes.error());
      error_logged_at_ = now;
    }
    return full_;
  }
  bytes_ = *bytes;
  if (max_bytes() == 0) return false;
  if (!full_ && bytes_ >= max_bytes()) {
    BecomeFull(store, now);
  } else if (full_ && bytes_ < resume_below_bytes()) {
    Recover(store, now);
  } else if (full_ && now - reported_at_ >= kReportEvery) {
    spdlog::error("store still full: {} bytes on disk (max-bytes {}, resume-below {}); {} inbound "
                  "messages released in the last {} s, {} since it became full {} s ago. If it "
                  "does not fall, the database file itself is at the bound: raise max-bytes and "
                  "restart the hub, or give the store more room",
                  bytes_, max_bytes(), resume_below_bytes(), released_since_report_,
                  Seconds(now - reported_at_), released_while_full_, Seconds(now - full_since_));
    reported_at_ = now;
    released_since_report_ = 0;
  }
  // Every measurement while full: the log may have been held by a reader that is gone now.
  if (full_) store.ReclaimSpace();
  return full_;
}

void DiskBound::BecomeFull(Store& store, TimePoint now) {
  full_ = true;
  full_since_ = now;
  reported_at_ = now;
  released_while_full_ = 0;
  released_since_report_ = 0;
  spdlog::error("store full: {} bytes on disk, max-bytes {}. Every inbound message is released to "
                "its sender, which keeps it and sends it again later; nothing is stored for it. "
                "Delivery goes on. Inbound is accepted again once the store is below resume-below "
                "{} bytes. Only the write-ahead log shrinks (the hub truncates it while full): the "
                "database file keeps every event and does not shrink, so unless the log is what "
                "grew, the store stays full until an operator raises max-bytes and restarts the "
                "hub, or gives the store more room (hub/DESIGN.md, \"Disk bound\")",
                bytes_, max_bytes(), resume_below_bytes());
  store.ShowFull(Reason());
}

void DiskBound::Recover(Store& store, TimePoint now) {
  full_ = false;
  spdlog::warn("store below resume-below again: {} bytes on disk (resume-below {}, max-bytes "
               "{}); inbound is accepted again after {} s full, in which {} inbound messages "
               "were released",
               bytes_, resume_below_bytes(), max_bytes(), Seconds(now - full_since_),
               released_while_full_);
  store.ShowFull("");
}

std::string DiskBound::Reason() const {
  return "store " + std::to_string(bytes_) + " bytes on disk reached max-bytes " +
         std::to_string(max_bytes()) + "; inbound is released until it is below resume-below " +
         std::to_string(resume_below_bytes());
}

void DiskBound::CountReleased(std::size_t n) {
  released_ += n;
  released_while_full_ += n;
  released_since_report_ += n;
}

std::optional<DiskBound::TimePoint> DiskBound::NextCheckAt() const {
  if (!full_ || interval_.count() == 0 || !measured_at_) return std::nullopt;
  return *measured_at_ + interval_;
}

}  // namespace slussen
