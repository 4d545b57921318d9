#include "etl/source/xlsx/crc32.h"

#include <zlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace sluice::etl::xlsx {

namespace {

#if defined(__x86_64__)
#define SLUICE_CLMUL __attribute__((target("pclmul,sse4.1")))

SLUICE_CLMUL inline __m128i load(const unsigned char* q) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
}

// x.lo * k.lo ^ x.hi * k.hi: x carried 128 (or 512) bits ahead.
SLUICE_CLMUL inline __m128i fold(__m128i x, __m128i k) {
  return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

// Folds whole 16-byte blocks (size >= 64, a multiple of 16) into the bit-reflected CRC state crc (the
// inverted CRC, as the algorithm works on). The constants are x^(4*128+32), x^(4*128-32), x^(128+32),
// x^(128-32), x^64 mod P and the Barrett pair for P = 0x104C11DB7, all bit-reflected, from the paper.
SLUICE_CLMUL uint32_t fold_blocks(uint32_t crc, const unsigned char* p, size_t size) {
  const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
  const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
  const __m128i k5 = _mm_set_epi64x(0, 0x0163cd6124);
  const __m128i poly = _mm_set_epi64x(0x01f7011641, 0x01db710641);
  const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
  __m128i x1 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
  __m128i x2 = load(p + 16), x3 = load(p + 32), x4 = load(p + 48);
  p += 64;
  size -= 64;
  for (; size >= 64; p += 64, size -= 64) {
    x1 = _mm_xor_si128(fold(x1, k1k2), load(p));
    x2 = _mm_xor_si128(fold(x2, k1k2), load(p + 16));
    x3 = _mm_xor_si128(fold(x3, k1k2), load(p + 32));
    x4 = _mm_xor_si128(fold(x4, k1k2), load(p + 48));
  }
  x1 = _mm_xor_si128(fold(x1, k3k4), x2);
  x1 = _mm_xor_si128(fold(x1, k3k4), x3);
  x1 = _mm_xor_si128(fold(x1, k3k4), x4);
  for (; size >= 16; p += 16, size -= 16) x1 = _mm_xor_si128(fold(x1, k3k4), load(p));

  // 128 -> 64 bits, then 64 -> 32 with Barrett reduction.
  x2 = _mm_clmulepi64_si128(x1, k3k4, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
  x2 = _mm_srli_si128(x1, 4);
  x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, low32), k5, 0x00), x2);
  x2 = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), poly, 0x10);
  x2 = _mm_clmulepi64_si128(_mm_and_si128(x2, low32), poly, 0x00);
  x1 = _mm_xor_si128(x1, x2);
  return static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
}

bool have_pclmul() {
  static const bool kHave = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return kHave;
}
#endif

uint32_t zlib_crc32(uint32_t crc, const unsigned char* data, size_t size) {
  while (size > 0) {
    const uInt n = static_cast<uInt>(size > (1u << 30) ? (1u << 30) : size);
    crc = static_cast<uint32_t>(crc32(crc, data, n));
    data += n;
    size -= n;
  }
  return crc;
}

}  // namespace

uint32_t update_crc32(uint32_t crc, const unsigned char* data, size_t size) {
#if defined(__x86_64__)
  if (size >= 64 && have_pclmul()) {
    const size_t blocks = size & ~size_t{15};
    crc = ~fold_blocks(~crc, data, blocks);
    data += blocks;
    size -= blocks;
  }
#endif
  return zlib_crc32(crc, data, size);
}

}  // namespace sluice::etl::xlsx
