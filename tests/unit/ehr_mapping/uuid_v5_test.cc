#include "mapping/uuid_v5.h"

#include <gtest/gtest.h>

#include "mapping/event_ids.h"

namespace slussen::ehr {
namespace {

TEST(UuidV5, MatchesTheRfc4122ReferenceVector) {
  // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") in Python's uuid module.
  const UuidBytes dns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                         0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  EXPECT_EQ(UuidText(dns), "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  EXPECT_EQ(UuidV5(dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

TEST(EventIds, SameSourceSameIdAndEveryPartCounts) {
  const std::string id = MessageEventId("COSMIC", "HSH^SE2321000115-SH01^HSA", "HSH0001");
  EXPECT_EQ(id, MessageEventId("COSMIC", "HSH^SE2321000115-SH01^HSA", "HSH0001"));
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '5');  // version 5
  EXPECT_NE(id, MessageEventId("COSMIC", "HSH^SE2321000115-SH01^HSA", "HSH0002"));
  EXPECT_NE(id, MessageEventId("COSMIC", "VBG^SE2321000115-SH02^HSA", "HSH0001"));
  EXPECT_NE(id, MessageEventId("TAKECARE", "HSH^SE2321000115-SH01^HSA", "HSH0001"));
  // Parts are length-prefixed: moving text from one part to the next makes another id.
  EXPECT_NE(MessageEventId("A|B", "C", "D"), MessageEventId("A", "B|C", "D"));
  EXPECT_NE(MessageEventId("A", "", "1"), MessageEventId("", "A", "1"));

  v1::CaseId c;
  c.set_care_unit_hsa_id("SE2321000115-SH01");
  c.set_episode_id("VT1");
  const std::string ins = InskrivningEventId("COSMIC", "HSH", c);
  EXPECT_EQ(ins, InskrivningEventId("COSMIC", "HSH", c));
  EXPECT_NE(ins, MessageEventId("COSMIC", "HSH", "VT1"));
  c.set_episode_id("VT2");
  EXPECT_NE(ins, InskrivningEventId("COSMIC", "HSH", c));
}

}  // namespace
}  // namespace slussen::ehr
