#include "hl7/ack.h"

#include <cstdio>
#include <utility>

#include "hl7/dtm.h"

namespace slussen::hl7 {

std::string_view AckCodeText(AckCode code) {
  switch (code) {
    case AckCode::kAccept: return "AA";
    case AckCode::kError: return "AE";
    case AckCode::kReject: return "AR";
  }
  return "AE";
}

std::string_view ConditionCodeText(ConditionCode code) {
  switch (code) {
    case ConditionCode::kSegmentSequenceError: return "Segment sequence error";
    case ConditionCode::kRequiredFieldMissing: return "Required field missing";
    case ConditionCode::kDataTypeError: return "Data type error";
    case ConditionCode::kTableValueNotFound: return "Table value not found";
    case ConditionCode::kUnsupportedMessageType: return "Unsupported message type";
    case ConditionCode::kUnsupportedEventCode: return "Unsupported event code";
    case ConditionCode::kUnsupportedProcessingId: return "Unsupported processing id";
    case ConditionCode::kUnsupportedVersionId: return "Unsupported version id";
    case ConditionCode::kUnknownKeyIdentifier: return "Unknown key identifier";
    case ConditionCode::kDuplicateKeyIdentifier: return "Duplicate key identifier";
    case ConditionCode::kApplicationRecordLocked: return "Application record locked";
    case ConditionCode::kApplicationInternalError: return "Application internal error";
  }
  return "Application internal error";
}

// The parts of the ACK's MSH that come from the request (or are salvaged from a bad frame).
struct AckBuilder::Header {
  Delimiters delimiters;
  Field sending_application, sending_facility, receiving_application, receiving_facility;
  std::string trigger, request_control_id, processing_id, version;
};

namespace {

Field Text(std::string s) { return Field{Repetition{Component{std::move(s)}}}; }

Field CopyField(const Segment& msh, int n) {
  const Field* f = msh.field(n);
  return f ? *f : Field{};
}

// A value salvaged from an unparsable frame: printable ASCII only, cut short, since it is
// echoed to a sender that already sent something broken.
std::string Salvage(std::string_view raw) {
  std::string out;
  for (char c : raw.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7f) out.push_back(c);
  }
  return out;
}

std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t at; (at = s.find(sep, start)) != std::string_view::npos; start = at + 1) {
    parts.push_back(s.substr(start, at - start));
  }
  parts.push_back(s.substr(start));
  return parts;
}

}  // namespace

AckBuilder::AckBuilder(AckIdentity identity, Clock clock, ControlIdSource ids)
    : identity_(std::move(identity)), clock_(std::move(clock)), ids_(std::move(ids)) {}

std::string AckBuilder::NextControlId() {
  if (ids_) return ids_();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06u", static_cast<unsigned>(counter_++ % 1'000'000));
  return FormatDtm(clock_()).substr(0, 14) + buf;
}

Message AckBuilder::Accept(const Message& request, std::string_view note) {
  Header h;
  h.delimiters = request.delimiters;
  if (const Segment* msh = request.Find("MSH")) {
    h.sending_application = CopyField(*msh, 5);
    h.sending_facility = CopyField(*msh, 6);
    h.receiving_application = CopyField(*msh, 3);
    h.receiving_facility = CopyField(*msh, 4);
    h.trigger = msh->Get(9, 1, 2);
    h.request_control_id = msh->Get(10);
    h.processing_id = msh->Get(11);
    h.version = msh->Get(12);
  }
  return Build(h, AckCode::kAccept, note);
}

