#pragma once
// MLLP (HL7's Minimal Lower Layer Protocol): each message travels as
// 0x0B <payload> 0x1C 0x0D over a byte stream.
//
// MllpFramer is fed the bytes as they arrive, in pieces of any size, and yields complete frames
// and framing errors in stream order. It recovers from every error at the next start byte, so
// one bad frame never costs the connection: bytes outside a frame are counted and reported as
// garbage, a frame larger than the limit is reported once and skipped to its end (never
// buffered), a start byte inside a frame abandons the unfinished one. Memory is bounded by
// max_frame_bytes. One framer per connection; not thread-safe.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace slussen::hl7 {

inline constexpr char kMllpStart = '\x0b';
inline constexpr char kMllpEnd = '\x1c';
inline constexpr char kMllpCr = '\x0d';

// 0x0B payload 0x1C 0x0D.
std::string MllpWrap(std::string_view payload);

struct MllpFrame {
  std::string payload;  // between the start byte and 0x1C 0x0D
};

struct MllpError {
  enum class Kind {
    kGarbage,      // bytes outside a frame (before a start byte)
    kOversized,    // a frame longer than max_frame_bytes; skipped up to its end
    kInterrupted,  // a start byte inside a frame: the unfinished frame is dropped
    kNoCr,         // 0x1C not followed by 0x0D; the frame is delivered all the same
    kTruncated,    // the stream ended inside a frame (Finish)
  };
  Kind kind;
  std::size_t bytes = 0;  // how many bytes the error concerns (skipped or dropped)
  // For kOversized and kInterrupted: the frame's first bytes (at most kHeadBytes), from which
  // an AR acknowledgement can still name the message (MSH-10).
  std::string head;
  std::string text;  // a description for the log; holds no payload bytes
};

using MllpEvent = std::variant<MllpFrame, MllpError>;

class MllpFramer {
 public:
  static constexpr std::size_t kHeadBytes = 1024;

  explicit MllpFramer(std::size_t max_frame_bytes = 1 << 20);

  // Everything the bytes complete, in order. Garbage is reported when the next start byte (or
  // max_frame_bytes of it) arrives, so a long run of it is one report, not one per read.
  std::vector<MllpEvent> Feed(std::string_view bytes);

  // The stream ended: a frame that lacked only its final 0x0D (with its kNoCr), or an error
  // for what was unfinished (kTruncated, unreported kGarbage). The framer is then reset.
  std::vector<MllpEvent> Finish();

  // Whether a frame has begun and not ended.
  bool in_frame() const { return state_ != State::kOutside; }

 private:
  enum class State { kOutside, kInFrame, kSkipping, kAfterEnd };

  void Outside(char c, std::vector<MllpEvent>& out);
  void FlushGarbage(std::vector<MllpEvent>& out);
  void EmitFrame(std::vector<MllpEvent>& out);

  std::size_t max_frame_bytes_;
  State state_ = State::kOutside;
  std::string buffer_;           // the frame so far (kInFrame, kAfterEnd)
  std::string head_;             // kSkipping: the oversized frame's first bytes
  std::size_t skipped_ = 0;      // kSkipping: bytes of the oversized frame so far
  std::size_t garbage_ = 0;      // kOutside: unreported bytes outside a frame
  bool swallow_cr_ = false;      // kOutside: the 0x0D ending a skipped frame is not garbage
};

}  // namespace slussen::hl7
