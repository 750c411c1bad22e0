#pragma once
// An HL7 v2.x message as parsed: segments of fields of repetitions of components of
// subcomponents, every leaf already unescaped. Numbering follows the standard (1-based), so
// Get("PID", 3, 2, 4, 2) is PID-3, second repetition, CX.4 (assigning authority), HD.2.
//
// MSH is special in HL7: MSH-1 is the field separator itself and MSH-2 the encoding characters,
// both kept verbatim (never split or unescaped), so that Get("MSH", 9) is the message type as in
// every specification table. Absent parts read as "" (HL7 does not tell absent from empty except
// by the null value "", which is returned as the two quote characters).
//
// A Message is a plain value: copyable, no sharing, not thread-safe to mutate.
#include <string>
#include <string_view>
#include <vector>

namespace slussen::hl7 {

// The encoding characters of one message (MSH-1 and MSH-2), read from the message itself.
struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';

  friend bool operator==(const Delimiters&, const Delimiters&) = default;
};

using Component = std::vector<std::string>;  // its subcomponents
using Repetition = std::vector<Component>;   // its components
using Field = std::vector<Repetition>;       // its repetitions

class Segment {
 public:
  explicit Segment(std::string id) : id_(std::move(id)) {}

  const std::string& id() const { return id_; }
  // The highest field number present (0 for a bare segment id).
  int field_count() const { return static_cast<int>(fields_.size()); }
  // nullptr when the field is absent.
  const Field* field(int n) const;
  // Repetitions of field n (0 when absent).
  int repetition_count(int n) const;

  // The decoded leaf, or "" when any level is absent or a number is below 1.
  const std::string& Get(int field, int rep = 1, int comp = 1, int sub = 1) const;

  // Sets one leaf (decoded text; the writer escapes it), creating the levels up to it. Numbers
  // below 1 are ignored: callers build segments from constants.
  void Set(int field, int rep, int comp, int sub, std::string value);
  void Set(int field, std::string value) { Set(field, 1, 1, 1, std::move(value)); }
  // Sets field n, repetition 1, to these components (one subcomponent each).
  void SetComponents(int field, const std::vector<std::string>& components);
  // Replaces field n wholesale (used by the parser).
  void SetField(int n, Field f);

 private:
  std::string id_;
  std::vector<Field> fields_;  // fields_[0] is field 1
};

class Message {
 public:
  Delimiters delimiters;
  std::vector<Segment> segments;

  // The occurrence-th segment with this id (1-based), or nullptr.
  const Segment* Find(std::string_view id, int occurrence = 1) const;
  int Count(std::string_view id) const;
  // Get on the first segment with this id; "" if there is none.
  const std::string& Get(std::string_view segment, int field, int rep = 1, int comp = 1,
                         int sub = 1) const;

  // Appends a segment and returns it (the reference is valid until the next Add).
  Segment& Add(std::string id);
};

}  // namespace slussen::hl7
