#include "store/journal/batch_codec.h"

#include <cstdlib>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include "common/hex.h"

namespace slussen {
namespace {

// A hash or patient key, which the records hold as 64 hex digits: written as the 32 bytes they
// spell (version 2), a third of an audit row's encoding.
template <class S>
struct DigestField {
  S& s;
};
template <class S>
DigestField<S> AsDigest(S& s) {
  return {s};
}

// Each record's fields, listed once for both directions: `f` is an Encoder or a Decoder, `r` a
// const or a mutable record. A field missing here would be lost on replay, hence the size checks:
// a new field changes the size, and the build fails until it is listed and the version bumped.
static_assert(sizeof(EventRecord) == 264, "EventRecord changed: list the field below, bump kBatchCodecVersion");
static_assert(sizeof(DeadLetterRecord) == 208, "DeadLetterRecord changed: list it, bump the version");
static_assert(sizeof(DeliveryMark) == 16, "DeliveryMark changed: list it, bump the version");
static_assert(sizeof(FailedAttempt) == 336, "FailedAttempt changed: list it, bump the version");
static_assert(sizeof(ReceiptMark) == 104, "ReceiptMark changed: list it, bump the version");
static_assert(sizeof(ReceiptTimeout) == 184, "ReceiptTimeout changed: list it, bump the version");
static_assert(sizeof(OperatorActionRecord) == 208, "OperatorActionRecord changed: list it, bump the version");
static_assert(sizeof(CaseRecord) == 232, "CaseRecord changed: list it, bump the version");
static_assert(sizeof(DeadlineRecord) == 112, "DeadlineRecord changed: list it, bump the version");
static_assert(sizeof(AuditRecord) == 336, "AuditRecord changed: list it, bump the version");
static_assert(sizeof(PurgeWork) == 104, "PurgeWork changed: list it, bump the version");
static_assert(sizeof(WriteBatch) == 344, "WriteBatch changed: list it, bump the version");

template <class F, class R>
void Fields(F& f, R& e) requires std::is_same_v<std::remove_const_t<R>, EventRecord> {
  f(e.event_id), f(e.kind), f(e.case_id), f(e.sender_hsa_id), f(e.schema_version),
      f(e.occurred_at_us), f(e.received_at_us), f(e.body), f(e.destinations),
      f(e.receipt_due_at_us), f(AsDigest(e.patient_key));
}
template <class F, class R>
void Fields(F& f, R& d) requires std::is_same_v<std::remove_const_t<R>, DeadLetterRecord> {
  f(d.received_at_us), f(d.address), f(d.event_id), f(d.reasons), f(d.sender), f(d.reason_key),
      f(d.body), f(d.body_truncated);
}
template <class F, class R>
void Fields(F& f, R& m) requires std::is_same_v<std::remove_const_t<R>, DeliveryMark> {
  f(m.seq), f(m.at_us);
}
template <class F, class R>
void Fields(F& f, R& a) requires std::is_same_v<std::remove_const_t<R>, FailedAttempt> {
  f(a.seq), f(a.attempt), f(a.at_us), f(a.outcome), f(a.condition), f(a.description),
      f(a.next_attempt_at_us), f(a.dead), f(a.reason), f(a.destination), f(a.event_id),
      f(a.case_id), f(a.fallback_to), f(a.fallback_cause), f(a.withdraws_delivery);
}
template <class F, class R>
void Fields(F& f, R& r) requires std::is_same_v<std::remove_const_t<R>, ReceiptMark> {
  f(r.event_id), f(r.destination), f(r.at_us), f(r.receipt_event_id);
}
template <class F, class R>
void Fields(F& f, R& t) requires std::is_same_v<std::remove_const_t<R>, ReceiptTimeout> {
  f(t.seq), f(t.destination), f(t.at_us), f(t.postpone_to_us), f(t.event_id), f(t.case_id),
      f(t.fallback_to), f(t.cause);
}
template <class F, class R>
void Fields(F& f, R& a) requires std::is_same_v<std::remove_const_t<R>, OperatorActionRecord> {
  f(a.action), f(a.at_us), f(a.destination), f(a.seq), f(a.event_id), f(a.case_id),
      f(a.operator_id), f(a.reason);
}
template <class F, class R>
void Fields(F& f, R& c) requires std::is_same_v<std::remove_const_t<R>, CaseRecord> {
  f(c.case_id), f(c.kommunkod), f(c.status), f(c.updated_at_us), f(c.liable), f(c.provisional),
      f(c.liability_days), f(c.liability_amount_kr), f(c.notes), f(c.next_evaluation_at_us),
      f(c.paying_kommunkod), f(c.track);
}
template <class F, class R>
void Fields(F& f, R& d) requires std::is_same_v<std::remove_const_t<R>, DeadlineRecord> {
  f(d.deadline_id), f(d.rule), f(d.due_at_us), f(d.state), f(d.met_at_us);
}
template <class F, class R>
void Fields(F& f, R& c) requires std::is_same_v<std::remove_const_t<R>, CaseUpdate> {
  f(c.record), f(c.deadlines);
}
template <class F, class R>
void Fields(F& f, R& a) requires std::is_same_v<std::remove_const_t<R>, AuditRecord> {
  f(a.seq), f(a.at_us), f(a.actor_kind), f(a.actor), f(a.organisation), f(a.action),
      f(a.case_id), f(AsDigest(a.patient_key)), f(a.what), f(a.ref), f(AsDigest(a.prev_hash)),
      f(AsDigest(a.hash));
}
template <class F, class R>
void Fields(F& f, R& h) requires std::is_same_v<std::remove_const_t<R>, AuditHead> {
  f(h.seq), f(AsDigest(h.hash));
}
template <class F, class R>
void Fields(F& f, R& p) requires std::is_same_v<std::remove_const_t<R>, PurgeWork> {
  f(p.cases), f(p.dead_letters), f(p.audit_through), f(p.first_audit_seq);
}
template <class F, class R>
void Fields(F& f, R& b) requires std::is_same_v<std::remove_const_t<R>, WriteBatch> {
  f(b.events), f(b.dead_letters), f(b.delivered), f(b.failed_attempts), f(b.receipts),
      f(b.receipt_timeouts), f(b.actions), f(b.cases), f(b.audit), f(b.audit_sealed), f(b.purge);
}

// Writes the encoding into a buffer or, counting, only adds up its size: EncodeBatch sizes a
// record first, so that its string is allocated once (grown by doubling, it copied the batch so
// far at each step: 3 % of the core thread at full load) and written through a pointer (a
// push_back per byte, with its capacity check, was 3.6 % of the core thread at full load).
template <bool kCounting>
class BasicEncoder {
 public:
  BasicEncoder() requires kCounting = default;
  explicit BasicEncoder(char* out) requires(!kCounting) : at_(out) {}
  std::size_t size() const { return size_; }
  const char* end() const { return at_; }

