#include "serve/api/pixel_budget.h"

namespace sluice::serve::api {

std::optional<PixelBudget::Reservation> PixelBudget::acquire(int64_t pixels,
                                                             std::chrono::steady_clock::time_point until) {
  if (pixels <= 0) return Reservation(this, 0);
  std::unique_lock lock(mu_);
  auto fits = [&] { return in_use_ == 0 || pixels <= capacity_ - in_use_; };
  if (!freed_.wait_until(lock, until, fits)) return std::nullopt;
  in_use_ += pixels;
  return Reservation(this, pixels);
}

int64_t PixelBudget::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

void PixelBudget::release(int64_t pixels) {
  if (pixels <= 0) return;
  {
    std::lock_guard lock(mu_);
    in_use_ -= pixels;
  }
  freed_.notify_all();
}

}  // namespace sluice::serve::api
