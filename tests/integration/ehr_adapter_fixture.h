#pragma once
// The fixture of the EHR adapter's integration tests (ehr_adapter_test.cc, ehr_adapter_http_test.cc):
// the real hub (HubTest, on a fixed port so that it can be restarted where the adapter reconnects)
// and the real slussen-ehr started from a config that fits the test hub's senders and kommuner,
// with helpers for its MLLP and HTTP sides, the example files and the hub's store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <variant>

#include "hl7/parser.h"
#include "mapping/adt_mapping.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "integration/ehr_mllp_client.h"
#include "testing/hub_fixture.h"
#include "testing/loopback_port.h"
#include "build_paths/integration.h"

namespace slussen::testing::ehr_itest {

using std::chrono::seconds;

inline const std::string kEhrBinary = SLUSSEN_ADAPTER_BINARY_DIR "/ehr/slussen-ehr";

inline std::string Example(const std::string& name) {
  return ReadFile((SourceDir() / "adapters/ehr/examples" / name).string());
}
inline std::string XmlExample(const std::string& name) {
  return ReadFile((SourceDir() / "adapters/common/xmldoc/examples" / name).string());
}

inline std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The example A01 for another stay (visit number) with its own control id.
inline std::string A01For(int n) {
  std::string m = Example("adt_a01_inskrivning.hl7");
  m = Replace(m, "HSH20261123000101", "HSH2026112300" + std::to_string(1000 + n));
  return Replace(m, "VT2026-004711", "VT2026-" + std::to_string(100000 + n));
}

class EhrAdapter : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.port = hub_port_;  // fixed: a restarted hub comes back where the adapter reconnects to
    return o;
  }

  void SetUp() override {
    HubTest::SetUp();
    if (HasFatalFailure()) return;
    WriteFile(dir().File("ehr.xml"), AdapterConfig());
    ASSERT_TRUE(StartAdapter());
  }

  void TearDown() override {
    if (adapter_.Alive()) {
      const ExitStatus st = adapter_.Stop(seconds(30));
      EXPECT_TRUE(st.Ok()) << "slussen-ehr did not exit 0 on SIGTERM: " << st.ToString()
                           << AdapterLog();
    }
    if (HasFailure()) std::cerr << AdapterLog() << "\n";
    HubTest::TearDown();
  }

  // The mapping settings of the adapter's config, for computing the events the test expects.
  static ehr::MappingConfig Mapping() {
    ehr::MappingConfig m;
    m.sender_hsa_id = kTestHospital;
    m.care_unit_hsa_id = kTestHospital;
    return m;
  }

  std::string AdapterConfig() const {
    return std::string(R"(<?xml version="1.0" encoding="UTF-8"?>
<ehr xmlns="urn:slussen:adapter:ehr:1">
  <hub url="amqp://127.0.0.1:)") +
           std::to_string(hub_port_) + R"(" container-id="itest-ehr">
    <reconnect initial-delay="50ms" max-delay="500ms"/>
  </hub>
  <mllp listen="127.0.0.1:0" max-frame-bytes="64k" max-connections="4" idle-timeout="5m"
        ack-timeout="5s"/>
  <http listen="127.0.0.1:0" max-body-bytes="256k" threads="4" send-timeout="5s"
        retry-after="7s"/>
  <mapping sender-hsa-id=")" +
           kTestHospital + R"(" care-unit-hsa-id=")" + kTestHospital + R"("/>
  <ack application="SLUSSEN" facility="TEST"/>
  <shutdown grace="5s"/>
</ehr>
)";
  }

  ::testing::AssertionResult StartAdapter(const std::string& log_level = "info") {
    const Status s =
        adapter_.Start({kEhrBinary, "--config", dir().File("ehr.xml"), "--log-level", log_level},
                       dir().File("ehr.stderr.log"), seconds(30));
    if (!s.ok()) return ::testing::AssertionFailure() << s.error() << HubLog();
    if (adapter_.name() != "slussen-ehr" || adapter_.Endpoint("mllp").empty() ||
        adapter_.Endpoint("http").empty()) {
      return ::testing::AssertionFailure() << "unexpected ready line";
    }
    return ::testing::AssertionSuccess();
  }

  std::string AdapterLog() {
    return "\n--- slussen-ehr stderr (tail) ---\n" + ReadFileTail(dir().File("ehr.stderr.log")) +
           "\n--- end ---";
  }

  std::unique_ptr<MllpClient> Connect() {
    auto c = std::make_unique<MllpClient>();
    const Status s = c->Connect(adapter_.Endpoint("mllp"));
    EXPECT_TRUE(s.ok()) << s.error();
    return c;
  }

  httplib::Client Http() {
    const std::string ep = adapter_.Endpoint("http");
    const auto colon = ep.rfind(':');
    httplib::Client c(ep.substr(0, colon), std::stoi(ep.substr(colon + 1)));
    c.set_read_timeout(seconds(30));
    return c;
  }

  // The event the adapter makes of `message` (the mapping is deterministic).
  static v1::Envelope EventOf(const std::string& message) {
    auto parsed = hl7::Parse(message);
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    if (!parsed.ok()) return {};
    auto mapped = ehr::MapAdt(*parsed, Mapping());
    EXPECT_TRUE(std::holds_alternative<v1::Envelope>(mapped));
    return std::holds_alternative<v1::Envelope>(mapped) ? std::get<v1::Envelope>(mapped)
                                                         : v1::Envelope{};
  }

  int64_t Stored(const std::string& event_id) const {
    return store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + event_id + "'");
  }
  bool AdapterLogHas(const std::string& text) {
    return PollUntil([&] {
      return ReadFile(dir().File("ehr.stderr.log")).find(text) != std::string::npos;
    });
  }
  int64_t StoredEvents() const { return store().QueryInt("SELECT count(*) FROM events"); }

  bool HealthIs(int status) {
    return PollUntil([&] {
      auto res = Http().Get("/healthz");
      return res && res->status == status;
    });
  }

  const int hub_port_ = FreeLoopbackPort();
  ChildProcess adapter_;
};

}  // namespace slussen::testing::ehr_itest
