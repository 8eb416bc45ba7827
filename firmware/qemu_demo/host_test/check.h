/* Minimal assertion macros for the host tests of the demo firmware (plain
 * C, no test framework). Failures print file:line and both values; a test
 * program returns check_exit_code() from main. */
#ifndef TOCKCTL_CHECK_H
#define TOCKCTL_CHECK_H

#include <stdio.h>
#include <string.h>

static int g_check_failures;

#define EXPECT_TRUE(cond)                                                 \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      g_check_failures++;                                                 \
    }                                                                     \
  } while (0)

#define EXPECT_EQ(actual, expected)                                                               \
  do {                                                                                            \
    unsigned long long a_ = (unsigned long long)(actual);                                         \
    unsigned long long e_ = (unsigned long long)(expected);                                       \
    if (a_ != e_) {                                                                               \
      fprintf(stderr, "%s:%d: %s is %llu (0x%llx), expected %llu (0x%llx)\n", __FILE__, __LINE__, \
              #actual, a_, a_, e_, e_);                                                           \
      g_check_failures++;                                                                         \
    }                                                                                             \
  } while (0)

/* Compares byte strings; reports the length or the first differing offset. */
#define EXPECT_BYTES(actual, actual_len, expected, expected_len)                         \
  check_bytes(__FILE__, __LINE__, #actual, (const unsigned char*)(actual), (actual_len), \
              (const unsigned char*)(expected), (expected_len))

static inline void check_bytes(const char* file, int line, const char* what, const unsigned char* a,
                               size_t alen, const unsigned char* e, size_t elen) {
  size_t n = alen < elen ? alen : elen;
  for (size_t i = 0; i < n; i++) {
    if (a[i] != e[i]) {
      fprintf(stderr, "%s:%d: %s differs at byte %zu: 0x%02x, expected 0x%02x\n", file, line, what,
              i, a[i], e[i]);
      g_check_failures++;
      return;
    }
  }
  if (alen != elen) {
    fprintf(stderr, "%s:%d: %s is %zu bytes, expected %zu\n", file, line, what, alen, elen);
    g_check_failures++;
  }
}

static inline int check_exit_code(const char* name) {
  if (g_check_failures == 0) {
    printf("%s: all checks passed\n", name);
    return 0;
  }
  fprintf(stderr, "%s: %d check(s) failed\n", name, g_check_failures);
  return 1;
}

#endif
