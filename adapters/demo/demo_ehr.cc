// slussen-demo-ehr: plays the hospital's EHR for the demo. Patients at different stages of their
// stay; each message is sent when it happens (seconds apart, from the start), the way an EHR
// sends them: HL7 v2.5 ADT over MLLP to slussen-ehr, and the discharge-planning documents as XML
// over HTTP to slussen-ehr's /documents. Prints one line per message with what the EHR got back
// (the HL7 ACK, the HTTP status): never a personnummer or a name.
//
//   slussen-demo-ehr --mllp HOST:PORT --http HOST:PORT [--sender HSA] [--care-unit HSA]
//                    [--pace-ms MS]
//
// Exit status 0 when every message got the answer the scenario expects.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "demo_args.h"
#include "hl7/escape.h"
#include "hl7/mllp.h"
#include "hl7/parser.h"
#include "synthetic_events.h"
#include "xmldoc/xmldoc.h"

namespace {

using slussen::client::SyntheticPatient;
using std::chrono::hours;
using std::chrono::system_clock;

std::string Hl7Time(system_clock::time_point t) {
  const std::time_t tt = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S+0000", &tm);
  return buf;
}

std::string Esc(const std::string& s) { return slussen::hl7::Escape(s, {}); }

struct Patient {
  int number = 0;  // as the demo prints it
  SyntheticPatient who;
  std::string visit;  // PV1-19: the episode id of the case
  system_clock::time_point admitted;
  std::string story;
};

// One segment from its fields by HL7 number (1-based); the rest empty.
std::string Seg(const std::string& id, const std::map<int, std::string>& fields) {
  std::string out = id;
  const int last = fields.empty() ? 0 : fields.rbegin()->first;
  for (int i = 1; i <= last; ++i) {
    out += '|';
    if (auto it = fields.find(i); it != fields.end()) out += it->second;
  }
  return out + '\r';
}

// An ADT message as Cosmic-like EHRs send it (see adapters/ehr/examples/): MSH, EVN, PID, PD1,
// PV1, PV2 and the ZSP segment that says whether the patient needs support after discharge.
std::string Adt(const std::string& trigger, const Patient& p, const std::string& sender,
                int control, bool needs_support) {
  const auto now = system_clock::now();
  const std::string at = Hl7Time(now);
  const std::string admitted = Hl7Time(p.admitted);
  const auto& w = p.who;
  std::string m = "MSH|^~\\&|COSMIC|Hallands sjukhus Halmstad^" + sender +
                  "^HSA|SLUSSEN|Region Halland|" + at + "||ADT^" + trigger + "^ADT_" + trigger +
                  "|DEMO" + at.substr(0, 14) + std::to_string(control) +
                  "|P|2.5|||AL|NE|SWE|UNICODE UTF-8\r";
  m += Seg("EVN", {{1, trigger}, {2, at}, {6, trigger == "A03" ? at : admitted}});
  m += Seg("PID", {{1, "1"},
                   {3, w.personnummer + "^^^Skatteverket&1.2.752.129.2.1.3.1&ISO^NNSWE"},
                   {5, Esc(w.family_name) + "^" + Esc(w.given_name) + "^^^^^L"},
                   {11, Esc(w.street) + "^^" + Esc(w.city) + "^^" + w.postal_code + "^SWE^L^^" +
                            w.kommunkod}});
  m += Seg("PD1", {{3, w.listed_vc_hsa_id.empty() ? std::string()
                                                  : "Vårdcentral^^^^^^^^^" + w.listed_vc_hsa_id},
                   {12, "N"}});
  std::map<int, std::string> pv1 = {
      {1, "1"}, {2, "I"}, {3, "MED3^12^1^" + sender + "^^^^^Medicinavdelning 3"},
      {10, "MED"}, {18, "IP"}, {19, p.visit + "^^^HSHM&1.2.752.97.3.2&ISO^VN"}, {44, admitted}};
  if (trigger == "A03") {
    pv1[36] = "01";
    pv1[45] = at;
  }
  m += Seg("PV1", pv1);
  const std::string estimate = Hl7Time(now + hours(72)).substr(0, 8);
  m += Seg("PV2", {{9, estimate}});
  std::string units = "SE212000" + w.kommunkod + "-SOC1";  // the kommun's socialtjänst
  if (!w.listed_vc_hsa_id.empty()) units += "~" + w.listed_vc_hsa_id;
  m += Seg("ZSP", {{1, needs_support ? "Y" : "N"}, {2, admitted}, {3, "S"}, {4, "Y"},
                   {5, units}, {6, estimate}});
  return m;
}

// Sends one HL7 message over MLLP and returns the ACK's MSA-1 and MSA-3 ("AA", "…").
std::pair<std::string, std::string> SendHl7(const std::string& host, int port,
                                            const std::string& message) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return {"no connection", ""};
  }
  const std::string framed = slussen::hl7::MllpWrap(message);
  if (::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(framed.size())) {
    ::close(fd);
    return {"send failed", ""};
  }
  slussen::hl7::MllpFramer framer;
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    for (auto& ev : framer.Feed({buf, static_cast<std::size_t>(n)})) {
      if (const auto* f = std::get_if<slussen::hl7::MllpFrame>(&ev)) {
        ::close(fd);
        auto ack = slussen::hl7::Parse(f->payload);
        if (!ack) return {"unreadable ACK", ""};
        return {ack->Get("MSA", 1), ack->Get("MSA", 3)};
      }
    }
  }
  ::close(fd);
  return {"no ACK", ""};
}

