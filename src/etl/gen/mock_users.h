#pragma once
// Sample data for tests, demos and benchmarks: a table of mock users shaped like the reference project's
// DATASET.xlsx (a Mockaroo export), with the columns, in order,
//   id (integers 1..N), first_name, last_name, email, gender, ip_address.
// The content is realistic where the ETL cares:
//  - gender: Male and Female (about 45% each), then Agender, Bigender, Genderfluid, Genderqueer, Non-binary,
//    Polygender (about 10% together);
//  - names: about 2% of first and of last names are non-ASCII (Zoë, José, Łukasz, Müller, 山田, ...), a few
//    carry characters a CSV writer must quote (`Hale, Jr.`, `Robert "Rob"`);
//  - email: ASCII, mixed styles (`jdoe0@senate.gov`, `john.doe@mit.edu`, `john_doe@...`, a few capitalised);
//  - ip_address: public IPv4 mostly; about 2% from IPv4 special-purpose ranges that Python's `is_global`
//  calls
//    not global (10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10, the documentation nets, 0/8,
//    240/4, ...), about 0.5% multicast 224/4 (global to Python), about 1% IPv6 of which 30% are special
//    (::1, ::, fe80::/10, fc00::/7, 2001:db8::/32, ::ffff:10.x.y.z). Every value parses as an IP address.
// Output is a pure function of (rows, seed), byte for byte, on every platform: the generator uses its own
// PRNG (splitmix64) and fixed workbook metadata, no std:: distributions and no clock.
// Thread-safe: no shared state.
#include <cstdint>
#include <string>

#include "common/status.h"

namespace sluice::etl {

// Excel's limit: 1,048,576 sheet rows, one of them the header.
inline constexpr uint64_t kMaxMockUsersXlsxRows = 1048575;

struct MockUser {
  uint64_t id = 0;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string gender;
  std::string ip_address;
};

// The row stream behind write_mock_users(): row i (1-based) of the file is the i-th call of next().
class MockUserGenerator {
 public:
  explicit MockUserGenerator(uint64_t seed);
  // Overwrites every field of `user` (reusing its buffers) with the next row.
  void next(MockUser& user);

 private:
  uint64_t uniform(uint64_t n);  // in [0, n)
  void make_ip(std::string& out);

  uint64_t state_;
  uint64_t next_id_ = 1;
};

// Writes the header and `rows` rows to `path`, replacing the file. The format follows the name: a path that
// ends in ".csv" (any case) gets RFC 4180 CSV (UTF-8, no BOM, CRLF line ends, fields quoted only when they
// hold a comma, quote, CR or LF); anything else gets an .xlsx workbook with one sheet "Sheet1" whose strings
// are shared (sharedStrings.xml) as Excel writes them, ids stored as numbers.
// Cost at 1M rows (measured, 2-core AMD EPYC): .xlsx 22 s and 0.97 GB peak RSS, because libxlsxwriter's
// default mode holds every cell and the shared-string table until the end (its constant_memory mode takes
// 7 s and 6 MB but writes inline strings, which Excel does not); CSV 0.7 s and 6 MB, streamed.
// Errors: kInvalidArgument for more than kMaxMockUsersXlsxRows rows in an .xlsx; kNotFound when the
// directory does not exist; kUnavailable when the file cannot be written. A failed write leaves no file.
common::Status write_mock_users(const std::string& path, uint64_t rows, uint64_t seed);

}  // namespace sluice::etl
