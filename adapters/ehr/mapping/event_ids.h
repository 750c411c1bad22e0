#pragma once
// Event ids of the events the ADT mapping makes. The EHR sends a message again when it got no
// ACK, and the hub deduplicates on the event id (same id, same bytes: accepted again, not
// delivered again), so ids are name-based UUIDs (v5) of what identifies the source, never
// random:
//  - an event from one message: its sender (MSH-3, MSH-4) and control id (MSH-10);
//  - the inskrivningsmeddelande: its sender and the case (care unit, visit number), because
//    the A11 that cancels it must name its id and an A11 does not carry the A01's MSH-10. The
//    assumption (README): one sending system per EHR, so the A01 and the A11 have the same
//    MSH-3 and MSH-4, and one inskrivningsmeddelande per vårdtillfälle;
//  - the discharge (A03): its sender, the case and the discharge time, because the A13 that
//    cancels it must name its id and carries that time (PV1-45), not the A03's MSH-10; with the
//    time in the name, a discharge after a cancelled one is a new event.
#include <string>
#include <string_view>

#include "mapping/uuid_v5.h"
#include "slussen/v1/events.pb.h"

namespace slussen::ehr {

// 59dcdfe7-c700-41bb-9b82-ccbd2fe79fde: chosen once (random), never to change: every id
// derived from it would change with it, and resent messages would become new events.
inline constexpr UuidBytes kEventIdNamespace = {0x59, 0xdc, 0xdf, 0xe7, 0xc7, 0x00, 0x41, 0xbb,
                                                0x9b, 0x82, 0xcc, 0xbd, 0x2f, 0xe7, 0x9f, 0xde};

// sending_application and sending_facility: MSH-3 and MSH-4 with their components joined by
// '^' (as decoded text). The name is each part length-prefixed, so no value can imitate another.
std::string MessageEventId(std::string_view sending_application,
                           std::string_view sending_facility, std::string_view control_id);
std::string InskrivningEventId(std::string_view sending_application,
                               std::string_view sending_facility, const v1::CaseId& case_id);
std::string DischargeEventId(std::string_view sending_application, std::string_view sending_facility,
                             const v1::CaseId& case_id, const google::protobuf::Timestamp& discharged_at);

}  // namespace slussen::ehr
