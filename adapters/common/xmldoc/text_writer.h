#pragma once
// The text writer under WriteDocument: libxml2's xmlTextWriter (which escapes every value) over
// a memory buffer, elements in the documents' namespace, and a list of what could not be written,
// by proto field path.
#include <google/protobuf/timestamp.pb.h>
#include <libxml/xmlwriter.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xmldoc/schema.h"
#include "xmldoc/times.h"

namespace slussen::xmldoc {

// "" if `s` is well-formed UTF-8 of characters XML 1.0 allows (#x9, #xA, #xD, #x20-#xD7FF,
// #xE000-#xFFFD, #x10000-#x10FFFF), else the problem.
std::string XmlTextProblem(std::string_view s);

// 8-4-4-4-12 hexadecimal digits.
bool IsUuidShape(std::string_view s);

namespace detail {
struct WriterFree {
  void operator()(xmlTextWriter* w) const { xmlFreeTextWriter(w); }
};
struct BufferFree {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};

}  // namespace detail

// Writes elements in the documents' namespace (declared once, on the root, as the default) and
// collects what cannot be written, by proto field path.
class TextWriter {
 public:
  TextWriter() : buf_(xmlBufferCreate()) {
    if (buf_) w_.reset(xmlNewTextWriterMemory(buf_.get(), 0));
    if (!w_) {
      problems_.push_back("internal error: libxml2 could not create a writer");
      return;
    }
    xmlTextWriterSetIndent(w_.get(), 1);
    xmlTextWriterSetIndentString(w_.get(), BAD_CAST "  ");
    Check(xmlTextWriterStartDocument(w_.get(), nullptr, "UTF-8", nullptr));
  }

  bool ok() const { return w_ != nullptr; }
  std::vector<std::string>& problems() { return problems_; }
  void Problem(std::string_view path, std::string_view what) {
    problems_.push_back(std::string(path) + ": " + std::string(what));
  }

  void StartRoot(std::string_view name) {
    Check(xmlTextWriterStartElementNS(w_.get(), nullptr, BAD_CAST std::string(name).c_str(),
                                      BAD_CAST std::string(kNamespace).c_str()));
  }
  void Start(const char* name) { Check(xmlTextWriterStartElement(w_.get(), BAD_CAST name)); }
  void End() { Check(xmlTextWriterEndElement(w_.get())); }

  // <name>value</name>; the value is checked for what XML can carry.
  void Element(const char* name, const std::string& value, std::string_view path) {
    if (!Writable(value, path)) return;
    Check(xmlTextWriterWriteElement(w_.get(), BAD_CAST name, BAD_CAST value.c_str()));
  }
  // Text inside the element just started.
  void Text(const std::string& value, std::string_view path) {
    if (!Writable(value, path)) return;
    Check(xmlTextWriterWriteString(w_.get(), BAD_CAST value.c_str()));
  }
  void OptionalElement(const char* name, const std::string& value, std::string_view path) {
    if (!value.empty()) Element(name, value, path);
  }
  void Bool(const char* name, bool value) {
    Check(xmlTextWriterWriteElement(w_.get(), BAD_CAST name, BAD_CAST(value ? "true" : "false")));
  }
  void Attribute(const char* name, const std::string& value, std::string_view path) {
    if (!Writable(value, path)) return;
    Check(xmlTextWriterWriteAttribute(w_.get(), BAD_CAST name, BAD_CAST value.c_str()));
  }
  // A time; `present` false writes nothing (the schema says whether it may be absent).
  void Time(const char* name, bool present, const google::protobuf::Timestamp& ts,
            std::string_view path) {
    if (!present) return;
    if (auto text = FormatTime(ts)) {
      Element(name, *text, path);
    } else {
      Problem(path, "not a valid google.protobuf.Timestamp");
    }
  }

  // The document, or "" after a libxml2 failure (reported in problems()).
  std::string Finish() {
    Check(xmlTextWriterEndDocument(w_.get()));
    w_.reset();  // flushes into buf_
    if (!problems_.empty()) return {};
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf_.get())),
                       static_cast<std::size_t>(xmlBufferLength(buf_.get())));
  }

 private:
  bool Writable(const std::string& value, std::string_view path) {
    const std::string problem = XmlTextProblem(value);
    if (problem.empty()) return true;
    Problem(path, problem);
    return false;
  }
  void Check(int rc) {
    if (rc < 0 && !failed_) {
      failed_ = true;
      problems_.push_back("internal error: libxml2's writer failed");
    }
  }

  std::unique_ptr<xmlBuffer, detail::BufferFree> buf_;
  std::unique_ptr<xmlTextWriter, detail::WriterFree> w_;
  std::vector<std::string> problems_;
  bool failed_ = false;
};

}  // namespace slussen::xmldoc
