#pragma once
// Slows down password guessing from one peer address. Each failed login from an address makes
// the next failure's outcome wait longer (base, 2 x base, 4 x base ... up to max), so a client
// that tries many passwords gets few tries a minute, while one mistyped password costs a quarter
// of a second. From `no_hash_after` failures on, the address's logins fail without a password
// check at all (after the delay): guessing then costs the hub no argon2 work. An address that has
// not failed for `forget_after` starts again from zero, and so does one that logs in. State is
// bounded: at most `max_addresses`, the longest-quiet one forgotten first.
//
// Threading: the socket loop's thread only. Times are any monotonic milliseconds (injected).
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace slussen {

class AuthThrottle {
 public:
  struct Limits {
    int64_t base_ms = 250;
    int64_t max_ms = 8000;
    int64_t forget_after_ms = 15 * 60 * 1000;
    int no_hash_after = 10;
    std::size_t max_addresses = 4096;
  };

  AuthThrottle() : AuthThrottle(Limits{}) {}
  explicit AuthThrottle(Limits limits) : limits_(limits) {}

  // Records a failure from `address` at `now_ms`; returns how long its outcome is held back.
  int64_t Failed(const std::string& address, int64_t now_ms);
  // A successful login: the address starts from zero.
  void Succeeded(const std::string& address) { failures_.erase(address); }
  // Failures from `address` that still count at `now_ms`.
  int Failures(const std::string& address, int64_t now_ms) const;
  // Whether logins from `address` now fail without a check.
  bool Saturated(const std::string& address, int64_t now_ms) const {
    return Failures(address, now_ms) >= limits_.no_hash_after;
  }
  std::size_t addresses() const { return failures_.size(); }

 private:
  struct Entry {
    int count = 0;
    int64_t last_ms = 0;
  };
  void MakeRoom(int64_t now_ms);

  const Limits limits_;
  std::unordered_map<std::string, Entry> failures_;
};

}  // namespace slussen
