// The command sender with real commands: exit 0 delivers; a non-zero exit, a timeout (the whole
// process group killed), a missing binary or a missing fax number does not, and says why; the
// placeholders become single arguments (no shell); the output is captured, bounded.
#include "adapters/letter/command_sender.h"

#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "testing/files.h"
#include "testing/temp_dir.h"

namespace slussen::adapters::letter {
namespace {

using slussen::testing::ReadFile;
using slussen::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

CommandSender Make(std::vector<std::string> argv,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60),
                   std::size_t max_output = 4096) {
  Result<CommandSender> s = CommandSender::Create({std::move(argv), timeout, max_output});
  EXPECT_TRUE(s.ok()) << s.error();
  return *s;
}

const SendRequest kRequest{"/tmp/spool dir/ev-1.kommun-1380.pdf", "+46 35 13 80 00", "kommun-1380",
                           "ev-1"};

TEST(CommandSender, ExitZeroIsDelivered) {
  const SendOutcome o = Make({"/bin/true"}).Send(kRequest);
  EXPECT_TRUE(o.delivered);
  EXPECT_EQ(o.summary, "true: exit status 0");
}

TEST(CommandSender, NonZeroExitIsNotDeliveredAndSaysSo) {
  const SendOutcome o = Make({"/bin/false"}).Send(kRequest);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.summary, "false: exit status 1");

  const SendOutcome o3 = Make({"/bin/sh", "-c", "echo 'line busy' >&2; exit 3"}).Send(kRequest);
  EXPECT_FALSE(o3.delivered);
  EXPECT_EQ(o3.summary, "sh: exit status 3");
  EXPECT_THAT(o3.output, HasSubstr("line busy"));
}

TEST(CommandSender, KilledBySignalIsNotDelivered) {
  const SendOutcome o = Make({"/bin/sh", "-c", "kill -9 $$"}).Send(kRequest);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.summary, "sh: killed by signal 9");
}

TEST(CommandSender, ACommandPastItsTimeoutIsKilledWithItsChildren) {
  TempDir dir{"slussen-sender"};
  const std::string pid_file = dir.File("pid");
  // The shell starts a child of its own: both must die, or the child would hold the pipe.
  const SendOutcome o =
      Make({"/bin/sh", "-c", "echo $$ > '" + pid_file + "'; sleep 60 & wait"},
           std::chrono::milliseconds(300))
          .Send(kRequest);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.summary, "sh: timed out after 300 ms, killed");

  const pid_t group = std::stoi(ReadFile(pid_file));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (::kill(-group, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // init reaps the killed child
  }
  EXPECT_NE(::kill(-group, 0), 0) << "the command's process group survived";
  EXPECT_EQ(errno, ESRCH);
}

TEST(CommandSender, AMissingBinaryIsNotDeliveredAndSaysSo) {
  const SendOutcome o = Make({"/nonexistent/slussen-no-such-lp", "{file}"}).Send(kRequest);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.summary, "slussen-no-such-lp: cannot start: No such file or directory");

  const SendOutcome in_path = Make({"slussen-no-such-sendfax-in-path"}).Send(kRequest);
  EXPECT_FALSE(in_path.delivered);
  EXPECT_EQ(in_path.summary, "slussen-no-such-sendfax-in-path: cannot start: not found in PATH");

  // Found in PATH like execvp would.
  const SendOutcome found = Make({"true"}).Send(kRequest);
  EXPECT_TRUE(found.delivered) << found.summary;
}

TEST(CommandSender, PlaceholdersBecomeSingleArgumentsWithoutAShell) {
  const SendOutcome o = Make({"/bin/sh", "-c", "printf '[%s]' \"$@\"", "sh", "{file}", "-d{fax}",
                              "{recipient}", "{event}", "{{literal}}", "$(touch /tmp/x);"})
                            .Send(kRequest);
  ASSERT_TRUE(o.delivered) << o.summary;
  EXPECT_EQ(o.output,
            "[/tmp/spool dir/ev-1.kommun-1380.pdf][-d+46 35 13 80 00][kommun-1380][ev-1]"
            "[{literal}][$(touch /tmp/x);]");
}

TEST(CommandSender, AMissingFaxNumberRunsNothing) {
  TempDir dir{"slussen-sender"};
  const std::string marker = dir.File("ran");
  SendRequest no_fax = kRequest;
  no_fax.fax.clear();
  const SendOutcome o = Make({"/bin/sh", "-c", "touch '" + marker + "'", "sh", "{fax}"}).Send(no_fax);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.summary, "sh: not started: {fax} in the command but recipient kommun-1380 has no fax "
                       "number");
  EXPECT_FALSE(std::filesystem::exists(marker));
  // Without {fax} the same request goes.
  EXPECT_TRUE(Make({"/bin/sh", "-c", "touch '" + marker + "'"}).Send(no_fax).delivered);
  EXPECT_TRUE(std::filesystem::exists(marker));
}

TEST(CommandSender, OutputIsBoundedAndTheChildNeverBlocksOnIt) {
  const SendOutcome o =
      Make({"/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' a; echo done >&2"},
           std::chrono::seconds(60), 100)
          .Send(kRequest);
  EXPECT_TRUE(o.delivered) << o.summary;
  EXPECT_THAT(o.output, StartsWith(std::string(100, 'a') + "\n["));
  EXPECT_THAT(o.output, HasSubstr("199905 more bytes of output dropped"));
}

TEST(CommandSender, BadTemplatesAreRefusedAtCreation) {
  using V = std::vector<std::string>;
  for (const V& argv : {V{}, V{""}, V{"lp", "{printer}"}, V{"lp", "{file"}, V{"lp", "file}"}}) {
    Result<CommandSender> s = CommandSender::Create({argv, std::chrono::seconds(1), 10});
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << (argv.empty() ? "" : argv.back());
  }
  EXPECT_THAT(CommandSender::Create({V{"lp", "{printer}"}, std::chrono::seconds(1), 10}).error(),
              HasSubstr("unknown placeholder {printer}"));
  EXPECT_FALSE(CommandSender::Create({V{"lp"}, std::chrono::milliseconds(0), 10}).ok());
}

TEST(CommandSender, SendsFromSeveralThreadsAtOnce) {
  const CommandSender sender = Make({"/bin/sh", "-c", "printf '%s' \"$1\"", "sh", "{event}"});
  std::vector<std::thread> threads;
  std::vector<SendOutcome> outcomes(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      SendRequest r = kRequest;
      r.event_id = "ev-" + std::to_string(i);
      outcomes[static_cast<std::size_t>(i)] = sender.Send(r);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(outcomes[static_cast<std::size_t>(i)].delivered);
    EXPECT_EQ(outcomes[static_cast<std::size_t>(i)].output, "ev-" + std::to_string(i));
  }
}

}  // namespace
}  // namespace slussen::adapters::letter
