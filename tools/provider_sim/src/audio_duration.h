// How long an uploaded audio file plays, as far as the simulator needs to
// know: exact for RIFF/WAVE (data bytes / byte rate), else a hint or a
// guess from the size. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace gantry::sim {

// Seconds of a RIFF/WAVE file; nullopt when `bytes` is not one (or its
// fmt chunk is unusable).
std::optional<double> wavDuration(std::string_view bytes);

// A guess for compressed audio: 128 kbit/s, i.e. 16000 bytes a second.
inline double durationFromSize(size_t bytes) { return static_cast<double>(bytes) / 16000.0; }

}  // namespace gantry::sim
