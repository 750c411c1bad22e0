// slussenctl audit verify --store FILE [--head SEQ:HASH] [--json]
//
// Walks the audit log's hash chain (hub/DESIGN.md "Audit log and retention") in the store file
// itself, read-only, not through the hub: a check of the hub's record must not depend on the hub
// vouching for it, and it works on a stopped hub and on a backup copy. Needs read access to the
// file (the hub's user, or an auditor's group per <store> file modes), nothing else: the chain
// is checked without the patient-key secret.
//
// Exit codes: 0 the chain holds; 1 it is broken (the first bad row and what is wrong are named);
// 2 usage; 3 the store cannot be read.
#include "slussenctl_audit.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "audit/audit_verify.h"
#include "store/store_factory.h"

namespace slussen::ctl {
namespace {

constexpr int kBroken = 1;
constexpr int kUsage = 2;
constexpr int kUnreadable = 3;

std::optional<AuditHead> ParseHead(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || text.size() - colon - 1 != 64) return {};
  AuditHead head;
  for (std::size_t i = 0; i < colon; ++i) {
    if (text[i] < '0' || text[i] > '9' || i > 17) return {};
    head.seq = head.seq * 10 + (text[i] - '0');
  }
  head.hash = text.substr(colon + 1);
  for (char c : head.hash) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
  }
  return head;
}

}  // namespace

int RunAuditCommand(int argc, char** argv) {
  CLI::App app{"slussenctl audit: the hub's audit log"};
  app.require_subcommand(1);
  std::string store, head_text;
  bool as_json = false;
  auto* verify = app.add_subcommand(
      "verify", "check the audit log's hash chain in a store file; names the first changed, "
                "removed or reordered row");
  verify->add_option("--store", store, "the hub's store file (read-only)")->required();
  verify->add_option("--head", head_text,
                     "SEQ:HASH, a head recorded earlier (the hub logs it at start, /metrics shows "
                     "it): the log must still reach it");
  verify->add_flag("--json", as_json, "print the verdict as JSON");
  try {
    app.parse(argc - 1, argv + 1);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kUsage;
  }
  std::optional<AuditHead> expected;
  if (!head_text.empty()) {
    expected = ParseHead(head_text);
    if (!expected) {
      std::cerr << "slussenctl: --head must be SEQ:HASH (64 lower-case hex digits)\n";
      return kUsage;
    }
  }
  auto reader = OpenStoreReader({"sqlite", store});
  if (!reader) {
    std::cerr << "slussenctl: " << reader.error() << "\n";
    return kUnreadable;
  }
  auto anchor = (*reader)->AuditAnchor();
  if (!anchor) {
    std::cerr << "slussenctl: " << anchor.error() << "\n";
    return kUnreadable;
  }
  StoreReader& r = **reader;
  const AuditSource source{
      [&r](int64_t after, int limit) { return r.AuditRowsAfter(after, limit); },
      [&r](const std::string& hash) { return r.AuditRowAfterHash(hash); }};
  auto verdict = VerifyAuditChain(*anchor, source, expected);
  if (!verdict) {
    std::cerr << "slussenctl: " << verdict.error() << "\n";
    return kUnreadable;
  }
  if (as_json) {
    nlohmann::json out{{"ok", verdict->ok},
                       {"rows", verdict->rows},
                       {"anchor", {{"seq", anchor->seq}, {"hash", anchor->hash}}},
                       {"head", {{"seq", verdict->head.seq}, {"hash", verdict->head.hash}}}};
    if (!verdict->ok) {
      out["bad_seq"] = verdict->bad_seq;
      out["problem"] = verdict->problem;
    }
    std::cout << out.dump(2) << "\n";
  } else if (verdict->ok) {
    std::cout << "audit log intact: " << verdict->rows << " rows after the anchor at seq "
              << anchor->seq << "; head " << verdict->head.seq << ":" << verdict->head.hash
              << "\n";
  } else {
    std::cout << "audit log BROKEN at row " << verdict->bad_seq << ": " << verdict->problem
              << "\n(" << verdict->rows << " rows before it hold, up to "
              << verdict->head.seq << ")\n";
  }
  return verdict->ok ? 0 : kBroken;
}

}  // namespace slussen::ctl
