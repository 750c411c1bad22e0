// The EHR adapter's config file: the demo config loads with its values; problems are reported
// with file and line; listener addresses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/ehr_config.h"
#include "testing/files.h"
#include "testing/temp_dir.h"
#include "build_paths/source_dir.h"

namespace slussen::ehr {
namespace {

using ::testing::HasSubstr;

TEST(EhrConfig, TheDemoConfigLoads) {
  auto c = LoadEhrConfig(SLUSSEN_SOURCE_DIR "/config/demo/ehr.xml");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->hub.url, "amqp://127.0.0.1:5672");
  EXPECT_EQ(c->mllp.listen.host, "127.0.0.1");
  EXPECT_EQ(c->mllp.listen.port, 2575);
  EXPECT_EQ(c->http.listen.port, 8081);
  EXPECT_EQ(c->mllp.max_frame_bytes, std::size_t{1} << 20);
  EXPECT_EQ(c->mapping.sender_hsa_id, "SE2321000115-SH01");
  EXPECT_EQ(c->mapping.z_segment, "ZSP");
  EXPECT_EQ(c->mapping.processing_id, "P");
  EXPECT_EQ(c->ack.facility, "Region Halland");
}

TEST(EhrConfig, DefaultsApplyToWhatIsLeftOut) {
  testing::TempDir dir("EhrConfig");
  const std::string path = dir.File("ehr.xml");
  testing::WriteFile(path, R"(<?xml version="1.0"?>
<ehr xmlns="urn:slussen:adapter:ehr:1">
  <hub/>
  <mllp listen="[::1]:0"/>
  <http listen="localhost:8081"/>
  <mapping sender-hsa-id="SE2321000115-SH01" care-unit-hsa-id="SE2321000115-SH02">
    <reservnummer oid="1.2.752.97.3.1.3"/>
  </mapping>
</ehr>
)");
  auto c = LoadEhrConfig(path);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->mllp.listen.host, "::1");
  EXPECT_EQ(c->mllp.max_connections, 16);
  EXPECT_EQ(c->mllp.ack_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->http.threads, 8);
  EXPECT_EQ(c->hub.container_id, "slussen-ehr");
  EXPECT_EQ(c->mapping.processing_id, "P");
  EXPECT_EQ(c->mapping.reservnummer_oids, std::vector<std::string>{"1.2.752.97.3.1.3"});
  EXPECT_EQ(c->ack.application, "SLUSSEN");
  EXPECT_EQ(c->stop_grace, std::chrono::seconds(10));
}

TEST(EhrConfig, ProblemsNameFileAndLine) {
  testing::TempDir dir("EhrConfig");
  const std::string path = dir.File("ehr.xml");
  testing::WriteFile(path, R"(<?xml version="1.0"?>
<ehr xmlns="urn:slussen:adapter:ehr:1">
  <hub/>
  <mllp listen="127.0.0.1:99999" max-frame-bytes="10"/>
  <http listen="127.0.0.1:8081" send-timeout="0s"/>
  <mapping sender-hsa-id="SE2321000115-SH01" care-unit-hsa-id="SE2321000115-SH01"/>
</ehr>
)");
  auto c = LoadEhrConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr(path + ":4: listen: the port must be a number from 0 to 65535"));
  EXPECT_THAT(c.error(), HasSubstr(path + ":4: max-frame-bytes: must be between 1k and 1G"));
  EXPECT_THAT(c.error(), HasSubstr(path + ":5: send-timeout: must be longer than 0"));

  testing::WriteFile(path, R"(<?xml version="1.0"?>
<ehr xmlns="urn:slussen:adapter:ehr:1">
  <hub/>
  <mllp listen="127.0.0.1:2575"/>
  <mapping sender-hsa-id="not-an-hsa-id" care-unit-hsa-id="SE2321000115-SH01"/>
</ehr>
)");
  c = LoadEhrConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr(path + ":5:"));
  EXPECT_THAT(c.error(), HasSubstr("http"));  // missing element

  EXPECT_FALSE(LoadEhrConfig(dir.File("missing.xml")).ok());
}

TEST(EhrConfig, ListenAddresses) {
  auto a = ParseListenAddress("127.0.0.1:2575");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 2575);
  a = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_FALSE(ParseListenAddress("127.0.0.1").ok());
  EXPECT_FALSE(ParseListenAddress(":80").ok());
  EXPECT_FALSE(ParseListenAddress("host:").ok());
  EXPECT_FALSE(ParseListenAddress("host:65536").ok());
  EXPECT_FALSE(ParseListenAddress("[::1:80").ok());
  EXPECT_FALSE(ParseListenAddress("host:8x").ok());
}

}  // namespace
}  // namespace slussen::ehr
