#pragma once
// The hub's configuration: an immutable, typed, already-validated value. It is built once at
// start-up by LoadConfig() (config_loader.h) from one XML file checked against schemas/config.xsd,
// and then handed down by const reference. No other code reads files or environment variables.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "cases/agreement.h"
#include "config/delivery_policy.h"
#include "wire/event_kind.h"

namespace slussen {

// A municipality served by this hub. Its destination id is "kommun-<kod>".
struct KommunConfig {
  std::string kod;   // 4-digit SCB kommunkod, one of the 290 real ones
  std::string name;  // from the SCB table (config may not contradict it)
  std::string destination;
  // Also gets the kommun's events that arrive on weekends and holidays; empty = none.
  std::string off_hours_destination = {};
};

// A primary-care unit (vårdcentral). Its destination id is "vc-<hsa_id>".
struct VardcentralConfig {
  std::string hsa_id;
  std::string name;
  std::string destination;
};

// Any other receiving system with a fixed destination id (e.g. "ehr-halland", "letter").
struct DestinationConfig {
  std::string id;
  std::string name;
};

// A unit allowed to send events, and which kinds it may send.
struct SenderConfig {
  std::string hsa_id;
  std::string name;
  std::set<EventKind> may_send;
};

// Who receives one kind of event.
struct RouteConfig {
  EventKind kind{};
  bool to_kommun = false;         // the patient's folkbokföringskommun
  bool to_primary_care = false;   // the patient's listed vårdcentral, if any
  std::vector<std::string> to;    // fixed destination ids
};

// An issuer of reservnummer the hub accepts (by OID).
struct ReservnummerIssuerConfig {
  std::string oid;
  std::string name;
};

// Bounds of the embedded AMQP listener (<hub><transport>); the defaults are schemas/config.xsd's.
struct TransportConfig {
  std::size_t max_connections = 1000;
  uint32_t max_frame_size = 64 * 1024;
  std::chrono::seconds idle_timeout{60};    // silence after which a peer is closed
  int max_unsettled_inbound = 2000;         // per connection: granted credit + unsettled
  int max_unsettled_outbound = 2000;        // per receiver link: sent and not yet settled
};

// TLS on the AMQP listener (<amqp><tls>). Paths are absolute (relative ones in the file are
// relative to the file's directory); the files are read at start and again on SIGHUP.
struct TlsConfig {
  std::string certificate_path;  // PEM, the hub's certificate chain
  std::string key_path;          // PEM, its private key (not readable by others)
  std::string ca_path;           // PEM, the CAs a client certificate must chain to
  // Whether a client must show a certificate (SASL EXTERNAL needs one).
  enum class ClientCertificates { kNone, kOptional, kRequired };
  ClientCertificates client_certificates = ClientCertificates::kOptional;
  std::string protocols = "TLSv1.2 TLSv1.3";
  std::string ciphers = "HIGH:!aNULL:!eNULL:@SECLEVEL=2";
};

// Broker mode (<hub><broker>, hub/DESIGN.md "Broker mode"): the hub is a client of an AMQP 1.0
// broker instead of a listener. Paths are absolute; the password is read from its file at load.
struct BrokerConfig {
  std::string url;                  // e.g. amqp://127.0.0.1:5672, amqps://broker.example.se:5671
  std::string queue_prefix = "slussen.";
  std::string container_id = "slussen-hub";
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds reconnect_initial{100};
  std::chrono::milliseconds reconnect_max{30000};
  std::string tls_ca;               // non-empty: TLS
  std::string tls_cert;
  std::string tls_key;
  std::string user;                 // SASL PLAIN
  std::string password;             // never logged
  int in_flight = 500;              // per inbound queue unsettled; per destination unconfirmed
};

// One way an adapter proves who it is (<adapter><login>); SASL on the AMQP connection.
struct AdapterLogin {
  enum class Mechanism { kPlain, kExternal, kAnonymous };
  Mechanism mechanism = Mechanism::kPlain;
  std::string user = {};                 // kPlain: the SASL user name
  std::string password_hash = {};        // kPlain: argon2id, encoded ($argon2id$v=19$...)
  std::string certificate_subject = {};  // kExternal: the client certificate's subject, RFC 2253
};

// A set of ids from a config list, where "*" means every id the config knows.
struct IdSet {
  bool any = false;
  std::set<std::string> ids;
  bool Contains(const std::string& id) const { return any || ids.count(id) != 0; }
};

// An adapter's entitlements (<adapters><adapter>): what a connection authenticated as one of its
// logins may do. Anything else is refused at attach or at the event with slussen:unauthorized.
struct AdapterConfig {
  std::string name;
  std::vector<AdapterLogin> logins;
  // The sender HSA-ids it may send events under, and for each the kinds: the sender's own
  // may-send, narrowed by <sends may-send> when given.
  std::map<std::string, std::set<EventKind>> sends;
  IdSet reads;         // destination ids whose out/<id> it may receive from
  IdSet receipts_for;  // destination ids it may send receipts for

