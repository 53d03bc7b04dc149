// Deterministic pseudo-random numbers for the data set and generated text:
// SplitMix64, whose output depends only on the seed (unlike the standard
// distributions, whose algorithms differ between libraries). Not for
// secrets. Thread-compatible.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace gantry::sim {

class DetRandom {
 public:
  explicit DetRandom(uint64_t seed) : state_(seed) {}
  // A generator for one named thing, e.g. DetRandom::of({seed, user, 2}).
  static DetRandom of(std::initializer_list<uint64_t> parts) {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (uint64_t p : parts) {
      h = mix(h ^ p);
    }
    return DetRandom(h);
  }

  uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    return mix(state_);
  }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t between(int64_t lo, int64_t hi) {
    const auto span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(next() % span);
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // `count` characters drawn from `alphabet`.
  std::string chars(std::string_view alphabet, size_t count) {
    std::string out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      out.push_back(alphabet[next() % alphabet.size()]);
    }
    return out;
  }

  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// FNV-1a over bytes: a stable fingerprint of uploaded content or text.
inline uint64_t fingerprint(std::string_view bytes) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : bytes) {
    h = (h ^ c) * 0x100000001B3ull;
  }
  return h;
}

}  // namespace gantry::sim
