#pragma once
// A loopback HTTP/1.1 file server for the pull tests: one connection at a time on its own thread, each
// answered by the handler of its path, which sees the request's headers (Range, above all). Canned handlers
// cover what a model download meets: a good server (honours Range), one that ignores Range, one that cuts
// the first transfer short, one that stalls, redirects, errors. Header-only because the test glob compiles
// *_test.cpp files only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sluice::serve::pull::testing {

struct Request {
  std::string path;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class Connection {
 public:
  Connection(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      if (stopping_) return false;
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Waits until the client goes away (or the server stops).
  void hold() {
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) == 0) continue;
      char byte;
      if (::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) return;
    }
  }

 private:
  int fd_;
  const std::atomic<bool>& stopping_;
};

using Handler = std::function<void(const Request&, Connection&)>;

inline std::string head(int status, const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " Test\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  return out + "\r\n";
}

// The first byte a "Range: bytes=N-" asks for, or -1.
inline int64_t range_start(const Request& r) {
  const std::string range = r.header("range");
  if (!range.starts_with("bytes=") || !range.ends_with("-")) return -1;
  return std::stoll(range.substr(6, range.size() - 7));
}

// Serves `body`, honouring "Range: bytes=N-" with 206 (or 416 past the end) unless `ignore_range`.
inline Handler file(std::string body, bool ignore_range = false) {
  return [body = std::move(body), ignore_range](const Request& r, Connection& c) {
    const int64_t start = ignore_range ? -1 : range_start(r);
    const auto size = static_cast<int64_t>(body.size());
    if (start >= size) {
      c.send(head(416, {{"Content-Range", "bytes */" + std::to_string(size)}, {"Content-Length", "0"}}));
    } else if (start >= 0) {
      c.send(head(206, {{"Content-Range", "bytes " + std::to_string(start) + "-" + std::to_string(size - 1) +
                                              "/" + std::to_string(size)},
                        {"Content-Length", std::to_string(size - start)}}) +
             body.substr(static_cast<size_t>(start)));
    } else {
      c.send(head(200, {{"Content-Length", std::to_string(body.size())}}) + body);
    }
  };
}

// Declares the whole `body`, sends its first `cut` bytes and closes: a dropped connection.
inline Handler cut_short(std::string body, size_t cut) {
  return [body = std::move(body), cut](const Request&, Connection& c) {
    c.send(head(200, {{"Content-Length", std::to_string(body.size())}}) + body.substr(0, cut));
  };
}

// Declares the whole `body`, sends its first `cut` bytes, then nothing for as long as the client waits.
inline Handler stall(std::string body, size_t cut) {
  return [body = std::move(body), cut](const Request&, Connection& c) {
    if (c.send(head(200, {{"Content-Length", std::to_string(body.size())}}) + body.substr(0, cut))) c.hold();
  };
}

// Sends `body` without a Content-Length (chunked), so that only the streaming cap can stop it.
inline Handler chunked(std::string body) {
  return [body = std::move(body)](const Request&, Connection& c) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", body.size());
    c.send(head(200, {{"Transfer-Encoding", "chunked"}}) + size + body + "\r\n0\r\n\r\n");
  };
}

inline Handler redirect(std::string location) {
  return [location = std::move(location)](const Request&, Connection& c) {
    c.send(head(302, {{"Location", location}, {"Content-Length", "0"}}));
  };
}

inline Handler status(int code) {
  return [code](const Request&, Connection& c) { c.send(head(code, {{"Content-Length", "2"}}) + "no"); };
}

// Answers the i-th request to its path with handlers[min(i, last)].
inline Handler sequence(std::vector<Handler> handlers) {
  auto calls = std::make_shared<size_t>(0);
  return [handlers = std::move(handlers), calls](const Request& r, Connection& c) {
    handlers[std::min(*calls, handlers.size() - 1)](r, c);
    ++*calls;
  };
}

class FileServer {
 public:
  FileServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0 || ::pipe2(wake_, O_CLOEXEC) != 0) return;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), length) != 0 || ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &length) != 0) {
      return;
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FileServer() {
    if (thread_.joinable()) {
      stopping_ = true;
      const char byte = 0;
      [[maybe_unused]] const ssize_t n = ::write(wake_[1], &byte, 1);
      thread_.join();
    }
    if (listen_fd_ >= 0) ::close(listen_fd_);
    for (int fd : wake_) {
      if (fd >= 0) ::close(fd);
    }
  }
  FileServer(const FileServer&) = delete;
  FileServer& operator=(const FileServer&) = delete;

  bool ok() const { return port_ != 0; }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  void route(const std::string& path, Handler handler) {
    std::lock_guard lock(mutex_);
    routes_[path] = std::move(handler);
  }
  std::vector<Request> requests() const {
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
      answer(fd);
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
  }

  void answer(int fd) {
    std::string raw;
    char buffer[4096];
    while (raw.find("\r\n\r\n") == std::string::npos && raw.size() < 65536 && !stopping_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) == 0) continue;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      raw.append(buffer, static_cast<size_t>(n));
    }
    Request request;
    const size_t start = raw.find(' ');
    const size_t end = raw.find(' ', start + 1);
    if (start == std::string::npos || end == std::string::npos) return;
    request.path = raw.substr(start + 1, end - start - 1);
    for (size_t line = raw.find("\r\n") + 2; line < raw.size();) {
      const size_t next = raw.find("\r\n", line);
      if (next == std::string::npos || next == line) break;
      const std::string text = raw.substr(line, next - line);
      const size_t colon = text.find(':');
      if (colon != std::string::npos) {
        std::string name = text.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char ch) { return std::tolower(ch); });
        const size_t value = text.find_first_not_of(' ', colon + 1);
        request.headers[name] = value == std::string::npos ? "" : text.substr(value);
      }
      line = next + 2;
    }
    Handler handler;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      const auto it = routes_.find(request.path);
      handler = it != routes_.end() ? it->second : status(404);
    }
    Connection connection(fd, stopping_);
    handler(request, connection);
  }

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, Handler> routes_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace sluice::serve::pull::testing
