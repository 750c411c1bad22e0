// The EHR adapter's HTTP endpoint against the real hub: XML documents POSTed and stored (201),
// refused by the hub (422), invalid (400 naming every problem's line), too large, of the wrong
// type or method, and unknown paths.
#include <string>

#include "integration/ehr_adapter_fixture.h"

namespace slussen::testing::ehr_itest {
namespace {

using ::testing::HasSubstr;

TEST_F(EhrAdapter, PostedDocumentIsStoredAndAnswered201) {
  auto http = Http();
  const std::string doc = XmlExample("inskrivningsmeddelande.xml");
  auto res = http.Post("/documents", doc, "application/xml");
  ASSERT_TRUE(res) << httplib::to_string(res.error()) << AdapterLog();
  EXPECT_EQ(res->status, 201) << res->body;
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("application/json"));
  EXPECT_THAT(res->body, HasSubstr("\"event_id\": \"3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c\""));
  EXPECT_EQ(Stored("3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c"), 1);

  // Sent again: the same answer, stored once.
  res = http.Post("/documents", doc, "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(StoredEvents(), 1);

  // Every other kind a hospital sends, from its example.
  for (const char* name :
       {"planeringsunderlag.xml", "andrad-beraknad-utskrivning.xml", "utskrivningsklar.xml",
        "atertagande-utskrivningsklar.xml", "makulering.xml", "uppehall-betalningsansvar.xml",
        "utskrivningsmeddelande.xml"}) {
    auto r = http.Post("/documents", XmlExample(name), "text/xml; charset=utf-8");
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->status, 201) << name << ": " << r->body;
  }
  EXPECT_EQ(StoredEvents(), 8);
}

// A valid document the hub refuses: the kallelse of the example comes from a vårdcentral, which
// the test hub does not know as a sender.
TEST_F(EhrAdapter, DocumentTheHubRefusesIsAnswered422WithItsReason) {
  auto res = Http().Post("/documents", XmlExample("kallelse-sip.xml"), "application/xml");
  ASSERT_TRUE(res) << AdapterLog();
  EXPECT_EQ(res->status, 422) << res->body;
  EXPECT_THAT(res->body, HasSubstr("\"error\": \"refused\""));
  EXPECT_THAT(res->body, HasSubstr("SE2321000115-VC01"));
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(EhrAdapter, InvalidDocumentIsAnswered400NamingEveryProblemAndItsLine) {
  auto http = Http();
  // Line 16 of the example holds the kommunkod.
  const std::string bad = Replace(XmlExample("inskrivningsmeddelande.xml"),
                                  "<kommunkod>1380</kommunkod>", "<kommunkod>13</kommunkod>");
  auto res = http.Post("/documents", bad, "application/xml");
  ASSERT_TRUE(res) << AdapterLog();
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("\"problems\""));
  EXPECT_THAT(res->body, HasSubstr("POST /documents:16:"));

  res = http.Post("/documents", "<inskrivningsmeddelande", "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("POST /documents:1:"));

  // A kvittens comes from a kommun, not from the EHR.
  res = http.Post("/documents", XmlExample("kvittens.xml"), "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;

  res = http.Post("/documents", std::string(300 * 1024, ' '), "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_THAT(res->body, HasSubstr("too-large"));

  res = http.Post("/documents", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);

  res = http.Get("/documents");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST");

  res = http.Get("/nothing-here");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_THAT(res->body, HasSubstr("not-found"));

  EXPECT_EQ(StoredEvents(), 0);
}

}  // namespace
}  // namespace slussen::testing::ehr_itest
