/* Deterministic pseudo-random numbers (xorshift32) so the demo stream is
 * the same on every run. Plain C99. */
#ifndef TOCKCTL_PRNG_H
#define TOCKCTL_PRNG_H

#include <stdint.h>

typedef struct prng {
  uint32_t state; /* never 0 */
} prng;

static inline void prng_seed(prng* p, uint32_t seed) { p->state = seed ? seed : 0x9E3779B9u; }

static inline uint32_t prng_next(prng* p) {
  uint32_t x = p->state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  p->state = x;
  return x;
}

/** Uniform-ish value in [lo, hi] (inclusive); lo <= hi. */
static inline uint32_t prng_range(prng* p, uint32_t lo, uint32_t hi) {
  return lo + prng_next(p) % (hi - lo + 1u);
}

/** 1 with probability percent/100. */
static inline int prng_chance(prng* p, uint32_t percent) { return prng_next(p) % 100u < percent; }

#endif
