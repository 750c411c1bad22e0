#pragma once
// slussenctl simulate: the hub's case logic over a timeline file, without a hub
// (slussenctl_simulate.cc; the usage text is slussenctl.cc's).
#include <optional>
#include <string>

#include "cases/case_state.h"

namespace slussen::ctl {

struct SimulateArgs {
  std::string agreement;  // empty: the agreement the --config names
  std::string config;     // the hub's config: its checks and (without --agreement) its agreement
  std::optional<std::string> adapter;  // also check this adapter's entitlements (needs config)
  std::string timeline;
  std::optional<TimePoint> now;
  std::optional<std::string> case_id;
  bool json = false;
  bool drop_rejected = false;  // leave out what the hub would refuse, and carry on
  bool help = false;
};

// Parses argv[first..]; returns a usage problem or "".
std::string ParseSimulate(int argc, char** argv, int first, SimulateArgs& args);

// Runs it; returns the exit code (0 done, 1 bad input or an event the hub would refuse).
int Simulate(const SimulateArgs& args);

}  // namespace slussen::ctl
