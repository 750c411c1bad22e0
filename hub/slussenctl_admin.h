#pragma once
// slussenctl's commands against a running hub's admin API (queues, deadletters, retry,
// mark-delivered, reroute, pause, resume, deviations). See slussenctl_admin.cc for the exit codes.
#include <string>

namespace slussen::ctl {

bool IsAdminCommand(const std::string& command);
// Parses argv (CLI11) and runs the command; returns the exit code.
int RunAdminCommand(int argc, char** argv);

}  // namespace slussen::ctl
