#pragma once
// Handing a spooled letter to whatever puts it on paper or on the fax line. The adapter settles
// the hub's delivery from the outcome: delivered → accepted; not delivered → released (the hub's
// retry policy tries again later). A send is never silent: every outcome says what happened.
#include <string>

namespace slussen::adapters::letter {

// One letter to send. Ids only: no patient data.
struct SendRequest {
  std::string file;          // the spooled PDF (Spool::Put)
  std::string fax;           // the recipient's fax number; may be empty (no fax line)
  std::string recipient_id;  // the destination id, e.g. "kommun-1380"
  std::string event_id;
};

struct SendOutcome {
  bool delivered = false;
  // What happened, for the log and the hub's release reason; holds no patient data (the command's
  // name, exit status or signal, the timeout, why it could not start). "exit status 0" when sent.
  std::string summary;
  // The command's stdout and stderr as it wrote them (interleaved), at most
  // CommandSenderOptions::max_output bytes (then with a note of how much was dropped). It is the
  // print or fax tool's own text: untrusted, for an operator's eyes; escape it before logging.
  std::string output;
};

// Thread safety: implementations must allow Send from several threads at once (the adapter's
// worker threads; never the AMQP thread, as a send may take as long as its timeout).
class Sender {
 public:
  virtual ~Sender() = default;
  virtual SendOutcome Send(const SendRequest& request) const = 0;
};

}  // namespace slussen::adapters::letter
