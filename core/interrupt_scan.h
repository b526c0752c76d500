// SPDX-License-Identifier: Apache-2.0
// The byte-level scanning under the /proc/interrupts parser (interrupts.h):
// blanks, tokens and the per-CPU count columns, the hot loop of a 4096-CPU
// host's file. Inline, so the parser's loop stays as fast as one file made it.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace irqfleet::interrupts_scan {

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }
inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}
inline bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// Skips spaces and tabs. The "%10u " count columns are mostly padding, so runs
// of spaces go 16 (SSE2) or 8 bytes at a time.
[[gnu::always_inline]] inline const char* skip_blanks(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i spaces = _mm_set1_epi8(' ');
  while (end - p >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, spaces))) & 0xffffu;
    if (other) {
      p += std::countr_zero(other);
      if (*p != '\t') return p;
      break;
    }
    p += 16;
  }
#else
  constexpr uint64_t kSpaces = 0x2020202020202020ull;
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    const uint64_t diff = word ^ kSpaces;
    if (diff == 0) {
      p += 8;
      continue;
    }
    if constexpr (std::endian::native == std::endian::little) p += std::countr_zero(diff) / 8;
    break;
  }
#endif
  while (p < end && is_blank(*p)) ++p;
  return p;
}

inline bool ends_token(char c) { return is_blank(c) || c == '\n' || c == '\r'; }

// End of the whitespace-delimited token starting at p.
inline const char* token_end(const char* p, const char* end) {
  while (p < end && !is_blank(*p) && *p != '\n' && *p != '\r') ++p;
  return p;
}

enum class NumberKind { kNumber, kNotNumber, kOverflow, kLineEnd };

struct NumberScan {
  NumberKind kind;
  uint64_t value = 0;
  const char* next = nullptr;  // after the number, or the end of the offending token
};

// Digit by digit, with overflow checks: long numbers, the end of the text, errors.
[[gnu::noinline]] NumberScan scan_number_slow(const char* p, const char* end);

// Reads one unsigned decimal token at p (blanks already skipped).
[[gnu::always_inline]] inline NumberScan scan_number(const char* p, const char* end) {
  if constexpr (std::endian::native == std::endian::little) {
    // Up to 7 digits without a loop: eight bytes at once, digits found and
    // combined with SWAR (the kernel's counts are mostly short).
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      const uint64_t values = word ^ 0x3030303030303030ull;  // '0'..'9' → 0..9, nothing else does
      const uint64_t non_digit =
          (((values & 0x7f7f7f7f7f7f7f7full) + 0x7676767676767676ull) | values) & 0x8080808080808080ull;
      if (non_digit) {
        const int n = std::countr_zero(non_digit) / 8;
        if (n > 0 && ends_token(p[n])) {
          // The digits to the top bytes (leading zeros below), then 8-digit SWAR.
          uint64_t v = values << (8 * (8 - n));
          v = (v * 10) + (v >> 8);
          v = (((v & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
               (((v >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >>
              32;
          return {NumberKind::kNumber, v, p + n};
        }
      }
    }
  }
  return scan_number_slow(p, end);
}

// The kernel's own layout, " %10u" after the label's or the previous count's space:
// a space, up to 8 digits right-aligned in 10 columns, then a space. One 16-byte
// look checks the whole field; anything else (pasted, tabs, long counts) takes the
// general path.
[[gnu::always_inline]] inline bool fixed_width_count(const char* p, const char* end, uint64_t& value) {
#if defined(__SSE2__)
  if constexpr (std::endian::native == std::endian::little) {
    if (end - p < 16) return false;
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned spaces = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8(' '))));
    const __m128i shifted = _mm_sub_epi8(chunk, _mm_set1_epi8('0'));
    const unsigned digits = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(9)), shifted)));
    // Bytes 0-2 and 11 are spaces; bytes 3-10 are spaces, then at least one digit up to byte 10.
    const unsigned number = digits & 0x7f8u;
    if ((spaces & 0x807u) != 0x807u || number == 0 || number + (number & (0u - number)) != 0x800u ||
        ((spaces | digits) & 0x7f8u) != 0x7f8u)
      return false;
    uint64_t word;
    std::memcpy(&word, p + 3, 8);
    // Leading spaces become '0' (0x20 | 0x10), then the 8-digit SWAR sum.
    uint64_t v = (word | 0x1010101010101010ull) ^ 0x3030303030303030ull;
    v = (v * 10) + (v >> 8);
    value = (((v & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
             (((v >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >>
            32;
    return true;
  }
#endif
  return false;
}

}  // namespace irqfleet::interrupts_scan
