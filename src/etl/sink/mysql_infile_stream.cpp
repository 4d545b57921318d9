#include "etl/sink/mysql_infile_stream.h"

#include <errmsg.h>
#include <mysql.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstring>

namespace sluice::etl::internal {

InfileStream::InfileStream(MysqlConnection& connection, std::string statement, size_t queue_chunks)
    : connection_(connection), statement_(std::move(statement)), capacity_(queue_chunks ? queue_chunks : 1) {}

InfileStream::~InfileStream() { cancel(); }

void InfileStream::start() {
  mysql_set_local_infile_handler(connection_.handle(), &on_init, &on_read, &on_end, &on_error, this);
  thread_ = std::thread([this] { run(); });
}

void InfileStream::run() {
  common::Status status;
  const bool failed = mysql_real_query(connection_.handle(), statement_.data(), statement_.size()) != 0;
  connection_.refuse_local_infile();
  if (failed) {
    status = connection_.last_error("loading rows (LOAD DATA LOCAL INFILE) failed");
  } else if (connection_.warning_count() > 0) {
    // With LOCAL the server turns bad values into warnings and stores something else: refuse the load.
    status = common::invalid_input(connection_.label() + ": the server changed or refused values while " +
                                   "loading: " + connection_.warnings_text());
  }
  std::lock_guard lock(mu_);
  result_ = status;
  done_ = true;
  // A producer blocked on a full queue must learn that nobody will read it any more.
  closed_ = true;
  changed_.notify_all();
}

int InfileStream::on_init(void** state, const char*, void* self) {
  *state = self;
  return 0;
}

int InfileStream::on_read(void* self, char* buffer, unsigned int length) {
  auto* stream = static_cast<InfileStream*>(self);
  if (stream->sent_ == stream->current_.size()) {
    std::unique_lock lock(stream->mu_);
    stream->changed_.wait(lock,
                          [&] { return stream->cancelled_ || stream->closed_ || !stream->chunks_.empty(); });
    if (stream->cancelled_) return -1;
    if (stream->chunks_.empty()) return 0;  // closed and drained: the end of the data
    stream->current_ = std::move(stream->chunks_.front());
    stream->chunks_.pop_front();
    stream->sent_ = 0;
    stream->changed_.notify_all();
  }
  const size_t n = std::min<size_t>(length, stream->current_.size() - stream->sent_);
  std::memcpy(buffer, stream->current_.data() + stream->sent_, n);
  stream->sent_ += n;
  return static_cast<int>(n);
}

void InfileStream::on_end(void*) {}

int InfileStream::on_error(void*, char* message, unsigned int length) {
  std::snprintf(message, length, "the load was cancelled");
  return CR_UNKNOWN_ERROR;
}

template <typename Ready>
void InfileStream::wait_watching(std::unique_lock<std::mutex>& lock, Ready ready) {
  while (!changed_.wait_for(lock, std::chrono::milliseconds(100), ready)) {
    // While rows stream, the server sends nothing until the end of the data: a hang-up is the only news.
    pollfd p{static_cast<int>(mysql_get_socket(connection_.handle())), POLLRDHUP, 0};
    if (p.fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
      shutdown(p.fd, SHUT_RDWR);
    }
  }
}

common::Status InfileStream::push(std::string chunk) {
  std::unique_lock lock(mu_);
  wait_watching(lock, [&] { return done_ || closed_ || chunks_.size() < capacity_; });
  if (done_) {
    return result_.is_ok() ? common::internal_error(connection_.label() + ": the load ended before its data")
                           : result_;
  }
  if (closed_) return common::internal_error(connection_.label() + ": rows written after the load ended");
  chunks_.push_back(std::move(chunk));
  changed_.notify_all();
  return {};
}

common::Status InfileStream::finish() {
  std::unique_lock lock(mu_);
  closed_ = true;
  changed_.notify_all();
  if (thread_.joinable()) {
    wait_watching(lock, [&] { return done_; });
    lock.unlock();
    thread_.join();
    lock.lock();
  }
  return done_ ? result_ : common::internal_error(connection_.label() + ": the load never started");
}

void InfileStream::cancel() {
  std::unique_lock lock(mu_);
  if (!done_) cancelled_ = true;
  closed_ = true;
  changed_.notify_all();
  if (thread_.joinable()) {
    wait_watching(lock, [&] { return done_; });
    lock.unlock();
    thread_.join();
  }
}

}  // namespace sluice::etl::internal
