#pragma once
// What goes wrong with an HL7 message, in HL7's own terms, so that an ACK can say it: the
// acknowledgement code (MSA-1), the condition code (HL7 table 0357, ERR-3), where (ERR-2) and a
// text (ERR-8). The text may be shown to EHR staff; it never quotes field values (personal data).
#include <string>
#include <string_view>

namespace slussen::hl7 {

// MSA-1 in original acknowledgement mode.
enum class AckCode {
  kAccept,  // AA: processed (here: the hub stored the event, or there was nothing to send)
  kError,   // AE: the content is wrong or was refused; sending it again unchanged fails again
  kReject,  // AR: not processed at all: not HL7, an unsupported type or trigger
};
std::string_view AckCodeText(AckCode code);  // "AA", "AE", "AR"

// HL7 table 0357, the codes this adapter uses.
enum class ConditionCode {
  kSegmentSequenceError = 100,
  kRequiredFieldMissing = 101,
  kDataTypeError = 102,
  kTableValueNotFound = 103,
  kUnsupportedMessageType = 200,
  kUnsupportedEventCode = 201,
  kUnsupportedProcessingId = 202,
  kUnsupportedVersionId = 203,
  kUnknownKeyIdentifier = 204,
  kDuplicateKeyIdentifier = 205,
  kApplicationRecordLocked = 206,
  kApplicationInternalError = 207,
};
// HL7's text for the code, e.g. "Required field missing".
std::string_view ConditionCodeText(ConditionCode code);

// ERR-2 (ERL): segment id, its occurrence, field; 0 leaves a part out.
struct ErrorLocation {
  std::string segment;
  int sequence = 1;
  int field = 0;
  int repetition = 0;
  int component = 0;

  friend bool operator==(const ErrorLocation&, const ErrorLocation&) = default;
};

struct Problem {
  AckCode ack = AckCode::kError;
  ConditionCode code = ConditionCode::kApplicationInternalError;
  ErrorLocation location;
  std::string text;
};

}  // namespace slussen::hl7
