#pragma once
// slussenctl audit verify: checks the audit log's hash chain in a store file (slussenctl_audit.cc).
namespace slussen::ctl {

// argv[1] is "audit"; returns the exit code.
int RunAuditCommand(int argc, char** argv);

}  // namespace slussen::ctl
