#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>

#include "send_log.h"

extern char** environ;

namespace slussen::bench {
namespace {

using Clock = std::chrono::steady_clock;

pid_t Spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd,
            std::string* error) {
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
  if (rc != 0) {
    *error = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

int PollMs(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 100));
}

}  // namespace

std::string FileTail(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const auto size = static_cast<std::size_t>(in.tellg());
  const std::size_t from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string s(size - from, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  return s;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill9();
  JoinDrain();
}

bool ServerProcess::Start(const std::vector<std::string>& argv, const std::string& log_path,
                          std::chrono::milliseconds timeout, std::string* error) {
  if (pid_ > 0) {
    *error = "already running";
    return false;
  }
  JoinDrain();
  log_path_ = log_path;
  const int err_fd = open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out[2];
  if (err_fd < 0 || in_fd < 0 || pipe2(out, O_CLOEXEC) != 0) {
    *error = std::string("cannot set up the child's files: ") + std::strerror(errno);
    if (err_fd >= 0) close(err_fd);
    if (in_fd >= 0) close(in_fd);
    return false;
  }
  spawned_us_ = NowUs();
  pid_ = Spawn(argv, in_fd, out[1], err_fd, error);
  close(in_fd);
  close(err_fd);
  close(out[1]);
  if (pid_ < 0) {
    close(out[0]);
    return false;
  }
  stdout_fd_ = out[0];

  const auto deadline = Clock::now() + timeout;
  std::string line;
  std::string failure;
  while (failure.empty()) {
    if (Clock::now() >= deadline) {
      failure = "no ready line within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int n = poll(&pfd, 1, PollMs(deadline));
    if (n <= 0) continue;
    char c;
    const ssize_t r = read(stdout_fd_, &c, 1);
    if (r == 1 && c != '\n') {
      line += c;
      continue;
    }
    if (r == 0) failure = "closed stdout before its ready line";
    if (r < 0 && errno != EINTR) failure = std::string("read: ") + std::strerror(errno);
    if (r == 1) break;  // the whole line
  }
  static const std::regex kReady(R"(^\S+ ready amqp=(.+):([0-9]{1,5})$)");
  std::smatch m;
  if (failure.empty() && std::regex_match(line, m, kReady)) {
    host_ = m[1].str();
    port_ = static_cast<uint16_t>(std::stoi(m[2].str()));
    ready_us_ = NowUs();
    drain_ = std::thread([fd = stdout_fd_] {
      char buf[1024];
      while (true) {
        const ssize_t r = read(fd, buf, sizeof buf);
        if (r == 0 || (r < 0 && errno != EINTR)) return;
      }
    });
    return true;
  }
  if (failure.empty()) failure = "unexpected first line \"" + line + "\"";
  Kill9();
  *error = argv[0] + " did not become ready: " + failure + "\n--- " + log_path + " (tail) ---\n" +
           FileTail(log_path);
  return false;
}

void ServerProcess::Reap(bool block) {
  if (pid_ <= 0) return;
  int status = 0;
  if (waitpid(pid_, &status, block ? 0 : WNOHANG) == pid_) {
    exit_status_ = status;
    pid_ = -1;
  }
}

bool ServerProcess::Alive() {
  Reap(false);
  return pid_ > 0;
}

bool ServerProcess::Stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return true;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + timeout;
  while (Alive() && Clock::now() < deadline) usleep(5000);
  bool clean = true;
  if (pid_ > 0) {
    Kill9();
    clean = false;
  }
  JoinDrain();
  return clean && WIFEXITED(exit_status_) && WEXITSTATUS(exit_status_) == 0;
}

void ServerProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap(true);
  JoinDrain();
}

void ServerProcess::JoinDrain() {
  if (pid_ > 0) return;  // the drain thread ends when the child's stdout closes
  if (drain_.joinable()) drain_.join();
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CommandResult result;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    result.output = std::string("pipe2: ") + std::strerror(errno);
    return result;
  }
  const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::string error;
  const pid_t pid = Spawn(argv, in_fd, out[1], out[1], &error);
  close(in_fd);
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    result.output = error;
    return result;
  }
  // Read until the command exits, not until EOF: a daemon it started (RabbitMQ's beam) may keep
  // the pipe open for ever.
  const auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  bool reaped = false;
  int status = 0;
  while (true) {
    if (!reaped && waitpid(pid, &status, WNOHANG) == pid) reaped = true;
    pollfd pfd{out[0], POLLIN, 0};
    if (poll(&pfd, 1, reaped ? 0 : PollMs(deadline)) > 0) {
      char buf[4096];
      const ssize_t r = read(out[0], buf, sizeof buf);
      if (r > 0) {
        result.output.append(buf, static_cast<std::size_t>(r));
        continue;
      }
      if (r == 0 || errno != EINTR) {
        if (!reaped) waitpid(pid, &status, 0);
        break;
      }
    }
    if (reaped) break;  // exited and nothing left to read now
    if (Clock::now() >= deadline) {
      timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
  }
  close(out[0]);
  result.ok = !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (timed_out) result.output += "\n(timed out after " + std::to_string(timeout.count()) + " ms)";
  return result;
}

}  // namespace slussen::bench
