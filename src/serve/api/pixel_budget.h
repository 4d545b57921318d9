#pragma once
// A counting limit on decoded pixels held at once across requests, so that many large images arriving
// together cannot add up to more memory than one machine has: 8 concurrent 40-megapixel PNGs of 116 KB each
// took +2.2 GB. A request reserves the pixels its header declares before decoding and gives them back after.
//
// Thread-safe. A request larger than the whole budget is let through when nothing else holds any, so that it
// is never starved (the per-image --max-pixels still bounds it).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace sluice::serve::api {

class PixelBudget {
 public:
  explicit PixelBudget(int64_t capacity) : capacity_(capacity) {}

  // Gives its pixels back when destroyed.
  class Reservation {
   public:
    Reservation(PixelBudget* budget, int64_t pixels) : budget_(budget), pixels_(pixels) {}
    Reservation(Reservation&& other) noexcept : budget_(other.budget_), pixels_(other.pixels_) {
      other.budget_ = nullptr;
    }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    Reservation& operator=(Reservation&&) = delete;
    ~Reservation() {
      if (budget_ != nullptr) budget_->release(pixels_);
    }

   private:
    PixelBudget* budget_;
    int64_t pixels_;
  };

  // Waits until `pixels` fit (or nothing else is held) or `until` passes; nullopt when it passed.
  std::optional<Reservation> acquire(int64_t pixels, std::chrono::steady_clock::time_point until);
  int64_t capacity() const { return capacity_; }
  int64_t in_use() const;

 private:
  void release(int64_t pixels);
  const int64_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  int64_t in_use_ = 0;
};

}  // namespace sluice::serve::api
