// slussen-bench: the load generator and benchmark of Slussen. See bench/README.md.
#include <sys/prctl.h>
#include <unistd.h>

#include <climits>
#include <csignal>
#include <exception>
#include <iostream>
#include <set>
#include <string>

#include "args.h"
#include "commands.h"
#include "interrupt_cleanup.h"
#include "journal_peer.h"
#include "raw_peer.h"
#include "build_paths/source_dir.h"
#include "build_paths/hub_binary.h"

namespace {

constexpr const char* kUsage = R"(usage: slussen-bench COMMAND [flags]

Commands (every one starts what it measures itself and stops it afterwards):
  compare     raw Proton peer, journal peer, Slussen, RabbitMQ and Slussen in broker mode on
              RabbitMQ side by side: same 1 KB protobuf events, fan-out 2, durable. Tables on
              stdout (all systems; broker mode's extra hop), JSON in --json
              (default bench-results.json).
                --events N (100000) --repeat K (3) --rate R[,R...] (1000,5000)
                --rate-seconds S (20) --warmup N (5000)
                --only raw,journal,slussen,rabbitmq,slussen-broker (or broker)
                --skip-rabbitmq (both RabbitMQ columns)
                --smoke (seconds: 2,000 events, 200/s for 2 s, 1 run; for CI)
  throughput  all-out durable throughput   --target slussen|raw|journal|rabbitmq|slussen-broker
              --events N | --seconds S --repeat K
  latency     latency at fixed rates       --target ... --rate R[,R...] (1000,5000) --seconds S
  memory      hub RSS per queued event     --queued N (1M)
  recovery    kill -9 with N queued, restart: time to first delivery, lost   --queued N (1M)
  drain       backlog drain while live traffic continues   --queued N (1M) --live-rate R (1000)
  backlog     throughput and p99 with N queued vs empty     --backlog-queued N (5M)
  admin       admin API latency with N queued and C open cases: K sequential GETs per endpoint
              (median, p99, max, bytes; target p99 <= 250 ms), hub RSS before and after
                --queued N (100k) --open-cases C (10k) --dead-letters D (1200) --requests K (50)
  scenarios   all of the above but compare, in that order   --only a,b  (--json bench-scenarios.json)
  raw-peer    (internal) run the raw Proton peer on 127.0.0.1, printing its ready line
  journal-peer  (internal) the same, appending and fdatasyncing to --dir DIR/journal.bin first

Common flags:
  --quick          the seconds-long variant of a scenario
  --json FILE      where to write the results
  --size BYTES     mean Envelope size (1024) --window N   unsettled messages per sender (1000)
  --ids random|sequential   event ids like UUID v4 (default) or in sending order (throughput)
  --hub PATH       the slussen binary (default: this build's)
  --rabbitmq-script PATH   (default: scripts/rabbitmq-bench.sh of this source tree)
  --work-dir DIR   for stores and logs (default /tmp/slussen-bench)
Numbers take k and M suffixes (--queued 5M).
)";

std::string SelfPath() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "slussen-bench";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace slussen::bench;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  Args args;
  std::string error;
  if (!args.Parse(argc, argv, 2, {"smoke", "quick", "skip-rabbitmq"}, &error)) {
    std::cerr << "slussen-bench: " << error << "\n\n" << kUsage;
    return 2;
  }
  static const std::set<std::string> kKnown = {
      "events",       "repeat",          "rate",     "rate-seconds", "only",      "skip-rabbitmq",
      "smoke",        "target",          "seconds",  "queued",       "live-rate", "max-seconds",
      "tail-seconds", "backlog-queued",  "quick",    "json",         "size",      "window",
      "hub",          "rabbitmq-script", "work-dir", "fsync-count",  "warmup",    "port",
      "ids",          "dir",             "open-cases", "dead-letters", "requests"};
  if (const auto unknown = args.Unknown(kKnown); !unknown.empty()) {
    std::cerr << "slussen-bench: unknown flag " << unknown.front() << "\n\n" << kUsage;
    return 2;
  }
  SutPaths paths;
  paths.hub_binary = args.Str("hub", SLUSSEN_BINARY);
  paths.self_binary = SelfPath();
  paths.rabbitmq_script =
      args.Str("rabbitmq-script", std::string(SLUSSEN_SOURCE_DIR) + "/scripts/rabbitmq-bench.sh");
  paths.work_dir = args.Str("work-dir", "/tmp/slussen-bench");
  try {
    if (command == "raw-peer") {
      // A child of the bench only: it must not outlive a bench that died without stopping it
      // (killed, or SIGPIPE on a closed stdout), nor keep its port and CPU afterwards.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() == 1) return 1;  // the parent is already gone
      return RunRawPeer("127.0.0.1", static_cast<int>(args.U64("port", 0)));
    }
    if (command == "journal-peer") {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // as the raw peer
      if (getppid() == 1) return 1;
      if (!args.Has("dir")) {
        std::cerr << "slussen-bench: journal-peer needs --dir DIR\n";
        return 2;
      }
      return RunJournalPeer("127.0.0.1", static_cast<int>(args.U64("port", 0)),
                            args.Str("dir", ""));
    }
    // The peers above are children that die with the bench; what follows starts the hub and
    // RabbitMQ, which must be stopped even when the bench is interrupted.
    InstallInterruptCleanup();
    if (command == "compare") return RunCompare(args, paths);
    if (command == "throughput") return RunThroughput(args, paths);
    if (command == "latency") return RunLatency(args, paths);
    if (command == "memory") return RunMemory(args, paths);
    if (command == "recovery") return RunRecovery(args, paths);
    if (command == "drain") return RunDrain(args, paths);
    if (command == "backlog") return RunBacklog(args, paths);
    if (command == "admin") return RunAdmin(args, paths);
    if (command == "scenarios") return RunScenarios(args, paths);
  } catch (const std::exception& e) {
    std::cerr << "slussen-bench: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "slussen-bench: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
