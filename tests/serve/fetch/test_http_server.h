#pragma once
// A small HTTP/1.1 server on a loopback address for the fetch tests: it serves canned answers by path, one
// connection at a time, on its own thread, and counts every connection that reached it (accepted or still
// waiting in the listen queue), so that a test can prove a refused destination was never connected to.
// Header-only because the test glob compiles *_test.cpp files only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::serve::fetch::testing {

// The accepted connection a handler answers on.
class Client {
 public:
  Client(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}

  // False once the client has gone (or the server is stopping).
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      if (stopping_) return false;
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Waits up to `ms`; false when the client closed its side (or the server is stopping).
  bool still_there(int ms) {
    if (stopping_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return !stopping_;
    char byte;
    return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0 && !stopping_;
  }

 private:
  int fd_;
  const std::atomic<bool>& stopping_;
};

using Handler = std::function<void(Client&)>;
using Headers = std::vector<std::pair<std::string, std::string>>;

inline std::string head(int status, const Headers& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " Canned\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  return out + "\r\n";
}

// A complete answer with a Content-Length.
inline Handler respond(int status, std::string body, Headers headers = {}) {
  return [=](Client& c) {
    Headers all = headers;
    all.emplace_back("Content-Length", std::to_string(body.size()));
    c.send(head(status, all) + body);
  };
}

inline Handler redirect(std::string location, int status = 302, Headers headers = {}) {
  headers.emplace_back("Location", std::move(location));
  return respond(status, "<a href=elsewhere>moved</a>", std::move(headers));
}

// A chunked body without Content-Length: `count` chunks of `chunk_size` bytes of 'x'.
inline Handler chunked(size_t chunk_size, int count) {
  return [=](Client& c) {
    if (!c.send(head(200, {{"Content-Type", "image/png"}, {"Transfer-Encoding", "chunked"}}))) return;
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk_size);
    const std::string chunk = size_line + std::string(chunk_size, 'x') + "\r\n";
    for (int i = 0; i < count; ++i) {
      if (!c.send(chunk)) return;
    }
    c.send("0\r\n\r\n");
  };
}

// Headers that promise `length` bytes, then no body: only a client that believes the promise returns.
inline Handler declare_length(uint64_t length) {
  return [=](Client& c) {
    if (!c.send(head(200, {{"Content-Type", "image/png"}, {"Content-Length", std::to_string(length)}})))
      return;
    while (c.still_there(20)) {
    }
  };
}

// Headers, then one byte every 20 ms for as long as the client listens.
inline Handler drip() {
  return [](Client& c) {
    if (!c.send(head(200, {{"Content-Type", "image/png"}, {"Content-Length", "1000000"}}))) return;
    while (c.send("x") && c.still_there(20)) {
    }
  };
}

// Reads the request, then never answers.
inline Handler silence() {
  return [](Client& c) {
    while (c.still_there(20)) {
    }
  };
}

class TestHttpServer {
 public:
  // Binds `address` ("127.0.0.1", "127.0.0.2", "::1") on a free port; ok() is false when that fails (no
  // IPv6 on the machine, say).
  explicit TestHttpServer(std::string address = "127.0.0.1") : address_(std::move(address)) {
    const bool v6 = address_.find(':') != std::string::npos;
    listen_fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0 || ::pipe2(wake_, O_CLOEXEC) != 0) return;
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
      a->sin6_family = AF_INET6;
      if (::inet_pton(AF_INET6, address_.c_str(), &a->sin6_addr) != 1) return;
      length = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&storage);
      a->sin_family = AF_INET;
      if (::inet_pton(AF_INET, address_.c_str(), &a->sin_addr) != 1) return;
      length = sizeof *a;
    }
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0) return;
    if (::listen(listen_fd_, 16) != 0) return;
    if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return;
    port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                     : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~TestHttpServer() {
    stop();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    for (int fd : wake_) {
      if (fd >= 0) ::close(fd);
    }
  }

  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  bool ok() const { return port_ != 0; }
  int port() const { return port_; }
  std::string url(std::string_view path) const {
    const bool v6 = address_.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + address_ + "]" : address_) + ":" + std::to_string(port_) +
           std::string(path);
  }

  void route(const std::string& path, Handler handler) {
    std::lock_guard lock(mutex_);
    routes_[path] = std::move(handler);
  }

  // Stops serving. Connections the kernel completed but the server never accepted are counted too, so that
  // connections() is exact afterwards.
  void stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    const char byte = 0;
    [[maybe_unused]] const ssize_t n = ::write(wake_[1], &byte, 1);
    thread_.join();
    ::fcntl(listen_fd_, F_SETFL, ::fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
    for (int fd; (fd = ::accept(listen_fd_, nullptr, nullptr)) >= 0;) {
      ++connections_;
      ::close(fd);
    }
  }

  int connections() const { return connections_; }

  std::vector<std::string> paths() const {
    std::lock_guard lock(mutex_);
    return paths_;
  }

  // The raw request heads, in order.
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (!stopping_) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 || (fds[1].revents & POLLIN) != 0) return;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      answer(fd);
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
  }

  void answer(int fd) {
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536 && !stopping_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) == 0) continue;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<size_t>(n));
    }
    const size_t start = request.find(' ');
    const size_t end = request.find(' ', start + 1);
    if (start == std::string::npos || end == std::string::npos) return;
    const std::string path = request.substr(start + 1, end - start - 1);
    Handler handler;
    {
      std::lock_guard lock(mutex_);
      paths_.push_back(path);
      requests_.push_back(request);
      const auto it = routes_.find(path);
      handler =
          it != routes_.end() ? it->second : respond(404, "not found", {{"Content-Type", "text/plain"}});
    }
    Client client(fd, stopping_);
    handler(client);
  }

  std::string address_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::map<std::string, Handler> routes_;
  std::vector<std::string> paths_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace sluice::serve::fetch::testing
