#include "serve/http/server.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "serve/http/framing.h"
#include "serve/http/method_label.h"
#include "serve/http/request_id.h"

namespace sluice::serve::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
void log_event(const char* level, const std::string& message) {
  nlohmann::json line = {{"level", level}, {"message", message}};
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

// After an answer that closes the connection, how long and how much the client may still send (the rest of
// a refused body) before the socket is closed; see Session::close_gracefully.
constexpr auto kLingerTime = std::chrono::milliseconds(2000);
constexpr size_t kLingerBytes = 1024 * 1024;
constexpr size_t kDiscardChunk = 16 * 1024;
// The read buffer holds at most the request head or one chunk-size line (with its extensions) or the
// trailer, plus one read's worth of body bytes; Beast's parser needs such a line whole before it can parse
// it, so without this cap one endless chunk extension grows the buffer without bound.
constexpr size_t kReadSlack = 64 * 1024;
}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server& server)
      : stream_(std::move(socket)),
        idle_timer_(stream_.get_executor()),
        read_timer_(stream_.get_executor()),
        buffer_(server.options_.max_header_bytes + kReadSlack),
        server_(server) {
    on_chunk_header_ = [this](uint64_t, std::string_view extensions, beast::error_code& ec) {
      chunk_extension_bytes_ += extensions.size();
      if (chunk_extension_bytes_ > server_.options_.head_limits.max_chunk_extension_bytes) {
        chunk_extensions_too_long_ = true;
        ec = bhttp::error::bad_chunk_extension;
      }
    };
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_idle(); });
  }

  // Called on drain from any thread: closes the connection when it waits for a request.
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->close();
    });
  }

  ~Session() { server_.connections_--; }

  void deliver(Response response, std::chrono::steady_clock::time_point started, std::string request_id,
               std::string method, std::string target) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), response = std::move(response), started,
                                        request_id = std::move(request_id), method = std::move(method),
                                        target = std::move(target)]() mutable {
      self->write(std::move(response), started, std::move(request_id), std::move(method), std::move(target));
    });
  }

 private:
  void wait_idle() {
    if (server_.draining()) return close();
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already buffered
    idle_ = true;
    idle_timer_.expires_after(server_.options_.idle_timeout);
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->idle_) self->close();
    });
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
      self->idle_ = false;
      self->idle_timer_.cancel();
      if (ec) return self->close();
      self->read_header();
    });
  }

  // Read deadlines use their own timer rather than the stream's: when a tcp_stream's deadline passes it
  // closes the socket, and the documented 408 could no longer be written. This timer only cancels the read.
  void start_read_deadline(std::chrono::milliseconds timeout) {
    stream_.expires_never();
    read_timed_out_ = false;
    deadline_armed_ = true;
    read_timer_.expires_after(timeout);
    read_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || !self->deadline_armed_) return;
      self->read_timed_out_ = true;
      beast::error_code cancel_ec;
      self->stream_.socket().cancel(cancel_ec);
    });
  }

  void stop_read_deadline() {
    deadline_armed_ = false;
    read_timer_.cancel();
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options_.max_header_bytes));
    parser_->body_limit(server_.options_.max_body_bytes);
    parser_->on_chunk_header(on_chunk_header_);
    chunk_extension_bytes_ = 0;
    chunk_extensions_too_long_ = false;
    start_read_deadline(server_.options_.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    stop_read_deadline();
    if (ec) return on_read_error(ec);
    auto& req = parser_->get();
    if (auto refusal = check_request_head(req, server_.options_.head_limits)) {
      return reply_and_close(refusal->status, refusal->code.c_str(), refusal->message);
    }
    header_fields_ = static_cast<size_t>(std::distance(req.begin(), req.end()));
    if (server_.draining()) keep_alive_ = false;
    if (bhttp::token_list{req[bhttp::field::expect]}.exists("100-continue")) {
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      stream_.expires_after(server_.options_.write_timeout);
      bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    start_read_deadline(server_.options_.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
      std::string what =
          ec == bhttp::error::body_limit
              ? "request body exceeds " + std::to_string(server_.options_.max_body_bytes) + " bytes"
              : "request head exceeds " + std::to_string(server_.options_.max_header_bytes) + " bytes";
      return reply_and_close(413, "payload_too_large", what);
    }
    if (chunk_extensions_too_long_) {
      return reply_and_close(400, "bad_request",
                             "chunk extensions exceed " +
                                 std::to_string(server_.options_.head_limits.max_chunk_extension_bytes) +
                                 " bytes");
    }
    if (ec == bhttp::error::buffer_overflow) {
      bool in_head = parser_ && !parser_->is_header_done();
      return reply_and_close(in_head ? 413 : 400, in_head ? "payload_too_large" : "bad_request",
                             std::string(in_head ? "request head" : "a chunk-size line or the trailer") +
                                 " exceeds " + std::to_string(buffer_.max_size()) + " bytes");
    }
    if (read_timed_out_ || ec == beast::error::timeout) {
      return reply_and_close(408, "request_timeout", "the request did not arrive in time");
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted) {
      return close();
    }
    reply_and_close(400, "bad_request", "malformed HTTP request: " + ec.message());
  }

  void reply_and_close(unsigned status, const char* code, const std::string& message) {
    keep_alive_ = false;
    nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
    server_.in_flight_++;
    std::string method = parser_ ? method_label(parser_->get().method()) : "other";
    method_text_ = parser_ ? std::string(parser_->get().method_string().substr(0, 32)) : "";
    std::string target = parser_ ? std::string(parser_->get().target()) : "";
    write(json_response(status, body.dump()), std::chrono::steady_clock::now(), generate_request_id(), method,
          target);
  }

  void on_read(beast::error_code ec) {
    stop_read_deadline();
    if (ec) return on_read_error(ec);
    Request req = parser_->release();
    parser_.reset();
    // Trailer fields land among the header fields; a proxy may not have vetted them (Authorization,
    // X-Request-Id, …), so they are dropped (RFC 9110 §6.5.1 lets a recipient discard them).
    if (auto it = std::next(req.begin(), static_cast<std::ptrdiff_t>(header_fields_)); it != req.end()) {
      while (it != req.end()) it = req.erase(it);
    }
    keep_alive_ = keep_alive_ && req.keep_alive() && !server_.draining();
    server_.in_flight_++;
    auto started = std::chrono::steady_clock::now();
    std::string request_id = accept_or_generate_request_id(req["X-Request-Id"]);
    std::string method = method_label(req.method());
    method_text_ = std::string(req.method_string().substr(0, 32));
    std::string target(req.target());
    auto responder =
        std::make_shared<SessionResponder>(shared_from_this(), started, request_id, method, target);
    try {
      server_.handler_(std::move(req), responder);
    } catch (const std::exception& e) {
      nlohmann::json body = {{"error", {{"code", "internal"}, {"message", e.what()}}}};
      responder->send(json_response(500, body.dump()));
    }
  }

  void write(Response response, std::chrono::steady_clock::time_point started, std::string request_id,
             std::string method, std::string target) {
    if (server_.draining()) keep_alive_ = false;
    response.set(bhttp::field::server, "sluice-serve");
    response.set("X-Request-Id", request_id);
    response.keep_alive(keep_alive_);
    response.prepare_payload();
    auto res = std::make_shared<Response>(std::move(response));
    stream_.expires_after(server_.options_.write_timeout);
    bhttp::async_write(
        stream_, *res,
        [self = shared_from_this(), res, started, request_id = std::move(request_id),
         method = std::move(method), target = std::move(target)](beast::error_code ec, size_t bytes) {
          self->server_.in_flight_--;
          ExchangeRecord record{
              request_id,
              method,
              target,
              self->remote_,
              res->result_int(),
              bytes,
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count()};
          self->record(record);
          if (ec) return self->close();
          if (!self->keep_alive_) return self->close_gracefully();
          self->wait_idle();
        });
  }

  void record(const ExchangeRecord& r) {
    if (server_.observer_) server_.observer_(r);
    if (!server_.options_.access_log) return;
    nlohmann::json line = {{"ts", iso8601_now()},       {"request_id", r.request_id}, {"remote", r.remote},
                           {"method", method_text_},    {"target", r.target},         {"status", r.status},
                           {"bytes", r.response_bytes}, {"ms", r.duration_ms}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }

  // Closing a socket whose receive queue still holds bytes (the rest of a refused body) makes the kernel
  // send a reset, which can destroy the answer before the client has read it. So: half-close, then read and
  // discard what still comes, for at most kLingerTime and kLingerBytes, then close.
  void close_gracefully() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    discard_ = std::make_unique<char[]>(kDiscardChunk);
    stream_.expires_after(kLingerTime);
    discard_rest(0);
  }

  void discard_rest(size_t discarded) {
    stream_.async_read_some(asio::buffer(discard_.get(), kDiscardChunk),
                            [self = shared_from_this(), discarded](beast::error_code ec, size_t n) {
                              if (ec || discarded + n > kLingerBytes) return self->close();
                              self->discard_rest(discarded + n);
                            });
  }

  void close() {
    idle_ = false;
    beast::error_code ec;
    idle_timer_.cancel();
    stop_read_deadline();
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  class SessionResponder : public Responder {
   public:
    SessionResponder(std::shared_ptr<Session> session, std::chrono::steady_clock::time_point started,
                     std::string request_id, std::string method, std::string target)
        : session_(std::move(session)),
          started_(started),
          request_id_(std::move(request_id)),
          method_(std::move(method)),
          target_(std::move(target)) {}
    void send(Response response) override {
      if (sent_.exchange(true)) return;
      session_->deliver(std::move(response), started_, request_id_, method_, target_);
      session_.reset();
    }
    const std::string& request_id() const override { return request_id_; }
    ~SessionResponder() override {
      // A handler that dropped its responder without answering still owes the client a response.
      if (!sent_.load()) {
        nlohmann::json body = {
            {"error", {{"code", "internal"}, {"message", "the request was not answered"}}}};
        send(json_response(500, body.dump()));
      }
    }

   private:
    std::shared_ptr<Session> session_;
    std::chrono::steady_clock::time_point started_;
    std::string request_id_, method_, target_;
    std::atomic<bool> sent_{false};
  };

  beast::tcp_stream stream_;
  asio::steady_timer idle_timer_;
  asio::steady_timer read_timer_;  // the head or body deadline
  bool deadline_armed_ = false;
  bool read_timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server& server_;
  std::string remote_;
  bool idle_ = false;
  bool keep_alive_ = true;
  std::unique_ptr<char[]> discard_;  // only while closing gracefully
  std::function<void(uint64_t, std::string_view, beast::error_code&)> on_chunk_header_;
  size_t chunk_extension_bytes_ = 0;  // in the current request, over all its chunks
  bool chunk_extensions_too_long_ = false;
  std::string method_text_;   // as the client sent it (≤ 32 bytes), for the access log only
  size_t header_fields_ = 0;  // fields in the head; more after the body are trailer fields
};

Server::Server(ServerOptions options, Handler handler, ExchangeObserver observer)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      observer_(std::move(observer)),
      work_guard_(asio::make_work_guard(ioc_)),
      acceptor_(asio::make_strand(ioc_)),
      accept_timer_(acceptor_.get_executor()) {}

Server::~Server() { stop(); }

common::Status Server::start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return common::invalid_argument("--address: '" + options_.address + "' is not an IP address");
  tcp::endpoint endpoint(address, options_.port);
  std::string where = options_.address + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return common::unavailable("cannot listen on " + where + ": " + ec.message());
  bound_port_ = acceptor_.local_endpoint().port();
  accept_next();
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) threads_.emplace_back([this] { ioc_.run(); });
  return common::Status::ok();
}

