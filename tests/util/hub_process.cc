#include "util/hub_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "util/temp_dir.h"

extern char** environ;

namespace slussen::testing {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int MsUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 100 ? 100 : static_cast<int>(left);
}

// posix_spawn with the given fds as the child's stdin/stdout/stderr.
pid_t Spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
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
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv[0]);
  return pid;
}

int OpenDevNull() {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open /dev/null");
  return fd;
}

void MakePipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
}

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

std::string SlussenBinary() {
#ifdef SLUSSEN_BINARY
  return SLUSSEN_BINARY;
#else
  return "slussen";
#endif
}

ProcessResult RunProcess(const std::vector<std::string>& argv, milliseconds timeout) {
  int out_pipe[2];
  int err_pipe[2];
  MakePipe(out_pipe);
  MakePipe(err_pipe);
  const int in_fd = OpenDevNull();
  const pid_t pid = Spawn(argv, in_fd, out_pipe[1], err_pipe[1]);
  close(in_fd);
  close(out_pipe[1]);
  close(err_pipe[1]);

  ProcessResult result;
  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    if (Clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    const int n = poll(fds, 2, MsUntil(deadline));
    if (n < 0 && errno != EINTR) break;
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
  int wait_status = 0;
  if (timed_out) {
    kill(pid, SIGKILL);
    waitpid(pid, &wait_status, 0);
    result.status = ExitStatusFromWait(wait_status);
    result.status.timed_out = true;
    return result;
  }
  // Output is closed; the process should be ending. Give it until the deadline.
  while (true) {
    const pid_t r = waitpid(pid, &wait_status, WNOHANG);
    if (r == pid) {
      result.status = ExitStatusFromWait(wait_status);
      return result;
    }
    if (Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &wait_status, 0);
      result.status = ExitStatusFromWait(wait_status);
      result.status.timed_out = true;
      return result;
    }
    usleep(10 * 1000);
  }
}

HubProcess::HubProcess(std::string config_path, std::string stderr_path, std::string binary)
    : binary_(std::move(binary)),
      config_path_(std::move(config_path)),
      stderr_path_(std::move(stderr_path)) {}

HubProcess::~HubProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int wait_status = 0;
    waitpid(pid_, &wait_status, 0);
    Reap(wait_status);
  }
  JoinDrain();
}

std::string HubProcess::StderrTail(std::size_t max_bytes) const {
  return ReadFileTail(stderr_path_, max_bytes);
}

std::string HubProcess::ExtraStdout() {
  std::lock_guard<std::mutex> lock(mu_);
  return extra_stdout_;
}

