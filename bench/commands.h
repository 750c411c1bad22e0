#pragma once
// The subcommands of slussen-bench. Each returns the process exit status.
#include "args.h"
#include "sut.h"

namespace slussen::bench {

int RunCompare(const Args& args, const SutPaths& paths);
int RunThroughput(const Args& args, const SutPaths& paths);
int RunLatency(const Args& args, const SutPaths& paths);
int RunMemory(const Args& args, const SutPaths& paths);
int RunRecovery(const Args& args, const SutPaths& paths);
int RunDrain(const Args& args, const SutPaths& paths);
int RunBacklog(const Args& args, const SutPaths& paths);
int RunAdmin(const Args& args, const SutPaths& paths);
int RunScenarios(const Args& args, const SutPaths& paths);

}  // namespace slussen::bench
