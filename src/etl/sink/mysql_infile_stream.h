#pragma once
// One LOAD DATA LOCAL INFILE statement fed from memory for the whole load. The statement runs on a thread of
// its own; libmariadb's local-infile callbacks (mysql_set_local_infile_handler) pull the rows from a bounded
// queue that the sink's write() fills, so no temporary file is written and the server inserts one batch
// while the pipeline reads and transforms the next. One statement rather than one per batch: the server
// never waits for the client between batches, and the client never waits for a statement's round trip.
//
// Life: start() → push(chunk)* → finish(), or cancel() at any point. While the statement runs, the
// connection belongs to the stream's thread; the caller must not touch it until finish() or cancel()
// returned. push() and finish() are called from one thread.
//
// A server that drops the connection mid-statement (KILL, a crash) may do so without resetting it, leaving
// the statement's thread blocked in a write that never completes (seen on gVisor's network stack). While
// push() and finish() wait, they therefore watch the socket: once the server has hung up, they shut the
// socket down, so that the write fails and the statement returns its error.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "etl/sink/mysql_connection.h"

namespace sluice::etl::internal {

class InfileStream {
 public:
  // statement: LOAD DATA LOCAL INFILE '...' INTO TABLE ...; queue_chunks bounds the memory held in flight.
  InfileStream(MysqlConnection& connection, std::string statement, size_t queue_chunks);
  ~InfileStream();  // cancels a stream that was not finished
  InfileStream(const InfileStream&) = delete;
  InfileStream& operator=(const InfileStream&) = delete;

  void start();
  // Queues rows in LOAD DATA format (whole rows); blocks while the queue is full. Fails with the statement's
  // error once it has failed (the server went away, the connection was killed).
  common::Status push(std::string chunk);
  // Ends the data and waits for the server's verdict: the statement's status, a failure also when the
  // server turned bad values into warnings (LOAD DATA LOCAL cannot stop the client, so it keeps going).
  common::Status finish();
  // Ends the statement with a read error, so the server stops, and waits for the thread. The connection
  // may be out of step afterwards: close it rather than reuse it.
  void cancel();

 private:
  static int on_init(void** state, const char* filename, void* self);
  static int on_read(void* self, char* buffer, unsigned int length);
  static void on_end(void* self);
  static int on_error(void* self, char* message, unsigned int length);
  void run();
  // Waits until ready() holds (mu_ locked), watching the connection meanwhile; see the .cpp.
  template <typename Ready>
  void wait_watching(std::unique_lock<std::mutex>& lock, Ready ready);

  MysqlConnection& connection_;
  std::string statement_;
  size_t capacity_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> chunks_;
  bool closed_ = false;     // no more chunks will come
  bool cancelled_ = false;  // the reader must fail the statement
  bool done_ = false;       // the statement has returned
  common::Status result_;   // the statement's outcome, set before done_

  // Owned by the statement thread: the chunk being sent and how much of it went.
  std::string current_;
  size_t sent_ = 0;
  std::thread thread_;
};

}  // namespace sluice::etl::internal
