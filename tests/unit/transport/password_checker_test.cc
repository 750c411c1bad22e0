#include "transport/password_checker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

namespace slussen {
namespace {

// slussen --hash-password of "correct horse battery staple".
constexpr char kHash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$DeNCN1Mz9XrzHHH3JBVLJQ$ERJW3dhcvdhPfzcFuSp5lrM9ITkrg6XMo3K0QXGj+RU";

struct Results {
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, bool> done;

  void Set(uint64_t id, bool ok) {
    std::lock_guard lock(mu);
    done[id] = ok;
    cv.notify_all();
  }
  bool WaitFor(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] { return done.size() >= n; });
  }
};

TEST(PasswordChecker, RightPasswordWrongPasswordAndUnknownUser) {
  Results results;
  {
    PasswordChecker checker(2, 8, [&](uint64_t id, bool ok) { results.Set(id, ok); });
    ASSERT_TRUE(checker.Submit(1, kHash, "correct horse battery staple"));
    ASSERT_TRUE(checker.Submit(2, kHash, "correct horse battery stapler"));
    // No hash: checked against the dummy, and never true, not even with the right password.
    ASSERT_TRUE(checker.Submit(3, "", "correct horse battery staple"));
    ASSERT_TRUE(checker.Submit(4, "not an argon2 hash", "x"));
    ASSERT_TRUE(results.WaitFor(4));
  }
  EXPECT_TRUE(results.done[1]);
  EXPECT_FALSE(results.done[2]);
  EXPECT_FALSE(results.done[3]);
  EXPECT_FALSE(results.done[4]);
}

TEST(PasswordChecker, AFullQueueRefusesAtOnce) {
  Results results;
  // No workers: nothing is taken off the queue.
  PasswordChecker checker(0, 2, [&](uint64_t id, bool ok) { results.Set(id, ok); });
  EXPECT_TRUE(checker.Submit(1, kHash, "a"));
  EXPECT_TRUE(checker.Submit(2, kHash, "b"));
  EXPECT_FALSE(checker.Submit(3, kHash, "c"));
}

TEST(PasswordChecker, TheDummyHashIsAValidArgon2idHashOfTheSameCost) {
  EXPECT_EQ(std::string(PasswordChecker::DummyHash()).rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u);
}

}  // namespace
}  // namespace slussen
