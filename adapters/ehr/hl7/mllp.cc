#include "hl7/mllp.h"

#include <utility>

namespace slussen::hl7 {
namespace {

MllpError Make(MllpError::Kind kind, std::size_t bytes, std::string text, std::string head = {}) {
  return MllpError{kind, bytes, std::move(head), std::move(text)};
}

std::string Head(std::string_view frame) {
  return std::string(frame.substr(0, MllpFramer::kHeadBytes));
}

}  // namespace

std::string MllpWrap(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 3);
  out.push_back(kMllpStart);
  out.append(payload);
  out.push_back(kMllpEnd);
  out.push_back(kMllpCr);
  return out;
}

MllpFramer::MllpFramer(std::size_t max_frame_bytes)
    : max_frame_bytes_(max_frame_bytes == 0 ? 1 : max_frame_bytes) {}

void MllpFramer::FlushGarbage(std::vector<MllpEvent>& out) {
  if (garbage_ == 0) return;
  out.push_back(Make(MllpError::Kind::kGarbage, garbage_,
                     std::to_string(garbage_) + " bytes outside an MLLP frame skipped"));
  garbage_ = 0;
}

void MllpFramer::EmitFrame(std::vector<MllpEvent>& out) {
  out.push_back(MllpFrame{std::move(buffer_)});
  buffer_.clear();
  state_ = State::kOutside;
}

void MllpFramer::Outside(char c, std::vector<MllpEvent>& out) {
  const bool swallow = std::exchange(swallow_cr_, false);
  if (c == kMllpStart) {
    FlushGarbage(out);
    buffer_.clear();
    state_ = State::kInFrame;
    return;
  }
  if (swallow && c == kMllpCr) return;
  if (++garbage_ >= max_frame_bytes_) FlushGarbage(out);
}

std::vector<MllpEvent> MllpFramer::Feed(std::string_view bytes) {
  std::vector<MllpEvent> out;
  for (char c : bytes) {
    switch (state_) {
      case State::kOutside:
        Outside(c, out);
        break;
      case State::kInFrame:
        if (c == kMllpStart) {
          out.push_back(Make(MllpError::Kind::kInterrupted, buffer_.size(),
                             "a start block inside a frame: the unfinished frame of " +
                                 std::to_string(buffer_.size()) + " bytes dropped",
                             Head(buffer_)));
          buffer_.clear();
        } else if (c == kMllpEnd) {
          state_ = State::kAfterEnd;
        } else if (buffer_.size() >= max_frame_bytes_) {
          out.push_back(Make(MllpError::Kind::kOversized, buffer_.size() + 1,
                             "a frame longer than " + std::to_string(max_frame_bytes_) +
                                 " bytes: skipped to its end",
                             Head(buffer_)));
          skipped_ = buffer_.size() + 1;
          buffer_.clear();
          buffer_.shrink_to_fit();
          state_ = State::kSkipping;
        } else {
          buffer_.push_back(c);
        }
        break;
      case State::kSkipping:
        if (c == kMllpStart) {
          buffer_.clear();
          state_ = State::kInFrame;
        } else if (c == kMllpEnd) {
          state_ = State::kOutside;
          swallow_cr_ = true;
        } else {
          ++skipped_;
        }
        break;
      case State::kAfterEnd:
        if (c == kMllpCr) {
          EmitFrame(out);
        } else {
          EmitFrame(out);
          out.push_back(Make(MllpError::Kind::kNoCr, 0,
                             "end block 0x1C not followed by 0x0D; frame taken as ended"));
          Outside(c, out);
        }
        break;
    }
  }
  return out;
}

std::vector<MllpEvent> MllpFramer::Finish() {
  std::vector<MllpEvent> out;
  switch (state_) {
    case State::kOutside:
      FlushGarbage(out);
      break;
    case State::kInFrame:
      out.push_back(Make(MllpError::Kind::kTruncated, buffer_.size(),
                         "the stream ended inside a frame of " + std::to_string(buffer_.size()) +
                             " bytes",
                         Head(buffer_)));
      break;
    case State::kSkipping:
      out.push_back(Make(MllpError::Kind::kTruncated, skipped_,
                         "the stream ended inside an oversized frame"));
      break;
    case State::kAfterEnd:
      EmitFrame(out);
      out.push_back(Make(MllpError::Kind::kNoCr, 0,
                         "the stream ended after 0x1C without 0x0D; frame taken as ended"));
      break;
  }
  buffer_.clear();
  garbage_ = 0;
  skipped_ = 0;
  swallow_cr_ = false;
  state_ = State::kOutside;
  return out;
}

}  // namespace slussen::hl7
