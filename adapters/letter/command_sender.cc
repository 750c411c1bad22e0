#include "adapters/letter/command_sender.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace slussen::adapters::letter {
namespace {

using Steady = std::chrono::steady_clock;

Result<std::string> ExpandOne(const std::string& tmpl, const SendRequest& r) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    const char ch = tmpl[i];
    if (ch == '}') {
      if (i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return Error{"unmatched '}' in command argument '" + tmpl + "' (write }} for a brace)",
                   ErrorCode::kInvalidArgument};
    }
    if (ch != '{') {
      out += ch;
      continue;
    }
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const auto close = tmpl.find('}', i);
    if (close == std::string::npos) {
      return Error{"unclosed '{' in command argument '" + tmpl + "'", ErrorCode::kInvalidArgument};
    }
    const std::string name = tmpl.substr(i + 1, close - i - 1);
    if (name == "file") {
      out += r.file;
    } else if (name == "fax") {
      if (r.fax.empty()) {
        return Error{"{fax} in the command but recipient " + r.recipient_id + " has no fax number",
                     ErrorCode::kInvalidArgument};
      }
      out += r.fax;
    } else if (name == "recipient") {
      out += r.recipient_id;
    } else if (name == "event") {
      out += r.event_id;
    } else {
      return Error{"unknown placeholder {" + name + "} in command argument '" + tmpl +
                       "' (known: {file} {fax} {recipient} {event})",
                   ErrorCode::kInvalidArgument};
    }
    i = close;
  }
  return out;
}

std::string BaseName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The bounded capture of the child's output.
struct Capture {
  std::string text;
  std::size_t dropped = 0;
  std::size_t limit;

  void Add(const char* data, std::size_t n) {
    const std::size_t keep = std::min(n, limit - std::min(limit, text.size()));
    text.append(data, keep);
    dropped += n - keep;
  }
  std::string Done() const {
    if (dropped == 0) return text;
    return text + "\n[" + std::to_string(dropped) + " more bytes of output dropped]";
  }
};

// Reads what is there now; false at EOF or on an error.
bool ReadAvailable(int fd, Capture& capture) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      capture.Add(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
}

// argv[0] as execvp would find it, looked up here because execvp is not async-signal-safe (the
// child of a threaded process may only make such calls). "" if there is none.
std::string ResolveProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = dirs.find(':', start);
    std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) return "";
    start = end + 1;
  }
}

std::string DescribeWait(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

}  // namespace

Result<CommandSender> CommandSender::Create(CommandSenderOptions options) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return Error{"the send command is empty", ErrorCode::kInvalidArgument};
  }
  if (options.timeout.count() <= 0) {
    return Error{"the send command's timeout must be positive", ErrorCode::kInvalidArgument};
  }
  // Every placeholder must be known: expand once with values for all of them.
  const SendRequest probe{"f", "1", "r", "e"};
  for (const auto& arg : options.argv) {
    if (Result<std::string> r = ExpandOne(arg, probe); !r.ok()) return r.as_error();
  }
  return CommandSender(std::move(options));
}

Result<std::vector<std::string>> CommandSender::Expand(const SendRequest& request) const {
  std::vector<std::string> out;
  for (const auto& arg : options_.argv) {
    Result<std::string> r = ExpandOne(arg, request);
    if (!r.ok()) return r.as_error();
    out.push_back(std::move(*r));
  }
  return out;
}

SendOutcome CommandSender::Send(const SendRequest& request) const {
  SendOutcome outcome;
  const std::string name = BaseName(options_.argv[0]);
  Result<std::vector<std::string>> args = Expand(request);
  if (!args.ok()) {
    outcome.summary = name + ": not started: " + args.error();
    return outcome;
  }
  const std::string program = ResolveProgram((*args)[0]);
  if (program.empty()) {
    outcome.summary = name + ": cannot start: not found in PATH";
    return outcome;
  }
  std::vector<char*> argv;
  for (auto& a : *args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2], report[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    outcome.summary = name + ": cannot start: pipe: " + std::strerror(errno);
    return outcome;
  }
  if (::pipe2(report, O_CLOEXEC) != 0) {
    outcome.summary = name + ": cannot start: pipe: " + std::strerror(errno);
    ::close(out[0]);
    ::close(out[1]);
    return outcome;
  }
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = devnull < 0 ? -1 : ::fork();
  if (pid == 0) {
    // The child: async-signal-safe calls only until exec.
    ::setpgid(0, 0);
    ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // the adapter's sockets stay out of the child
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(program.c_str(), argv.data());
    const int err = errno;
    [[maybe_unused]] ssize_t n = ::write(report[1], &err, sizeof err);
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(out[1]);
  ::close(report[1]);
  if (devnull >= 0) ::close(devnull);
  if (pid < 0) {
    ::close(out[0]);
    ::close(report[0]);
    outcome.summary = name + ": cannot start: " +
                      (devnull < 0 ? std::string("/dev/null: ") : std::string("fork: ")) +
                      std::strerror(fork_errno);
    return outcome;
  }
  ::setpgid(pid, pid);  // also here, so the group exists before any kill below

  // Exec succeeded when the report pipe closes empty; otherwise it carries exec's errno.
  int exec_errno = 0;
  ssize_t got;
  do {
    got = ::read(report[0], &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    ::close(out[0]);
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    outcome.summary = name + ": cannot start: " + std::strerror(exec_errno);
    return outcome;
  }

  ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
  Capture capture{{}, 0, options_.max_output};
  const auto deadline = Steady::now() + options_.timeout;
  bool open = true;
  bool timed_out = false;
  int status = 0;
  for (;;) {
    // Short polls: the child may exit while something it started keeps the pipe open.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    const int wait_ms = static_cast<int>(std::clamp<long long>(left.count(), 0, 50));
    pollfd p{out[0], POLLIN, 0};
    if (::poll(open ? &p : nullptr, open ? 1 : 0, wait_ms) > 0 && open) {
      open = ReadAvailable(out[0], capture);
    }
    pid_t done;
    do {
      done = ::waitpid(pid, &status, WNOHANG);
    } while (done < 0 && errno == EINTR);
    if (done == pid) {
      if (open) ReadAvailable(out[0], capture);
      break;
    }
    if (Steady::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      timed_out = true;
      break;
    }
  }
  ::close(out[0]);
  outcome.output = capture.Done();
  if (timed_out) {
    outcome.summary = name + ": timed out after " + std::to_string(options_.timeout.count()) +
                      " ms, killed";
    return outcome;
  }
  outcome.delivered = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  outcome.summary = name + ": " + DescribeWait(status);
  return outcome;
}

}  // namespace slussen::adapters::letter
