#include "testing/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <regex>
#include <utility>

#include "testing/files.h"

extern char** environ;

namespace slussen::testing {
namespace {

using Clock = ChildProcess::Clock;
using std::chrono::milliseconds;

// Poll timeouts: never past the deadline, and at most 100 ms so that a child's exit is noticed.
int MsUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 100 ? 100 : static_cast<int>(left);
}

// posix_spawn with the given fds as the child's stdin/stdout/stderr.
Result<pid_t> Spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Error{"cannot start " + argv[0] + ": " + std::strerror(rc)};
  return pid;
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Closes the fds it owns when it goes away (the set-up paths of Start and RunProcess).
struct Fds {
  std::vector<int> fds;
  ~Fds() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
};

}  // namespace

std::string ExitStatus::ToString() const {
  std::string s;
  if (exited) {
    s = "exit code " + std::to_string(code);
  } else if (signal != 0) {
    s = std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
  } else {
    s = "not ended";
  }
  if (timed_out) s += " after the harness timed out waiting for it";
  return s;
}

ExitStatus ExitStatusFromWait(int wait_status) {
  ExitStatus st;
  if (WIFEXITED(wait_status)) {
    st.exited = true;
    st.code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    st.signal = WTERMSIG(wait_status);
  }
  return st;
}

