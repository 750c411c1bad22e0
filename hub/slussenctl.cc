// slussenctl: the operator's command line. Over a running hub's admin API (slussenctl_admin.cc);
// offline over a store file (audit verify, slussenctl_audit.cc); and without any hub, what-if
// runs of the case logic over a timeline (simulate, slussenctl_simulate.cc).
#include <iostream>
#include <string>
#include <string_view>

#include "slussenctl_admin.h"
#include "slussenctl_audit.h"
#include "slussenctl_simulate.h"

namespace {

constexpr const char* kUsage = R"(usage: slussenctl simulate --agreement FILE --timeline FILE.jsonl [--config FILE] [OPTION ...]
       slussenctl [--admin HOST:PORT] [--token-file FILE] [--json] COMMAND ...
       slussenctl audit verify --store FILE [--head SEQ:HASH] [--json]
       slussenctl --help | --version

Operating a running hub, through its admin API (hub/DESIGN.md "Admin API"); the token comes from
--token-file or SLUSSEN_TOKEN, the address from --admin or SLUSSEN_ADMIN (default
127.0.0.1:8181). COMMAND --help for each:
  status                          ready or not, what waits, dead letters, late cases
  cases [--late] [--limit N]      cases late or at risk, by legal and money risk
  case CASE_ID [--pdf FILE]       one case's evidence report (operator; the read is recorded)
  queues                          each destination's depth, oldest age, in flight, retries, dead
  deadletters [--limit N]         dead deliveries, newest first, with the reason
  retry SEQ --reason WHY          send a dead delivery again
  mark-delivered SEQ --reason WHY record a delivery made by other means ("phoned through")
  reroute EVENT_ID --to DEST --reason WHY
  pause DEST --reason WHY | resume DEST --reason WHY
  deviations --month YYYY-MM [--format json|csv|pdf] [--output FILE]
                                  the month's deviation report per organisation (pdf: --output)
  loggutdrag --personnummer NNN [--pdf FILE]
                                  a patient's access-log extract (auditor; it is recorded)
audit verify: checks the audit log's hash chain in the store file itself (read-only, no hub
needed) and names the first changed, removed or reordered row; exit 0 intact, 1 broken, 3 the
file cannot be read. --head: a head logged earlier that the log must still reach.

Exit 0: done; 1: the hub refused (the message says why); 2: usage; 3: the hub is unreachable or
did not answer; 4: no or wrong token; 5: your role may not do this.

simulate: what-if runs of the case logic of lag (2017:612) under an agreement, without a hub.
  --agreement FILE   agreement XML (schemas/agreement.xsd), e.g. config/agreements/region-halland.xml
  --config FILE      the hub's config: every event is checked as that hub checks it (senders,
                     kommuner, reservnummer issuers, receipt destinations, routes, size), and its
                     <agreement> applies when --agreement is left out. Without it the events
                     are checked against the wire contract alone (the table output says so)
  --adapter NAME     also check that the config's <adapter NAME> may send each event
  --drop-rejected    leave out the events the hub would refuse (listed on stderr) and carry on;
                     without it such an event ends the run with exit 1
  --timeline FILE    JSON Lines: one slussen.v1.Envelope per line in the protobuf JSON mapping;
                     an optional extra key "stored_at" (RFC 3339) per line sets when the hub
                     stored it (default: its occurredAt). Blank lines and # comments are skipped.
  --now TIME         evaluation time: RFC 3339 (2026-03-30T11:59:00+02:00) or Stockholm local
                     time "YYYY-MM-DD HH:MM"; default: the latest time in the timeline. Only
                     events stored by then count: the case as the hub saw it at that time
  --json             print the report as JSON (an array when the timeline holds several cases;
                     under an average-model agreement an object {"cases": [...],
                     "average_model": [...]})
Under an average-model agreement (e.g. region-stockholm.xml) the kommun's monthly bill is added
for every kommun and month in which a case of the timeline was discharged.
  --case ID          only this case ("<care_unit_hsa_id>/<episode_id>")

Times in the report are Europe/Stockholm with their UTC offset. The report contains no
personnummer, names or addresses.
Events the hub would refuse are named with their line and the hub's own reasons, judged at their
stored_at as the hub judges an event when it arrives.
Exit 0: done; 1: unreadable or invalid agreement, config or timeline, an event the hub would
refuse (without --drop-rejected), or no such case; 2: usage error.
)";

int Usage(const std::string& problem) {
  std::cerr << "slussenctl: " << problem << "\n\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage("no command");
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "--version") {
    std::cout << "slussenctl " << SLUSSEN_VERSION << "\n";
    return 0;
  }
  if (slussen::ctl::IsAdminCommand(std::string(command)) || command.rfind("--admin", 0) == 0 ||
      command.rfind("--token-file", 0) == 0 || command == "--json") {
    return slussen::ctl::RunAdminCommand(argc, argv);
  }
  if (command == "audit") return slussen::ctl::RunAuditCommand(argc, argv);
  if (command == "simulate") {
    slussen::ctl::SimulateArgs args;
    if (auto problem = slussen::ctl::ParseSimulate(argc, argv, 2, args); !problem.empty()) {
      return Usage(problem);
    }
    if (args.help) {
      std::cout << kUsage;
      return 0;
    }
    try {
      return slussen::ctl::Simulate(args);
    } catch (const std::exception& e) {
      std::cerr << "slussenctl: " << e.what() << "\n";
      return 1;
    }
  }
  if (command.rfind("-", 0) == 0) return Usage("unknown option " + std::string(command));
  return Usage("unknown command " + std::string(command));
}