void Server::accept_next() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || draining_) return;
    if (ec) return on_accept_error(ec);
    if (accept_paused_) {
      accept_paused_ = false;
      log_event("info", "accepting connections again");
    }
    connections_++;
    auto session = std::make_shared<Session>(std::move(socket), *this);
    {
      std::lock_guard lock(sessions_mu_);
      sessions_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
      sessions_.push_back(session);
    }
    session->start();
    accept_next();
  });
}

// Without descriptors accept() fails at once, again and again, while the connection waits in the backlog:
// retrying at once would spin a core and starve the sessions on this thread. So pause, then retry.
void Server::on_accept_error(const beast::error_code& ec) {
  bool fd_limit = ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
                  ec == asio::error::no_memory || ec.value() == ENFILE;
  if (options_.accept_errors != nullptr)
    options_.accept_errors->inc({{"reason", fd_limit ? "fd_limit" : "other"}});
  if (!fd_limit) return accept_next();  // e.g. a connection reset before it was accepted
  if (!accept_paused_) {
    accept_paused_ = true;
    log_event("warning", "cannot accept connections: " + ec.message() + "; retrying every " +
                             std::to_string(options_.accept_backoff.count()) +
                             " ms while existing connections are served");
  }
  accept_timer_.expires_after(options_.accept_backoff);
  accept_timer_.async_wait([this](beast::error_code tec) {
    if (tec || draining_) return;
    accept_next();
  });
}

bool Server::drain(std::chrono::milliseconds timeout) {
  draining_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    accept_timer_.cancel();
    acceptor_.close(ec);
  });
  {
    std::lock_guard lock(sessions_mu_);
    for (auto& weak : sessions_) {
      if (auto s = weak.lock()) s->close_if_idle();
    }
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (connections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return connections_.load() == 0;
}

void Server::stop() {
  if (stopped_.exchange(true)) return;
  work_guard_.reset();
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

Response json_response(unsigned status, std::string body) {
  return text_response(status, std::move(body), "application/json");
}

Response text_response(unsigned status, std::string body, const char* content_type) {
  Response res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

}  // namespace sluice::serve::http
