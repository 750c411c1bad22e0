// The adapters read and write documents on several HTTP worker threads at once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "xmldoc/xmldoc.h"
#include "xmldoc_test_support.h"

namespace slussen::xmldoc {
namespace {

TEST(Threads, ConcurrentReadsAndWritesAllSucceedWithTheSameResults) {
  std::vector<v1::Envelope> envelopes;
  std::vector<std::string> documents;
  for (EventKind kind : AllEventKinds()) {
    envelopes.push_back(testing::FullEnvelope(kind));
    const auto doc = WriteDocument(envelopes.back());
    ASSERT_TRUE(doc.ok()) << doc.error();
    documents.push_back(*doc);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      ReadOptions options;
      options.receiving_system = testing::kReceivingSystem;
      for (int round = 0; round < 100; ++round) {
        const std::size_t i = static_cast<std::size_t>(round + t) % documents.size();
        const auto env = ReadDocument(documents[i], "thread", options);
        if (!env.ok() || !testing::Differences(*env, envelopes[i]).empty()) ++failures;
        const auto doc = WriteDocument(envelopes[i]);
        if (!doc.ok() || *doc != documents[i]) ++failures;
        // An invalid one too: its errors must not leak into another thread's result.
        if (ReadDocument("<kvittens/>", "bad", options).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace slussen::xmldoc
