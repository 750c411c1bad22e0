#include "journal_peer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <proton/connection.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/duration.hpp>
#include <proton/listen_handler.hpp>
#include <proton/listener.hpp>
#include <proton/message.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/target.hpp>
#include <proton/target_options.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>
#include <thread>
#include <vector>

#include "peer_fan_out.h"

namespace slussen::bench {
namespace {

uint64_t Fnv1a(const char* p, std::size_t n, uint64_t h = 14695981039346656037ULL) {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

template <typename T>
void Put(std::vector<char>& out, T v) {
  const auto* p = reinterpret_cast<const char*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

struct Record {
  uint64_t seq;
  Bytes body;
  std::shared_ptr<const std::vector<std::string>> destinations;
};

// The file's size, written full of zeros before the peer listens, as the hub reserves its own
// journal (sqlite_journal.h): appends overwrite allocated blocks, so an fdatasync has no inode
// to write. Reused from its start when a batch would pass the end, as the hub's is once its
// records are durable elsewhere.
constexpr off_t kReservedBytes = 64 << 20;

bool Reserve(int fd) {
  // A page per write, as the hub's (sqlite_journal.cc): a larger write is cached in a larger
  // folio, whose every later append would count whole in write_bytes.
  const std::vector<char> zeros(4096, 0);
  for (off_t at = 0; at < kReservedBytes; at += static_cast<off_t>(zeros.size())) {
    if (pwrite(fd, zeros.data(), zeros.size(), at) != static_cast<ssize_t>(zeros.size())) return false;
  }
  return fsync(fd) == 0;
}

// Owns the file. The Proton thread hands it records; it takes everything queued, writes it with
// one write, one fdatasync, and reports the last durable sequence number (or a failure) back.
class Writer {
 public:
  using Done = std::function<void(uint64_t last_seq, bool ok)>;
  Writer(int fd, Done done) : fd_(fd), done_(std::move(done)), thread_([this] { Run(); }) {}
  ~Writer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void Add(Record r) {
    {
      std::lock_guard lock(mu_);
      pending_.push_back(std::move(r));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    std::vector<Record> batch;
    std::vector<char> buf;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
        if (stop_) return;
        batch.swap(pending_);
      }
      buf.clear();
      for (const auto& r : batch) {
        // [u32 body length][u8 destination count]([u8 length][address])*[body][u64 FNV-1a]
        Put(buf, static_cast<uint32_t>(r.body->size()));
        Put(buf, static_cast<uint8_t>(r.destinations->size()));
        for (const auto& d : *r.destinations) {
          Put(buf, static_cast<uint8_t>(d.size()));
          buf.insert(buf.end(), d.begin(), d.end());
        }
        buf.insert(buf.end(), r.body->begin(), r.body->end());
        Put(buf, Fnv1a(r.body->data(), r.body->size()));
      }
      const bool ok = WriteAll(buf) && fdatasync(fd_) == 0;
      if (!ok) {
        std::cerr << "journal-peer: write or fdatasync failed: " << std::strerror(errno) << "\n";
      }
      done_(batch.back().seq, ok);
      batch.clear();
    }
  }
  bool WriteAll(const std::vector<char>& buf) {
    if (offset_ + static_cast<off_t>(buf.size()) > kReservedBytes) offset_ = 0;
    std::size_t off = 0;
    while (off < buf.size()) {
      const ssize_t n = pwrite(fd_, buf.data() + off, buf.size() - off, offset_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
      offset_ += n;
    }
    return true;
  }

  int fd_;
  off_t offset_ = 0;
  Done done_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Record> pending_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest is built
};

class JournalPeer : public proton::messaging_handler {
 public:
  explicit JournalPeer(int fd) : fd_(fd) {}

  void on_container_start(proton::container& c) override {
    // container::schedule is the one entry into the Proton thread that is safe from the writer.
    writer_ = std::make_unique<Writer>(fd_, [&c, this](uint64_t seq, bool ok) {
      c.schedule(proton::duration(0), [this, seq, ok] { Durable(seq, ok); });
    });
  }
  void on_container_stop(proton::container&) override { writer_.reset(); }

  void on_connection_open(proton::connection& c) override { c.open(); }

  void on_receiver_open(proton::receiver& r) override {
    r.open(proton::receiver_options().auto_accept(false).credit_window(1000).target(
        proton::target_options().address(r.target().address())));
  }

  void on_sender_open(proton::sender& s) override {
    s.open(proton::sender_options().source(proton::source_options().address(s.source().address())));
    consumers_.Add(s);
    RefreshDestinations();
  }

  void on_message(proton::delivery& d, proton::message& m) override {
    auto bytes = std::make_shared<std::vector<char>>();
    m.encode(*bytes);
    const uint64_t seq = next_seq_++;
    unsettled_.push_back({seq, d, bytes});
    writer_->Add({seq, bytes, destinations_});
  }

  void on_sendable(proton::sender& s) override { consumers_.OnSendable(s); }

  void on_sender_close(proton::sender& s) override {
    consumers_.Remove(s);
    RefreshDestinations();
  }

  void on_transport_close(proton::transport& t) override {
    const proton::connection c = t.connection();
    consumers_.RemoveConnection(c);
    // Still written by the writer; there is nobody left to settle them with.
    for (auto& u : unsettled_) {
      if (u.delivery.connection() == c) u.gone = true;
    }
    RefreshDestinations();
  }

  void on_error(const proton::error_condition& e) override {
    std::cerr << "journal-peer: " << e.what() << "\n";
  }

 private:
  struct Unsettled {
    uint64_t seq;
    proton::delivery delivery;
    Bytes bytes;
    bool gone = false;
  };

  // On the Proton thread, after the writer's sync up to `seq`: settle and forward in arrival
  // order. Settling happens outside the receiving connection's event, so that connection gets a
  // work item to wake it and write the dispositions out, as senders do for their flushes.
  void Durable(uint64_t seq, bool ok) {
    std::vector<proton::connection> woken;
    while (!unsettled_.empty() && unsettled_.front().seq <= seq) {
      Unsettled u = std::move(unsettled_.front());
      unsettled_.pop_front();
      if (u.gone) continue;
      if (!ok) {
        u.delivery.reject();
      } else {
        u.delivery.accept();
        consumers_.Forward(u.bytes);
      }
      const proton::connection c = u.delivery.connection();
      if (std::find(woken.begin(), woken.end(), c) == woken.end()) woken.push_back(c);
    }
    for (auto& c : woken) c.work_queue().add([] {});
  }

  void RefreshDestinations() {
    destinations_ = std::make_shared<const std::vector<std::string>>(consumers_.Addresses());
  }

  int fd_;
  std::unique_ptr<Writer> writer_;
  FanOut consumers_;
  std::deque<Unsettled> unsettled_;
  std::shared_ptr<const std::vector<std::string>> destinations_ =
      std::make_shared<std::vector<std::string>>();
  uint64_t next_seq_ = 0;
};

}  // namespace

int RunJournalPeer(const std::string& host, int port, const std::string& dir) {
  const std::string path = dir + "/journal.bin";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || !Reserve(fd)) {
    std::cerr << "journal-peer: cannot open and reserve " << path << ": " << std::strerror(errno)
              << "\n";
    return 1;
  }
  JournalPeer peer(fd);
  ReadyLine ready("journal-peer", host);
  proton::container container(peer, "slussen-bench-journal-peer");
  container.listen(host + ":" + std::to_string(port), ready);
  container.run();
  close(fd);
  return 0;
}

}  // namespace slussen::bench