ProcessResult RunProcess(const std::vector<std::string>& argv, milliseconds timeout,
                         Stderr stderr_mode) {
  ProcessResult result;
  const bool merged = stderr_mode == Stderr::kMerged;
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  Fds owned;
  if (pipe2(out, O_CLOEXEC) != 0 || (!merged && pipe2(err, O_CLOEXEC) != 0)) {
    result.err = Errno("pipe2");
    owned.fds = {out[0], out[1], err[0], err[1]};
    return result;
  }
  const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  owned.fds = {in_fd, out[1], err[1]};
  const Result<pid_t> spawned = Spawn(argv, in_fd, out[1], merged ? out[1] : err[1]);
  owned.fds = {in_fd, out[1], err[1], out[0], err[0]};
  if (!spawned) {
    result.err = spawned.error();
    return result;
  }
  const pid_t pid = *spawned;
  close(in_fd);
  close(out[1]);
  if (err[1] >= 0) close(err[1]);
  owned.fds = {};

  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = merged ? 1 : 2;
  bool reaped = false;
  int wait_status = 0;
  while (true) {
    if (!reaped && waitpid(pid, &wait_status, WNOHANG) == pid) reaped = true;
    if (open_fds == 0 && reaped) break;
    if (Clock::now() >= deadline) break;
    // Once the command has exited, read only what is there now.
    const int n = open_fds == 0 ? 0 : poll(fds, 2, reaped ? 0 : MsUntil(deadline));
    if (n < 0 && errno != EINTR) break;
    if (n == 0 && reaped) break;
    if (n <= 0) {
      if (open_fds == 0) usleep(5 * 1000);
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[4096];
      const ssize_t r = read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  if (!reaped) {
    kill(pid, SIGKILL);
    waitpid(pid, &wait_status, 0);
  }
  result.status = ExitStatusFromWait(wait_status);
  result.status.timed_out = !reaped;
  return result;
}

ChildProcess::~ChildProcess() {
  Kill9();
  JoinDrain();
}

std::string ChildProcess::ExtraStdout() {
  std::lock_guard<std::mutex> lock(mu_);
  return extra_stdout_;
}

void ChildProcess::JoinDrain() {
  // The drain thread ends when the child's stdout closes, that is once the child has ended.
  if (pid_ > 0) return;
  if (drain_.joinable()) drain_.join();
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

void ChildProcess::Reap(int wait_status) {
  last_exit_ = ExitStatusFromWait(wait_status);
  pid_ = -1;
}

bool ChildProcess::Alive() {
  if (pid_ <= 0) return false;
  int wait_status = 0;
  if (waitpid(pid_, &wait_status, WNOHANG) == pid_) {
    Reap(wait_status);
    return false;
  }
  return true;
}

bool ChildProcess::WaitUntil(Clock::time_point deadline) {
  while (true) {
    if (!Alive()) return true;
    if (Clock::now() >= deadline) return false;
    usleep(5 * 1000);
  }
}

void ChildProcess::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

ExitStatus ChildProcess::Kill9() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int wait_status = 0;
    waitpid(pid_, &wait_status, 0);
    Reap(wait_status);
  }
  JoinDrain();
  return last_exit_;
}

ExitStatus ChildProcess::Stop(milliseconds timeout, const std::function<void()>& on_timeout) {
  if (pid_ <= 0) return last_exit_;
  Signal(SIGTERM);
  if (!WaitUntil(Clock::now() + timeout)) {
    if (on_timeout) on_timeout();
    Kill9();
    last_exit_.timed_out = true;
  }
  JoinDrain();
  return last_exit_;
}

Status ChildProcess::Start(const std::vector<std::string>& argv, const std::string& stderr_path,
                           milliseconds timeout) {
  if (pid_ > 0) return Error{argv[0] + " is already running (pid " + std::to_string(pid_) + ")"};
  JoinDrain();
  {
    std::lock_guard<std::mutex> lock(mu_);
    extra_stdout_.clear();
  }
  Fds owned;
  const int err_fd = open(stderr_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  owned.fds = {err_fd, in_fd};
  if (err_fd < 0) return Error{Errno("cannot open " + stderr_path)};
  if (in_fd < 0) return Error{Errno("cannot open /dev/null")};
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Error{Errno("pipe2")};
  owned.fds.push_back(out[1]);
  spawned_at_ = Clock::now();
  const Result<pid_t> spawned = Spawn(argv, in_fd, out[1], err_fd);
  if (!spawned) {
    close(out[0]);
    return Error{spawned.error()};
  }
  pid_ = *spawned;
  stdout_fd_ = out[0];
  owned.fds.clear();
  close(err_fd);
  close(in_fd);
  close(out[1]);

  // The first line, read a byte at a time so that nothing after it is consumed here.
  const auto deadline = Clock::now() + timeout;
  std::string line;
  std::string failure;
  bool got_line = false;
  while (!got_line && failure.empty()) {
    if (Clock::now() >= deadline) {
      failure = "no ready line within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int n = poll(&pfd, 1, MsUntil(deadline));
    if (n < 0 && errno != EINTR) failure = Errno("poll");
    if (n <= 0) continue;
    char c;
    const ssize_t r = read(stdout_fd_, &c, 1);
    if (r == 1) {
      if (c == '\n') {
        got_line = true;
      } else {
        line += c;
      }
    } else if (r == 0) {
      failure = "closed stdout before printing its ready line";
    } else if (errno != EINTR) {
      failure = Errno("read");
    }
  }

  if (got_line) {
    // "<name> ready KEY=HOST:PORT [KEY=HOST:PORT...]"; the first endpoint is host()/port().
    static const std::regex kReady(R"(^(\S+) ready((?: [a-z0-9-]+=\S+:[0-9]{1,5})+)$)");
    static const std::regex kEndpoint(R"( ([a-z0-9-]+)=(\S+):([0-9]{1,5}))");
    std::smatch m;
    std::map<std::string, std::pair<std::string, uint16_t>> endpoints;
    if (std::regex_match(line, m, kReady)) {
      const std::string list = m[2].str();
      for (std::sregex_iterator it(list.begin(), list.end(), kEndpoint), end; it != end; ++it) {
        const int p = std::stoi((*it)[3].str());
        if (p <= 0 || p >= 65536) {
          endpoints.clear();
          break;
        }
        endpoints[(*it)[1].str()] = {(*it)[2].str(), static_cast<uint16_t>(p)};
        if (host_.empty() || endpoints.size() == 1) {
          host_ = (*it)[2].str();
          port_ = static_cast<uint16_t>(p);
        }
      }
    }
    if (!endpoints.empty()) {
      name_ = m[1].str();
      endpoints_ = std::move(endpoints);
      ready_at_ = Clock::now();
      drain_ = std::thread([this, fd = stdout_fd_] {
        char buf[1024];
        while (true) {
          const ssize_t r = read(fd, buf, sizeof buf);
          if (r > 0) {
            std::lock_guard<std::mutex> lock(mu_);
            extra_stdout_.append(buf, static_cast<std::size_t>(r));
          } else if (r == 0 || errno != EINTR) {
            return;
          }
        }
      });
      return OkStatus();
    }
    failure = "unexpected first stdout line \"" + line + "\"";
  }

  // Failed: say what happened, with the child's stderr.
  std::string state;
  if (Alive()) {
    Kill9();
    state = "was still running (killed by the harness)";
  } else {
    JoinDrain();
    state = "ended: " + last_exit_.ToString();
  }
  return Error{argv[0] + " did not become ready: " + failure + "; it " + state +
               "\nstdout so far: \"" + line + "\"\n--- " + stderr_path + " (tail) ---\n" +
               ReadFileTail(stderr_path) + "\n--- end of " + stderr_path + " ---"};
}

}  // namespace slussen::testing
