#include "server/document_handler.h"

#include <spdlog/spdlog.h>

#include <array>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/log_text.h"
#include "wire/event_kind.h"
#include "xmldoc/xmldoc.h"

namespace slussen::ehr {
namespace {

using client::SendOutcome;
using nlohmann::json;

// What a hospital sends. Not the kvittens or the planeringsunderlag-svar: those come from the
// kommun or the vårdcentral, through their own adapters.
constexpr std::array kHospitalKinds = {
    EventKind::kInskrivningsmeddelande, EventKind::kEstimatedDischargeChanged,
    EventKind::kPlaneringsunderlag,     EventKind::kUtskrivningsklar,
    EventKind::kUtskrivningsklarWithdrawn, EventKind::kKallelseSip,
    EventKind::kUtskrivningsmeddelande, EventKind::kCancellation,
    EventKind::kClockStopper,           EventKind::kUtskrivning,
    EventKind::kSipBedomning,
};

// Texts from documents and the hub may hold anything; JSON-escaped, invalid UTF-8 replaced.
std::string Dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

bool IsXmlContentType(std::string_view ct) {
  // No Content-Type at all: taken as XML (the body is validated anyway). curl's default for
  // --data-binary, application/x-www-form-urlencoded, is not: the answer says what to send.
  if (ct.empty()) return true;
  std::string lower;
  for (char c : ct.substr(0, ct.find(';'))) {
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "application/xml" || lower == "text/xml" ||
         (lower.size() > 4 && lower.compare(lower.size() - 4, 4, "+xml") == 0);
}

std::string KindName(const v1::Envelope& env) {
  const auto kind = KindOf(env);
  return kind ? std::string(EventKindName(*kind)) : std::string("?");
}

}  // namespace

HttpAnswer ErrorAnswer(int status, std::string_view error, std::string_view message) {
  return {status, Dump({{"error", error}, {"message", message}}), std::nullopt};
}

HttpAnswer AnswerForSendOutcome(const v1::Envelope& env, const SendOutcome& outcome,
                                std::chrono::seconds retry_after) {
  switch (outcome.kind) {
    case SendOutcome::Kind::kAccepted:
      return {201,
              Dump({{"event_id", env.event_id()},
                    {"kind", KindName(env)},
                    {"status", "stored"},
                    {"message", "Slussen has stored the event (a document sent again is stored once)"}}),
              std::nullopt};
    case SendOutcome::Kind::kRejected: {
      const std::string why =
          outcome.description.empty() ? outcome.condition : outcome.description;
      return {422,
              Dump({{"error", "refused"},
                    {"message", "Slussen refused the event: " + why},
                    {"condition", outcome.condition},
                    {"event_id", env.event_id()}}),
              std::nullopt};
    }
    case SendOutcome::Kind::kReleased:
    case SendOutcome::Kind::kModified:
    case SendOutcome::Kind::kError:
      break;
  }
  const std::string why = outcome.kind == SendOutcome::Kind::kError
                              ? outcome.description
                              : std::string("the hub ") + client::OutcomeName(outcome.kind) + " it";
  HttpAnswer a = ErrorAnswer(503, "unavailable",
                             "Slussen is temporarily unavailable and has not stored the document; "
                             "send it again (" + why + ")");
  a.retry_after = retry_after;
  return a;
}

HttpAnswer HandleDocument(std::string_view body, std::string_view content_type,
                          const DocumentOptions& options, const EventSender& send) {
  if (!IsXmlContentType(content_type)) {
    spdlog::info("http: document refused: Content-Type is not XML");
    return ErrorAnswer(415, "unsupported-media-type",
                       "POST the document as application/xml (or text/xml)");
  }
  xmldoc::ReadOptions read;
  read.accept = kHospitalKinds;
  read.max_bytes = options.max_bytes;
  const std::string name = std::string("POST ") + kDocumentsPath;
  auto env = xmldoc::ReadDocument(body, name, read);
  if (!env) {
    const std::vector<std::string> problems = Lines(env.error());
    // The problems may quote the document (a personnummer): only their number is logged.
    spdlog::info("http: document of {} bytes refused: {} problem(s)", body.size(),
                 problems.size());
    return {400,
            Dump({{"error", "invalid-document"},
                  {"message", "the document is not valid: " + std::to_string(problems.size()) +
                                  " problem(s), each as name:line: message"},
                  {"problems", problems}}),
            std::nullopt};
  }
  const SendOutcome outcome = send(*env);
  HttpAnswer a = AnswerForSendOutcome(*env, outcome, options.retry_after);
  const auto level = outcome.kind == SendOutcome::Kind::kAccepted ? spdlog::level::info
                                                                  : spdlog::level::warn;
  spdlog::log(level, "http: document event {} ({}) {}{}{}: {}", LogSafe(env->event_id(), 64),
              KindName(*env), client::OutcomeName(outcome.kind),
              outcome.description.empty() ? "" : ": ", LogSafe(outcome.description, 160),
              a.status);
  return a;
}

}  // namespace slussen::ehr
