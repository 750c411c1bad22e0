#pragma once
// How an adapter reaches the hub: the <hub> element every adapter config has (its type is
// schemas/adapters/hub-connection.xsd-part, spliced into each adapter's schema at build time).
//
//   <hub url="amqp://127.0.0.1:5672" container-id="slussen-ehr" idle-timeout="30s">
//     <reconnect initial-delay="100ms" max-delay="30s"/>
//     <tls ca="/etc/slussen/ca.pem" cert="/etc/slussen/ehr.pem" key="/etc/slussen/ehr.key"/>
//     <sasl mechanism="PLAIN" user="ehr" password-file="/etc/slussen/ehr.secret"/>
//     <broker queue-prefix="slussen." release-delay="30s"/>   (broker mode: url is the broker's)
//   </hub>
#include <libxml/tree.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "wire/broker_addressing.h"
#include "xml/xml_validation.h"

namespace slussen::adapter {

struct HubConnectionConfig {
  std::string url = "amqp://127.0.0.1:5672";
  std::string container_id;  // empty: the adapter's name and a random suffix
  // Heartbeats: the hub closes a connection silent for this long, and so do we.
  std::chrono::milliseconds idle_timeout{30000};
  // After a lost or refused connection: the first wait, doubled each failure up to the cap.
  std::chrono::milliseconds reconnect_initial{100};
  std::chrono::milliseconds reconnect_max{30000};
  // Messages waiting for a connection (or for credit) at most; beyond, Send fails at once.
  int max_queued = 1000;
  struct Tls {
    std::string ca;    // the CA file the hub's certificate must chain to
    std::string cert;  // our client certificate (EXTERNAL, or TLS client auth)
    std::string key;
  };
  std::optional<Tls> tls;
  struct Sasl {
    std::string mechanism;  // PLAIN or EXTERNAL
    std::string user;
    std::string password;   // read from password-file at load; never logged
  };
  std::optional<Sasl> sasl;
  // <broker>: `url` is a broker's; logical addresses map onto its queues, links have durable
  // termini and messages carry the PLAIN user as their user-id (broker_addressing.h).
  BrokerAddressing broker;
  // Broker mode: a delivery the adapter releases goes back to the broker only after this long
  // (<broker release-delay>), since the broker hands it out again at once. 0: at once.
  std::chrono::milliseconds broker_release_delay{30000};
};

// Whether `url` names this machine (127.0.0.0/8, [::1], localhost): the only hub a PLAIN password
// may be sent to without TLS.
bool IsLoopbackUrl(const std::string& url);

// Reads a validated <hub> element of namespace `ns`. The password file is read here; a missing or
// unreadable one, or one readable by others than its owner, is reported on the element's line.
HubConnectionConfig ReadHubConnection(const xmlNode* hub, std::string_view ns,
                                      xml::Diagnostics& diag);

}  // namespace slussen::adapter
