#include "admin/token_auth.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace slussen::admin {
namespace {

// OWASP's argon2id minimum: 19 MiB, two passes, one lane.
constexpr uint32_t kMemoryKiB = 19 * 1024;
constexpr uint32_t kPasses = 2;
constexpr uint32_t kLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

std::string Digest(std::string_view token) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d);
  return std::string(reinterpret_cast<const char*>(d), sizeof d);
}

}  // namespace

const char* RoleName(AdminOperator::Role role) {
  switch (role) {
    case AdminOperator::Role::kViewer: return "viewer";
    case AdminOperator::Role::kOperator: return "operator";
    case AdminOperator::Role::kAuditor: return "auditor";
  }
  return "viewer";
}

bool RoleAllows(AdminOperator::Role have, AdminOperator::Role need) {
  auto rank = [](AdminOperator::Role r) {
    switch (r) {
      case AdminOperator::Role::kViewer: return 0;
      case AdminOperator::Role::kOperator: return 1;
      case AdminOperator::Role::kAuditor: return 2;
    }
    return 0;
  };
  return rank(have) >= rank(need);
}

Result<std::string> HashToken(std::string_view token) {
  if (token.size() < 16) return Error{"a token must be at least 16 characters"};
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return Error{"no random bytes for the salt"};
  const std::size_t len = argon2_encodedlen(kPasses, kMemoryKiB, kLanes, kSaltBytes, kHashBytes,
                                            Argon2_id);
  std::string encoded(len, '\0');
  const int rc = argon2id_hash_encoded(kPasses, kMemoryKiB, kLanes, token.data(), token.size(),
                                       salt, sizeof salt, kHashBytes, encoded.data(), len);
  if (rc != ARGON2_OK) return Error{std::string("argon2id: ") + argon2_error_message(rc)};
  encoded.resize(encoded.find('\0'));
  return encoded;
}

TokenAuth::TokenAuth(std::vector<AdminOperator> operators) : operators_(std::move(operators)) {}

std::optional<Caller> TokenAuth::Authenticate(std::string_view token) {
  if (token.empty() || token.size() > 1024) return std::nullopt;
  const std::string digest = Digest(token);
  {
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(digest); it != verified_.end()) {
      const auto& op = operators_[it->second];
      return Caller{op.name, op.role};
    }
  }
  for (std::size_t i = 0; i < operators_.size(); ++i) {
    if (argon2id_verify(operators_[i].token_hash.c_str(), token.data(), token.size()) ==
        ARGON2_OK) {
      std::lock_guard lock(mu_);
      if (verified_.size() < 1024) verified_.emplace(digest, i);
      return Caller{operators_[i].name, operators_[i].role};
    }
  }
  return std::nullopt;
}

}  // namespace slussen::admin
