#pragma once
// Who is calling the admin API: a bearer token checked against the operators' argon2id hashes in
// the config. argon2id is slow on purpose (about 50 ms and 19 MiB per check), so a token that
// verified once is remembered by its SHA-256 digest, never in clear; a wrong one costs the
// caller the full check every time and is remembered as wrong by nobody. Thread-safe.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace slussen::admin {

struct Caller {
  std::string name;
  AdminOperator::Role role = AdminOperator::Role::kViewer;
};

const char* RoleName(AdminOperator::Role role);
// Whether `have` may do what `need` may (viewer < operator; the auditor has the operator's
// rights and more).
bool RoleAllows(AdminOperator::Role have, AdminOperator::Role need);

// The encoded argon2id hash of `token` with a random salt, for <operator token-hash="…">.
Result<std::string> HashToken(std::string_view token);

class TokenAuth {
 public:
  explicit TokenAuth(std::vector<AdminOperator> operators);
  // The operator whose token this is, or nullopt.
  std::optional<Caller> Authenticate(std::string_view token);

 private:
  std::vector<AdminOperator> operators_;
  std::mutex mu_;
  std::unordered_map<std::string, std::size_t> verified_;  // SHA-256(token) -> operator index
};

}  // namespace slussen::admin