struct Step {
  int at_seconds;
  int patient;  // index into the patients
  std::string what;
  std::function<std::pair<std::string, std::string>(const Patient&)> send;
  std::string expect;  // "AA", "201"
};

}  // namespace

int main(int argc, char** argv) {
  slussen::demo::Args args({"--mllp", "--http", "--sender", "--care-unit", "--pace-ms"}, {});
  std::string error;
  if (!args.Parse(argc, argv, &error) || !args.Has("--mllp") || !args.Has("--http")) {
    std::fprintf(stderr, "slussen-demo-ehr: %s\nusage: slussen-demo-ehr --mllp HOST:PORT --http "
                         "HOST:PORT [--sender HSA] [--care-unit HSA] [--pace-ms MS]\n",
                 error.empty() ? "--mllp and --http are required" : error.c_str());
    return 2;
  }
  const std::string mllp = args.Get("--mllp");
  const std::string mllp_host = mllp.substr(0, mllp.rfind(':'));
  const int mllp_port = std::stoi(mllp.substr(mllp.rfind(':') + 1));
  const std::string http = args.Get("--http");
  const std::string sender = args.Get("--sender", slussen::client::kSyntheticSender);
  const std::string care_unit = args.Get("--care-unit", sender);
  long pace_ms = 1000;
  if (!args.GetCount("--pace-ms", 1000, &pace_ms, &error)) {
    std::fprintf(stderr, "slussen-demo-ehr: %s\n", error.c_str());
    return 2;
  }

  // The patients: identities from the synthetic set (Skatteverket's test personnummer, each
  // always the same invented person), picked by kommun: Halmstad has a demo system behind its
  // adapter, Varberg's is down, Laholm's patient needs no support.
  auto person = [](const std::string& personnummer) {
    for (long n = 0; n < 8; ++n) {
      auto p = slussen::client::MakeSyntheticPatient(n);
      if (p.personnummer == personnummer) return p;
    }
    return slussen::client::MakeSyntheticPatient(0);
  };
  const auto now = system_clock::now();
  const std::string run = std::to_string(std::time(nullptr) % 100000);
  std::vector<Patient> patients = {
      {1, person("202510022383"), "VT-D" + run + "-1", now - hours(3),
       "Halmstad, admitted 3 h ago: the whole chain on time, discharged today"},
      {2, person("189506299818"), "VT-D" + run + "-2", now - hours(30),
       "Halmstad, admitted 30 h ago: the need for support was registered late"},
      {3, person("200802122390"), "VT-D" + run + "-3", now - hours(2),
       "Varberg, admitted 2 h ago: Varberg's system is down, so its messages go as letters"},
      {4, person("202503082386"), "VT-D" + run + "-4", now - hours(1),
       "Laholm, admitted 1 h ago: no support needed after discharge"},
  };
  // In this demo only Halmstad's patient is listed at a vårdcentral (the one with a system).
  patients[2].who.listed_vc_hsa_id.clear();
  patients[3].who.listed_vc_hsa_id.clear();
  // The case's documents, built like the synthetic chain, but dated now and in the EHR's case.
  auto document = [&](const Patient& p, int index) {
    auto chain = slussen::client::SyntheticChain(p.who, p.admitted);
    slussen::v1::Envelope env = chain.at(static_cast<std::size_t>(index));
    env.mutable_case_id()->set_care_unit_hsa_id(care_unit);
    env.mutable_case_id()->set_episode_id(p.visit);
    env.set_sender_hsa_id(sender);
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                          system_clock::now().time_since_epoch()).count();
    env.mutable_occurred_at()->set_seconds(secs - 1);
    env.mutable_occurred_at()->set_nanos(0);
    if (env.has_utskrivningsklar()) env.mutable_utskrivningsklar()->mutable_decided_at()->set_seconds(secs - 1);
    if (env.has_kallelse_sip()) env.mutable_kallelse_sip()->mutable_meeting_at()->set_seconds(secs + 2 * 86400);
    if (env.has_estimated_discharge_changed()) {
      // Discharge today, not in three days as the admission said.
      env.mutable_estimated_discharge_changed()->mutable_previous_estimate()->set_seconds(secs + 3 * 86400);
      env.mutable_estimated_discharge_changed()->mutable_new_estimate()->set_seconds(secs + 3600);
    }
    if (env.has_utskrivningsmeddelande()) {
      env.mutable_utskrivningsmeddelande()->mutable_discharged_at()->set_seconds(secs - 1);
    }
    return env;
  };
  httplib::Client client("http://" + http);
  client.set_connection_timeout(10);
  client.set_read_timeout(30);
  auto post = [&](const slussen::v1::Envelope& env) -> std::pair<std::string, std::string> {
    auto xml = slussen::xmldoc::WriteDocument(env);
    if (!xml) return {"unwritable", xml.error()};
    auto res = client.Post("/documents", *xml, "application/xml");
    if (!res) return {"no answer", httplib::to_string(res.error())};
    return {std::to_string(res->status), ""};
  };
  int control = 0;
  auto hl7 = [&](const std::string& trigger, bool support) {
    return [&, trigger, support](const Patient& p) {
      return SendHl7(mllp_host, mllp_port, Adt(trigger, p, sender, ++control, support));
    };
  };
  auto xml = [&](int index) {
    return [&, index](const Patient& p) { return post(document(p, index)); };
  };
  // Chain indexes: 1 Planeringsunderlag, 2 EstimatedDischargeChanged, 3 Utskrivningsklar,
  // 4 KallelseSip, 5 Utskrivningsmeddelande.
  const std::vector<Step> steps = {
      {0, 0, "ADT A01 admission, needs support: inskrivningsmeddelande", hl7("A01", true), "AA"},
      {1, 1, "ADT A01 admission, needs support (30 h after admission)", hl7("A01", true), "AA"},
      {2, 2, "ADT A01 admission, needs support", hl7("A01", true), "AA"},
      {3, 3, "ADT A01 admission, no support needed", hl7("A01", false), "AA"},
      {5, 0, "planeringsunderlag (XML)", xml(1), "201"},
      {6, 0, "ändrad beräknad utskrivning: today (XML)", xml(2), "201"},
      {7, 2, "utskrivningsklar (XML)", xml(3), "201"},
      {9, 0, "utskrivningsklar (XML)", xml(3), "201"},
      {11, 1, "utskrivningsklar (XML)", xml(3), "201"},
      {13, 0, "kallelse till SIP (XML)", xml(4), "201"},
      {15, 0, "ADT A03 discharge (the fact of leaving)", hl7("A03", true), "AA"},
      {16, 0, "utskrivningsmeddelande (XML)", xml(5), "201"},
  };
  std::printf("slussen-demo-ehr: %zu patients, %zu messages over %ld s\n", patients.size(),
              steps.size(), steps.back().at_seconds * pace_ms / 1000);
  for (const auto& p : patients) {
    std::printf("  patient %d (case %s/%s): %s\n", p.number, care_unit.c_str(), p.visit.c_str(),
                p.story.c_str());
  }
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  int failures = 0;
  for (const auto& step : steps) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(step.at_seconds * pace_ms));
    const Patient& p = patients.at(static_cast<std::size_t>(step.patient));
    const auto [code, text] = step.send(p);
    const bool ok = code == step.expect || (step.expect == "201" && code == "200");
    if (!ok) ++failures;
    std::printf("  +%2lds patient %d (kommun-%s): %-58s -> %s%s%s\n",
                step.at_seconds * pace_ms / 1000, p.number,
                p.who.kommunkod.c_str(), step.what.c_str(), code.c_str(),
                text.empty() ? "" : " ", text.substr(0, 80).c_str());
    std::fflush(stdout);
  }
  std::printf("slussen-demo-ehr: %zu messages, %d not answered as expected\n", steps.size(),
              failures);
  return failures == 0 ? 0 : 1;
}
