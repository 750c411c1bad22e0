#pragma once
// The real Sender: runs a configured command for each letter, e.g.
//   lp -d PRINTER {file}                    (CUPS)
//   sendfax -n -d {fax} {file}              (HylaFAX)
//   slussen-fake-fax --inbox DIR --fax {fax} {file}   (tests and the demo)
// Each argv element may hold placeholders, replaced by the request's values: {file} (the spooled
// PDF's path), {fax} (the recipient's fax number), {recipient} (the destination id), {event} (the
// event id); "{{" and "}}" are literal braces. Any other {name} is a configuration error.
//
// No shell: the command is started with fork and execv (argv[0] without a '/' is looked up in
// PATH first, like execvp), so a fax number or a path is one argument whatever it contains. The child runs in its own process group
// with stdin on /dev/null, stdout and stderr on one pipe (captured, bounded), the signal mask
// cleared and SIGPIPE at its default. After `timeout` the whole group gets SIGKILL (a script's
// own children too), and the send is not delivered.
//
// Outcome: exit status 0 → delivered. Anything else → not delivered, with the reason in
// SendOutcome::summary: "lp: exit status 1", "lp: killed by signal 9", "lp: timed out after 30000
// ms, killed", "lp: cannot start: No such file or directory" (or "not found in PATH"), or "lp: not started: {fax} in the
// command but recipient kommun-1380 has no fax number" (then nothing runs). A placeholder's value
// never appears in the summary.
//
// Thread safety: Send is const and keeps no state between calls; any number of threads may send
// at once, each waiting for its own child.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "adapters/letter/sender.h"
#include "common/result.h"

namespace slussen::adapters::letter {

struct CommandSenderOptions {
  std::vector<std::string> argv;  // the template; argv[0] must not be empty
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  std::size_t max_output = 4096;  // bytes of stdout+stderr kept (the rest is read and dropped)
};

class CommandSender final : public Sender {
 public:
  // Errors (kInvalidArgument): an empty argv or argv[0], an unknown or unclosed placeholder, a
  // timeout that is not positive.
  static Result<CommandSender> Create(CommandSenderOptions options);

  SendOutcome Send(const SendRequest& request) const override;

  // The argv for `request` with the placeholders replaced; an error if the template needs {fax}
  // and the request has none. Exposed for the adapter's config check and the tests.
  Result<std::vector<std::string>> Expand(const SendRequest& request) const;

  const CommandSenderOptions& options() const { return options_; }

 private:
  explicit CommandSender(CommandSenderOptions options) : options_(std::move(options)) {}
  CommandSenderOptions options_;
};

}  // namespace slussen::adapters::letter
