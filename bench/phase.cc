#include "phase.h"

#include <unistd.h>

#include <algorithm>

#include "event_ids.h"
#include "payload.h"
#include "proc_stats.h"
#include "send_log.h"
#include "sut.h"

namespace slussen::bench {

uint64_t CountLost(const std::vector<uint8_t>& accepted_seq,
                   const std::vector<DestinationDelivery>& deliveries, int run_index) {
  uint64_t lost = 0;
  for (const auto& d : deliveries) {
    const auto& seen = d.runs[static_cast<std::size_t>(run_index)].seen;
    for (std::size_t seq = 0; seq < accepted_seq.size(); ++seq) {
      if (accepted_seq[seq] && (seq >= seen.size() || !seen[seq])) ++lost;
    }
  }
  return lost;
}

PhaseResult RunPhase(Sut& sut, const PayloadFactory& payloads, const PhaseSpec& spec) {
  PhaseResult result;
  result.label = spec.label;
  result.rate = spec.rate;
  result.run = NewRun();
  SendLog log;

  std::unique_ptr<LoadReceivers> receivers;
  int run_index = 0;
  if (spec.receive) {
    ReceivePlan rp;
    rp.url = sut.url();
    rp.addresses =
        spec.receive_addresses.empty() ? sut.receive_addresses() : spec.receive_addresses;
    rp.durable_terminus = sut.durable_termini();
    if (const auto login = sut.receiver_login()) {
      rp.user = login->user;
      rp.password = login->password;
    }
    receivers = std::make_unique<LoadReceivers>(rp);
    run_index = receivers->Track(result.run, &log);
    result.destinations = static_cast<int>(rp.addresses.size());
    std::string error;
    if (!receivers->Start(std::chrono::seconds(30), &error)) {
      result.error = "receivers: " + error;
      return result;
    }
  }

  const std::vector<SutProcess> processes = sut.processes();
  const std::vector<ProcSample> before = SampleProcesses(processes);
  const int64_t device_before = DeviceWrittenBytes(sut.data_dir());
  const ProcSample bench_before = SampleProcess(getpid());
  const int64_t t0 = NowUs();
  SendPlan sp;
  sp.url = sut.url();
  sp.address = sut.send_address();
  sp.durable_terminus = sut.durable_termini();
  if (const auto login = sut.sender_login()) {
    sp.user = login->user;
    sp.password = login->password;
  }
  sp.run = result.run;
  sp.count = spec.count;
  sp.seconds = spec.seconds;
  sp.rate = spec.rate;
  sp.window = spec.window;
  sp.sequential_ids = spec.sequential_ids;
  sp.payloads = &payloads;
  sp.log = &log;
  LoadSender sender(sp);
  sender.Start();
  // Wait for the sender as long as it makes progress.
  uint64_t last_accepted = 0;
  auto last_progress = std::chrono::steady_clock::now();
  while (!sender.Wait(std::chrono::milliseconds(200))) {
    const uint64_t a = sender.accepted();
    if (a != last_accepted) {
      last_accepted = a;
      last_progress = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_progress > spec.idle) {
      break;
    }
  }
  sender.Finish();
  const SendStats& st = sender.stats();
  result.sent = st.sent;
  result.accepted = st.accepted;
  result.rejected = st.rejected;
  result.released = st.released;
  result.accept_us = st.accept_us;
  if (st.last_accept_us > st.start_us && st.accepted > 0) {
    result.send_seconds = static_cast<double>(st.last_accept_us - st.start_us) / 1e6;
    result.in_per_s = static_cast<double>(st.accepted) / result.send_seconds;
  }
  std::string error = st.error;
  if (error.empty() && st.accepted < st.sent) error = "not every message was settled";

  if (receivers) {
    receivers->WaitFor(run_index, st.accepted, spec.idle, std::chrono::hours(24));
    const auto deliveries = receivers->deliveries();
    int64_t last = 0;
    for (const auto& d : deliveries) {
      const auto& rd = d.runs[static_cast<std::size_t>(run_index)];
      result.delivered += rd.unique;
      result.duplicates += rd.duplicates;
      result.foreign += d.foreign;
      result.latency_us.Add(rd.latency_us);
      last = std::max(last, rd.last_us);
    }
    if (last > st.start_us) {
      result.out_per_s =
          static_cast<double>(result.delivered) / (static_cast<double>(last - st.start_us) / 1e6);
    }
    result.lost = CountLost(st.accepted_seq, deliveries, run_index);
    if (error.empty() && !receivers->error().empty()) error = "receivers: " + receivers->error();
    if (error.empty() && result.lost > 0)
      error = std::to_string(result.lost) + " deliveries missing";
  }
  const std::vector<ProcSample> after = SampleProcesses(processes);
  const int64_t device_after = DeviceWrittenBytes(sut.data_dir());
  if (device_before >= 0 && device_after >= device_before) {
    result.device_write_bytes = device_after - device_before;
  }
  const ProcSample bench_after = SampleProcess(getpid());
  const int64_t t1 = NowUs();
  if (receivers) receivers->Finish();
  const auto sampled = [](const ProcSample& s) { return s.ok; };
  if (std::all_of(before.begin(), before.end(), sampled) &&
      std::all_of(after.begin(), after.end(), sampled)) {
    for (std::size_t i = 0; i < processes.size(); ++i) {
      const ProcessUsage usage{.role = processes[i].role,
                               .cpu_us = after[i].cpu_us - before[i].cpu_us,
                               .write_bytes = after[i].write_bytes - before[i].write_bytes,
                               .hwm_kb = after[i].hwm_kb};
      result.sut_processes.push_back(usage);
      result.sut_cpu_us += usage.cpu_us;
      result.sut_rss_kb += after[i].rss_kb;
      result.sut_hwm_kb += after[i].hwm_kb;
      result.sut_write_bytes += usage.write_bytes;
      result.sut_write_calls += after[i].write_calls - before[i].write_calls;
    }
    result.sut_cpu_cores = static_cast<double>(result.sut_cpu_us) / static_cast<double>(t1 - t0);
    result.bench_cpu_cores = static_cast<double>(bench_after.cpu_us - bench_before.cpu_us) /
                             static_cast<double>(t1 - t0);
  }
  result.error = error;  // a rejection's reason is in st.error
  result.ok = error.empty();
  return result;
}

}  // namespace slussen::bench