Message AckBuilder::Refuse(const Message& request, const std::vector<Problem>& problems) {
  Message ack = Accept(request);
  // Rebuild with the refusal: Accept only gathered the header.
  AckCode code = AckCode::kError;
  for (const auto& p : problems) {
    if (p.ack == AckCode::kReject) code = AckCode::kReject;
  }
  Segment* msa = nullptr;
  for (auto& s : ack.segments) {
    if (s.id() == "MSA") msa = &s;
  }
  msa->Set(1, std::string(AckCodeText(code)));
  if (!problems.empty()) msa->Set(3, problems.front().text);
  for (const Problem& p : problems) {
    Segment& err = ack.Add("ERR");
    if (!p.location.segment.empty()) {
      err.Set(2, 1, 1, 1, p.location.segment);
      err.Set(2, 1, 2, 1, std::to_string(p.location.sequence));
      if (p.location.field > 0) err.Set(2, 1, 3, 1, std::to_string(p.location.field));
      if (p.location.repetition > 0) err.Set(2, 1, 4, 1, std::to_string(p.location.repetition));
      if (p.location.component > 0) err.Set(2, 1, 5, 1, std::to_string(p.location.component));
    }
    err.SetComponents(3, {std::to_string(static_cast<int>(p.code)),
                          std::string(ConditionCodeText(p.code)), "HL70357"});
    err.Set(4, "E");
    err.Set(8, p.text);
  }
  return ack;
}

Message AckBuilder::RejectFrame(std::string_view frame, std::string_view reason) {
  Header h;
  h.sending_application = Text(identity_.application);
  h.sending_facility = Text(identity_.facility);
  // The first line, if it looks like an MSH, names the sender and the message.
  std::string_view line = frame.substr(0, frame.find_first_of("\r\n"));
  if (line.size() > 4 && line.substr(0, 3) == "MSH") {
    const std::vector<std::string_view> parts = SplitOn(line, line[3]);
    const char component = parts.size() > 1 && !parts[1].empty() ? parts[1][0] : '^';
    auto msh = [&](std::size_t n) -> std::string_view {  // MSH-n for n >= 3
      return n - 1 < parts.size() ? parts[n - 1] : std::string_view{};
    };
    auto first = [&](std::string_view v) { return Salvage(v.substr(0, v.find(component))); };
    h.receiving_application = Text(first(msh(3)));
    h.receiving_facility = Text(first(msh(4)));
    const std::string_view type = msh(9);
    if (const std::size_t c = type.find(component); c != std::string_view::npos) {
      h.trigger = first(type.substr(c + 1));
    }
    h.request_control_id = Salvage(msh(10));
    h.processing_id = first(msh(11));
    h.version = first(msh(12));
  }
  Message ack = Build(h, AckCode::kReject, reason);
  Segment& err = ack.Add("ERR");
  err.SetComponents(3, {std::to_string(static_cast<int>(ConditionCode::kSegmentSequenceError)),
                        std::string(ConditionCodeText(ConditionCode::kSegmentSequenceError)),
                        "HL70357"});
  err.Set(4, "E");
  err.Set(8, std::string(reason));
  return ack;
}

Message AckBuilder::Build(const Header& h, AckCode code, std::string_view note) {
  Message ack;
  ack.delimiters = h.delimiters;
  const Delimiters& d = h.delimiters;
  Segment& msh = ack.Add("MSH");
  msh.Set(1, std::string(1, d.field));
  msh.Set(2, std::string{d.component, d.repetition, d.escape, d.subcomponent});
  msh.SetField(3, h.sending_application);
  msh.SetField(4, h.sending_facility);
  msh.SetField(5, h.receiving_application);
  msh.SetField(6, h.receiving_facility);
  msh.Set(7, FormatDtm(clock_()));
  msh.SetComponents(9, {"ACK", h.trigger, "ACK"});
  msh.Set(10, NextControlId());
  msh.Set(11, h.processing_id.empty() ? "P" : h.processing_id);
  msh.Set(12, h.version.empty() ? "2.5" : h.version);
  Segment& msa = ack.Add("MSA");
  msa.Set(1, std::string(AckCodeText(code)));
  msa.Set(2, h.request_control_id);
  if (!note.empty()) msa.Set(3, std::string(note));
  return ack;
}

}  // namespace slussen::hl7
