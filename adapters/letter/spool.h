#pragma once
// The spool directory: where a letter's PDF waits for the print or fax command, and where it is
// kept for a while after it went out.
//
// Layout (the directory is created 0700 if missing):
//   <dir>/<event-id>.<recipient-id>.pdf       rendered, not yet sent (or its send failed; the
//                                              hub's retry renders it again under the same name)
//   <dir>/sent/<event-id>.<recipient-id>.pdf  sent (the command exited 0)
//   <dir>/.tmp-<event-id>.<recipient-id>.XXXXXX  being written; never seen under a final name
// A name holds no patient data: event id and recipient id only. Files are mode 0600 (they hold
// the patient's identity). A file appears under its final name only whole: written under a temp
// name, fsynced, renamed, and the directory fsynced.
//
// Cleanup (Cleanup(now), which the adapter calls at start and then, say, hourly): files in sent/
// older than keep_sent are removed (default 7 days, so a lost letter can be printed again from
// the spool; 0 removes a letter as soon as it is sent); unsent files older than keep_unsent are
// removed (default 7 days: by then the hub has long retried or dead-lettered the delivery, and a
// retry renders the letter again anyway); temp files older than an hour are leftovers of a crash
// and removed. Age is the file's modification time against `now`. Nothing else in the directory
// is touched.
//
// Thread safety: a Spool is immutable after Open; Put, MarkSent and Cleanup may be called from
// several threads at once. Two Puts of the same event and recipient at the same time both
// succeed and one of the two (identical) files wins.
#include <chrono>
#include <functional>
#include <string>

#include "adapters/letter/letter.h"
#include "common/result.h"
#include "slussen/v1/events.pb.h"

namespace slussen::adapters::letter {

struct SpoolOptions {
  std::string dir;
  std::chrono::seconds keep_sent = std::chrono::hours(7 * 24);
  std::chrono::seconds keep_unsent = std::chrono::hours(7 * 24);
  // A group that may read the letters (a print operator's account): the spool's directories get
  // it with mode 0750 and each letter 0640. Empty: the adapter's user alone (0700 and 0600).
  std::string group = {};
};

class Spool {
 public:
  // Creates `dir` and `dir`/sent (0700) if missing. Errors: an empty dir, a negative keep_sent,
  // a keep_unsent under an hour (a letter being sent must not be swept away), or a directory that cannot be created or is not a directory (kUnavailable).
  static Result<Spool> Open(const SpoolOptions& options);

  // "<event_id>.<recipient_id>.pdf"; kInvalidArgument if either fails IsSafeFileToken.
  static Result<std::string> FileName(const std::string& event_id, const std::string& recipient_id);

  // Writes a file with `write` (given the temp path to write, which exists, empty, mode 0600) and
  // puts it into the spool under FileName atomically, replacing an earlier one of that name.
  // Returns the final path. On any error no file is left under the temp or the final name
  // (an earlier file of that name stays as it was).
  Result<std::string> Put(const std::string& event_id, const std::string& recipient_id,
                          const std::function<Status(const std::string& temp_path)>& write) const;

  // Renders the letter (letter_pdf.h) and Puts it.
  Result<std::string> PutLetter(const slussen::v1::Envelope& event, const LetterContext& context) const;

  // After a successful send: moves `path` (a file Put returned) to sent/, replacing one of the
  // same name there, or removes it if keep_sent is 0. Returns the new path ("" if removed).
  Result<std::string> MarkSent(const std::string& path) const;

  // Removes what the policy above says is old at `now`; returns how many files it removed. A
  // file that cannot be removed is an error naming it (the rest are still tried).
  Result<int> Cleanup(std::chrono::system_clock::time_point now) const;

  const std::string& dir() const { return options_.dir; }
  std::string sent_dir() const { return options_.dir + "/sent"; }

 private:
  explicit Spool(SpoolOptions options) : options_(std::move(options)) {}
  SpoolOptions options_;
};

}  // namespace slussen::adapters::letter
