#pragma once
// An asynchronous HTTP/1.1 server on Boost.Beast: idle keep-alive connections cost no thread, every read
// and write has its own deadline (a slow-loris client is cut off), header and body sizes are capped (413),
// `Expect: 100-continue` is honoured, and every request gets an id (`X-Request-Id` echoed when it is sane,
// generated otherwise) and one JSON access-log line.
//
// The application plugs in one Handler. A handler must not block: it answers through the Responder, from
// any thread, exactly once (later calls are ignored).
//
// Draining (SIGTERM): drain() stops accepting, closes idle keep-alive connections at once, lets in-flight
// requests finish (their connections then close), and returns when none are left or the timeout passes.
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "serve/http/framing.h"
#include "serve/observe/metrics.h"

namespace sluice::serve::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port (see Server::port())
  int io_threads = 1;
  std::chrono::milliseconds header_timeout{10'000};  // whole request head, from its first byte
  std::chrono::milliseconds body_timeout{30'000};    // whole body
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds idle_timeout{75'000};  // keep-alive connection with no request
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 25 * 1024 * 1024;
  HeadLimits head_limits;  // request-target length, header field count
  bool access_log = true;  // one JSON line per request on stdout
  // When accept() fails for want of descriptors (EMFILE/ENFILE/ENOBUFS/ENOMEM), accepting pauses this long
  // and retries, instead of spinning on the listening socket; existing connections are served meanwhile.
  std::chrono::milliseconds accept_backoff{100};
  // Counts failed accepts by reason (fd_limit, other); optional.
  observe::Counter* accept_errors = nullptr;
};

// What the access log and metrics need to know about one finished exchange.
struct ExchangeRecord {
  std::string request_id;
  std::string method;  // a label from a closed set (method_label.h): GET, POST, …, "other"
  std::string target;
  std::string remote;
  unsigned status = 0;
  size_t response_bytes = 0;
  double duration_ms = 0;
};

class Responder {
 public:
  virtual ~Responder() = default;
  // Thread-safe; the first call wins. Content-Length, X-Request-Id, Server and keep-alive are filled in.
  virtual void send(Response response) = 0;
  virtual const std::string& request_id() const = 0;
};

using Handler = std::function<void(Request request, std::shared_ptr<Responder> responder)>;
using ExchangeObserver = std::function<void(const ExchangeRecord&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler, ExchangeObserver observer = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, then runs io_threads threads. kUnavailable naming the address when binding fails.
  common::Status start();
  uint16_t port() const { return bound_port_; }
  size_t open_connections() const { return connections_.load(); }
  size_t in_flight() const { return in_flight_.load(); }
  bool draining() const { return draining_.load(); }

  // See the header comment. Returns true when every connection closed before `timeout`.
  bool drain(std::chrono::milliseconds timeout);
  // Stops the io threads (after drain, or at once). Idempotent.
  void stop();

  // Internal, for sessions.
  struct Internals;

 private:
  friend class Session;
  void accept_next();
  void on_accept_error(const boost::system::error_code& ec);
  ServerOptions options_;
  Handler handler_;
  ExchangeObserver observer_;
  boost::asio::io_context ioc_;
  // Keeps the io threads running while no socket operation is pending: after drain() closed the acceptor,
  // an in-flight request waits for the classifier with nothing queued in asio, and its response must still
  // be written.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_guard_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_timer_;  // the backoff after a failed accept; on the acceptor's strand
  bool accept_paused_ = false;              // between a descriptor shortage and the next accepted socket
  std::vector<std::thread> threads_;
  uint16_t bound_port_ = 0;
  std::atomic<size_t> connections_{0};
  std::atomic<size_t> in_flight_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};
  std::mutex sessions_mu_;
  std::list<std::weak_ptr<class Session>> sessions_;
};

// A JSON body response with the given status, e.g. json_response(200, R"({"ok":true})").
Response json_response(unsigned status, std::string body);
Response text_response(unsigned status, std::string body,
                       const char* content_type = "text/plain; charset=utf-8");

}  // namespace sluice::serve::http