void HubProcess::JoinDrain() {
  if (drain_.joinable()) drain_.join();
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

void HubProcess::Reap(int wait_status) {
  last_exit_ = ExitStatusFromWait(wait_status);
  pid_ = -1;
}

bool HubProcess::Alive() {
  if (pid_ <= 0) return false;
  int wait_status = 0;
  const pid_t r = waitpid(pid_, &wait_status, WNOHANG);
  if (r == pid_) {
    Reap(wait_status);
    return false;
  }
  return true;
}

bool HubProcess::WaitUntil(Clock::time_point deadline) {
  while (true) {
    if (!Alive()) return true;
    if (Clock::now() >= deadline) return false;
    usleep(5 * 1000);
  }
}

::testing::AssertionResult HubProcess::Start(milliseconds timeout) {
  if (pid_ > 0) return ::testing::AssertionFailure() << "hub already running (pid " << pid_ << ")";
  JoinDrain();
  {
    std::lock_guard<std::mutex> lock(mu_);
    extra_stdout_.clear();
  }
  ++starts_;
  {
    std::ofstream log(stderr_path_, std::ios::app);
    log << "===== test harness: start #" << starts_ << ": " << binary_ << " --config "
        << config_path_ << " =====\n";
  }
  const int err_fd = open(stderr_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (err_fd < 0) {
    return ::testing::AssertionFailure() << "cannot open " << stderr_path_ << ": "
                                         << strerror(errno);
  }
  int out_pipe[2];
  MakePipe(out_pipe);
  const int in_fd = OpenDevNull();
  try {
    pid_ = Spawn({binary_, "--config", config_path_}, in_fd, out_pipe[1], err_fd);
  } catch (const std::exception& e) {
    close(in_fd);
    close(err_fd);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return ::testing::AssertionFailure() << e.what();
  }
  close(in_fd);
  close(err_fd);
  close(out_pipe[1]);
  stdout_fd_ = out_pipe[0];

  // Read stdout until the first newline.
  const auto deadline = Clock::now() + timeout;
  std::string line;
  std::string failure;
  bool got_line = false;
  while (!got_line) {
    if (Clock::now() >= deadline) {
      failure = "no ready line within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int n = poll(&pfd, 1, MsUntil(deadline));
    if (n < 0 && errno != EINTR) {
      failure = std::string("poll: ") + strerror(errno);
      break;
    }
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
      failure = "hub closed stdout before printing its ready line";
      break;
    } else if (errno != EINTR) {
      failure = std::string("read: ") + strerror(errno);
      break;
    }
  }

  if (got_line) {
    static const std::regex kReady(R"(^slussen ready amqp=(.+):([0-9]{1,5})$)");
    std::smatch m;
    if (std::regex_match(line, m, kReady)) {
      host_ = m[1].str();
      const int port = std::stoi(m[2].str());
      if (port > 0 && port < 65536) {
        port_ = static_cast<uint16_t>(port);
        // Keep reading stdout so the hub can never block on it; keep what it writes.
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
        return ::testing::AssertionSuccess();
      }
    }
    failure = "unexpected first stdout line: \"" + line + "\"";
  }

  // Failed: describe what happened, with the hub's stderr.
  std::string state;
  if (Alive()) {
    kill(pid_, SIGKILL);
    int wait_status = 0;
    waitpid(pid_, &wait_status, 0);
    Reap(wait_status);
    state = "still running (killed by the harness)";
  } else {
    state = "ended: " + last_exit_.ToString();
  }
  JoinDrain();
  return ::testing::AssertionFailure()
         << "slussen did not become ready: " << failure << "; the hub " << state
         << "\nstdout so far: \"" << line << "\"\n--- hub stderr (" << stderr_path_
         << ", tail) ---\n"
         << StderrTail() << "\n--- end of hub stderr ---";
}

ExitStatus HubProcess::Stop(milliseconds timeout) {
  if (pid_ <= 0) return last_exit_;
  kill(pid_, SIGTERM);
  if (!WaitUntil(Clock::now() + timeout)) {
    AppendStacksToLog();
    kill(pid_, SIGKILL);
    int wait_status = 0;
    waitpid(pid_, &wait_status, 0);
    Reap(wait_status);
    last_exit_.timed_out = true;
  }
  JoinDrain();
  return last_exit_;
}

ExitStatus HubProcess::Kill9() {
  if (pid_ <= 0) return last_exit_;
  kill(pid_, SIGKILL);
  int wait_status = 0;
  waitpid(pid_, &wait_status, 0);
  Reap(wait_status);
  JoinDrain();
  return last_exit_;
}

void HubProcess::AppendStacksToLog() {
  // A hub that does not stop: record where its threads are, if gdb is installed.
  if (pid_ <= 0 || access("/usr/bin/gdb", X_OK) != 0) return;
  const ProcessResult r = RunProcess({"/usr/bin/gdb", "-p", std::to_string(pid_), "-batch", "-nx",
                                      "-ex", "thread apply all bt"},
                                     std::chrono::seconds(60));
  std::ofstream log(stderr_path_, std::ios::app);
  log << "===== test harness: hub did not stop; thread stacks (gdb) =====\n"
      << r.out << r.err << "===== end of thread stacks =====\n";
}

::testing::AssertionResult HubProcess::Restart(milliseconds timeout) {
  if (pid_ > 0) {
    const ExitStatus st = Stop(timeout);
    if (!st.Ok()) {
      return ::testing::AssertionFailure()
             << "hub did not stop cleanly on SIGTERM: " << st.ToString()
             << "\n--- hub stderr (tail) ---\n"
             << StderrTail() << "\n--- end of hub stderr ---";
    }
  }
  return Start(timeout);
}

}  // namespace slussen::testing
