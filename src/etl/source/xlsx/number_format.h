#pragma once
// Which number formats make a numeric cell a date or a time. Excel stores dates as plain numbers (days since
// an epoch); only the cell's number format says that a number is a date, so a reader must classify formats
// the way Excel displays them.
#include <string_view>

namespace sluice::etl::xlsx {

enum class NumberKind : unsigned char {
  kNumber,    // shown as a number (General, 0.00, currency, percent, ...)
  kDateTime,  // has a date part (y, d, or a month m), with or without a time
  kTime,      // time of day only (h, s, minutes m): shown modulo 24 hours
  kDuration,  // elapsed time ([h], [m], [s]): shown with whole days as hours
};

// Built-in format ids: 14-17 and 22 are dates, 18-21, 45 and 47 times, 46 ([h]:mm:ss) a duration; the East
// Asian locale ids 27-36 and 50-58 are dates except 32 and 33 (h"時"mm"分"...), which are times in every
// locale that defines them.
NumberKind classify_builtin_format(int id);

// Classifies a custom format code by its first section (up to an unquoted ';'). Date/time tokens count only
// outside "quoted text", backslash escapes, _x padding, *x fills and [..] brackets ([Red], [$-409],
// [>100]); the elapsed-time brackets [h], [hh], [m], [mm], [s], [ss] make a duration. An m is minutes
// when it follows an h or precedes an s (as in Excel), else a month.
NumberKind classify_format_code(std::string_view code);

}  // namespace sluice::etl::xlsx
