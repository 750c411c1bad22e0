#pragma once
// Files holding patient data are the owner's alone (the hub and adapters run with umask 0077).
// A deployment may name one group that may read them too (a backup or audit account): this
// gives each file that group and mode 0640 (a directory 0750). Files that do not exist are skipped.
#include <string>
#include <vector>

#include "common/result.h"

namespace slussen {

// kUnavailable naming the group or the file: an unknown group, or one the process may not give
// its files to (it must be a member, or root). `mode`: 0640 for files, 0750 for directories.
Status ShareWithGroup(const std::vector<std::string>& paths, const std::string& group,
                      unsigned mode = 0640);

}  // namespace slussen