  void operator()(uint64_t v) {
    while (v >= 0x80) {
      Put(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    Put(static_cast<char>(v));
  }
  void operator()(int64_t v) {
    (*this)((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void operator()(int v) { (*this)(static_cast<int64_t>(v)); }
  void operator()(uint32_t v) { (*this)(static_cast<uint64_t>(v)); }
  void operator()(bool v) { Put(v ? 1 : 0); }
  void operator()(const std::string& s) {
    (*this)(static_cast<uint64_t>(s.size()));
    Append(s);
  }
  // The length shifted left by one, its low bit set when the bytes are packed hex. Counted as
  // text, which is never shorter; written packed unless the decoding finds it is not hex, so
  // that each digest is read once (checking first, then decoding, read the hashes of every
  // event twice more: 2.6 % of the core thread at full load).
  void operator()(DigestField<const std::string> d) {
    if constexpr (!kCounting) {
      char* const start = at_;
      const std::size_t n = d.s.size() / 2;
      (*this)((static_cast<uint64_t>(n) << 1) | 1);
      if (DecodeLowerHex(d.s, at_)) return Advance(n);
      at_ = start;
    }
    (*this)(static_cast<uint64_t>(d.s.size()) << 1);
    Append(d.s);
  }
  template <class T>
  void operator()(const std::vector<T>& items) {
    (*this)(static_cast<uint64_t>(items.size()));
    for (const auto& item : items) (*this)(item);
  }
  template <class T>
  void operator()(const std::optional<T>& item) {
    (*this)(item.has_value());
    if (item) (*this)(*item);
  }
  template <class T>
  void operator()(const T& record) requires std::is_class_v<T> {
    Fields(*this, record);
  }

 private:
  void Append(const std::string& s) {
    if constexpr (!kCounting) std::memcpy(at_, s.data(), s.size());
    Advance(s.size());
  }
  void Put(char c) {
    if constexpr (!kCounting) *at_ = c;
    Advance(1);
  }
  void Advance(std::size_t n) {
    if constexpr (kCounting) {
      size_ += n;
    } else {
      at_ += n;
    }
  }

  char* at_ = nullptr;
  std::size_t size_ = 0;
};
using Encoder = BasicEncoder<false>;
using Sizer = BasicEncoder<true>;

class Decoder {
 public:
  Decoder(std::string_view in, uint8_t version) : in_(in), version_(version) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

  void operator()(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!ok_ || pos_ >= in_.size()) return Bad();
      const auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return;
    }
    Bad();
  }
  void operator()(int64_t& v) {
    uint64_t u = 0;
    (*this)(u);
    v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  void operator()(int& v) {
    int64_t wide = 0;
    (*this)(wide);
    v = static_cast<int>(wide);
    if (v != wide) Bad();
  }
  void operator()(uint32_t& v) {
    uint64_t wide = 0;
    (*this)(wide);
    v = static_cast<uint32_t>(wide);
    if (v != wide) Bad();
  }
  void operator()(bool& v) {
    if (!ok_ || pos_ >= in_.size()) return Bad();
    const char c = in_[pos_++];
    if (c != 0 && c != 1) return Bad();
    v = c == 1;
  }
  void operator()(std::string& s) {
    uint64_t n = 0;
    (*this)(n);
    if (!ok_ || n > in_.size() - pos_) return Bad();
    s.assign(in_.substr(pos_, n));
    pos_ += n;
  }
  void operator()(DigestField<std::string> d) {
    if (version_ < 2) return (*this)(d.s);  // plain strings
    uint64_t tagged = 0;
    (*this)(tagged);
    const uint64_t n = tagged >> 1;
    if (!ok_ || n > in_.size() - pos_) return Bad();
    const std::string_view bytes = in_.substr(pos_, n);
    pos_ += n;
    if (tagged & 1) {
      if (n == 0) return Bad();  // the encoder packs only non-empty hex
      d.s = LowerHex(bytes);
    } else {
      d.s.assign(bytes);
    }
  }
  template <class T>
  void operator()(std::vector<T>& items) {
    uint64_t n = 0;
    (*this)(n);
    // Every item takes at least one byte: a count beyond what is left is damage, not a size to
    // allocate.
    if (!ok_ || n > in_.size() - pos_) return Bad();
    items.resize(n);
    for (auto& item : items) {
      if (!ok_) return;
      (*this)(item);
    }
  }
  template <class T>
  void operator()(std::optional<T>& item) {
    bool present = false;
    (*this)(present);
    if (!ok_ || !present) return;
    item.emplace();
    (*this)(*item);
  }
  template <class T>
  void operator()(T& record) requires std::is_class_v<T> {
    if (ok_) Fields(*this, record);
  }

 private:
  void Bad() { ok_ = false; }

  std::string_view in_;
  uint8_t version_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string EncodeBatch(const WriteBatch& batch) {
  Sizer sizer;  // an upper bound: digests counted as text
  sizer(batch);
  std::string out(1 + sizer.size(), '\0');
  out[0] = static_cast<char>(kBatchCodecVersion);
  Encoder enc(out.data() + 1);
  enc(batch);
  // Both passes walk the same fields; beyond the bound would be a bug that wrote past the buffer.
  if (enc.end() > out.data() + out.size()) std::abort();
  out.resize(static_cast<std::size_t>(enc.end() - out.data()));
  return out;
}

Result<WriteBatch> DecodeBatch(std::string_view bytes) {
  // Version 1 differs only in writing digests as hex: a journal left by the build before is
  // still replayed.
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) < 1 ||
      static_cast<uint8_t>(bytes[0]) > kBatchCodecVersion) {
    return Error{"journal record of an unknown format version " +
                     (bytes.empty() ? std::string("(empty)")
                                    : std::to_string(static_cast<uint8_t>(bytes[0]))) +
                     " (this build writes " + std::to_string(kBatchCodecVersion) + ")",
                 ErrorCode::kCorruption};
  }
  WriteBatch batch;
  Decoder dec(bytes.substr(1), static_cast<uint8_t>(bytes[0]));
  dec(batch);
  if (!dec.ok() || !dec.at_end()) {
    return Error{"journal record is not a whole write batch", ErrorCode::kCorruption};
  }
  return batch;
}

}  // namespace slussen
