#pragma once
// An EHR's side of an MLLP connection for the EHR adapter's tests: send a frame (or raw bytes),
// read the acknowledgement with a deadline, parsed. Errors are values; a connection the adapter
// closed reads as an Ack that is not ok.
#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"
#include "hl7/message.h"
#include "hl7/mllp.h"

namespace slussen::testing {

struct Ack {
  bool ok = false;        // an ACK came and parsed
  std::string error;      // why not
  std::string code;       // MSA-1: AA, AE, AR
  std::string text;       // MSA-3
  hl7::Message message;
};

class MllpClient {
 public:
  MllpClient() = default;
  ~MllpClient();
  MllpClient(const MllpClient&) = delete;
  MllpClient& operator=(const MllpClient&) = delete;

  // "HOST:PORT" as in a ready line.
  Status Connect(const std::string& endpoint);
  Status SendFrame(std::string_view payload) { return SendRaw(hl7::MllpWrap(payload)); }
  Status SendRaw(std::string_view bytes);
  // The next frame from the adapter, parsed as an ACK.
  Ack ReadAck(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SendFrame, then ReadAck.
  Ack Exchange(std::string_view payload,
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  int fd_ = -1;
  hl7::MllpFramer framer_;
};

}  // namespace slussen::testing