  bool MaySend(const std::string& sender_hsa_id, EventKind kind) const;
};

// The admin HTTP listener (<admin>): who may use it, with which role.
struct AdminOperator {
  std::string name;
  enum class Role { kViewer, kOperator, kAuditor } role = Role::kViewer;
  std::string token_hash;  // argon2id, encoded ($argon2id$v=19$...)
};
struct AdminConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = ephemeral
  std::vector<AdminOperator> operators;
};

// The audit log and retention (<hub><audit>, <hub><retention>; hub/DESIGN.md "Audit log and
// retention"). Added by the audit branch.
struct AuditConfig {
  // The secret of the patients' keys in the audit log (<audit key-file>); empty: the hub makes
  // one and keeps it in its store.
  std::string patient_key_secret;
  // A delivery to this destination is a disclosure to the letter service (action "letter").
  std::string letter_destination = "letter";
  // <retention cases audit>: how long closed cases and audit rows are kept; 0: for ever.
  std::chrono::seconds retain_cases{0};
  std::chrono::seconds retain_audit{0};
};

struct Config {
  std::string source_path;  // the file it came from, for messages

  std::string hub_name;
  std::string amqp_host;
  uint16_t amqp_port = 0;   // 0 = ephemeral
  // TLS on the listener. Without it the listener must be on loopback with amqp_allow_plain.
  std::optional<TlsConfig> amqp_tls;
  // <amqp plain="allow">: unencrypted AMQP is accepted (loopback listeners only).
  bool amqp_allow_plain = false;
  // Set: broker mode (<broker> instead of <amqp>); the amqp_* fields above are unused.
  std::optional<BrokerConfig> broker;
  std::string store_path;   // absolute; a relative path in the file is relative to the file
  std::string store_backend = "sqlite";  // which store implementation (store/store_factory.h)
  // <store group>: the group that may read the store's files (mode 0640); empty = 0600.
  std::string store_group;
  // The store's disk bound (<store max-bytes resume-below>): inbound is refused from
  // store_max_bytes until the store is below store_resume_below_bytes. 0: unbounded.
  uint64_t store_max_bytes = 0;
  // <store flush-interval>: the longest time a durable write stays invisible to the store's
  // other readers (core/core.h CoreTuning::flush_interval; hub/DESIGN.md "Durable write path").
  std::chrono::milliseconds store_flush_interval{100};
  uint64_t store_resume_below_bytes = 0;  // 90 % of store_max_bytes unless configured

  std::size_t max_message_bytes = 1024 * 1024;
  std::chrono::seconds clock_skew{300};  // how far occurred_at may lie in the future
  // Most inbound events in one store transaction: an eighth of a connection's default credit,
  // so that a sender's window spans several batches (hub/DESIGN.md "Life of an event").
  std::size_t commit_batch_max = 256;
  std::size_t max_events_per_case = 5000;  // events beyond are refused (a sender in a loop)
  std::size_t case_cache_events = 10000;   // decoded events of active cases kept in memory
  TransportConfig transport;
  std::optional<AdminConfig> admin;  // no <admin>: no admin listener
  // The key of the patients' pseudonyms in log lines (<logging pseudonym-key-file>); without it
  // the hub makes a random one at start, so pseudonyms correlate within one run only.
  std::string log_pseudonym_key;
  AuditConfig audit;

  std::vector<KommunConfig> kommuner;
  std::vector<VardcentralConfig> vardcentraler;
  std::vector<DestinationConfig> destinations;
  std::vector<SenderConfig> senders;
  std::vector<RouteConfig> routes;
  std::vector<ReservnummerIssuerConfig> reservnummer_issuers;
  // Who may connect and what each may do. No adapters: every AMQP connection is refused.
  std::vector<AdapterConfig> adapters;

  // The agreement cases are tracked against (<agreement path>); the law's parameters without
  // amounts when the config names none.
  Agreement agreement = DefaultAgreement();

  // The delivery policy of every destination id of AllDestinations(): the built-in defaults,
  // under <delivery><defaults for="...">, under the receiver's own elements.
  std::map<std::string, DeliveryPolicy> delivery_policies;

  // Lookups; nullptr when absent.
  const KommunConfig* FindKommun(const std::string& kod) const;
  const VardcentralConfig* FindVardcentral(const std::string& hsa_id) const;
  const SenderConfig* FindSender(const std::string& hsa_id) const;
  const RouteConfig* FindRoute(EventKind kind) const;
  bool KnowsReservnummerOid(const std::string& oid) const;
  const AdapterConfig* FindAdapter(const std::string& name) const;
  // The adapter a SASL outcome binds to: a PLAIN user name, an EXTERNAL certificate subject (RFC
  // 2253, as Proton reports it), or ANONYMOUS (identity ignored). nullptr: nobody.
  const AdapterConfig* FindAdapterByLogin(AdapterLogin::Mechanism mechanism,
                                          const std::string& identity) const;
  // Every destination id the hub delivers to: kommuner, vårdcentraler, and the fixed ones.
  std::vector<std::string> AllDestinations() const;
  bool IsDestination(const std::string& id) const;
  // The policy of `destination`; the built-in defaults for an id the config does not know. The
  // reference lives as long as this Config.
  const DeliveryPolicy& PolicyFor(const std::string& destination) const;
};

}  // namespace slussen
