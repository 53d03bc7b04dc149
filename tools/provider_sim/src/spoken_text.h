// Deterministic "spoken" sentences for transcripts, segments and
// summaries. Pure functions; thread-safe.
#pragma once

#include <string>

#include "det_random.h"

namespace gantry::sim {

// One sentence of 6..16 words, capitalised, ending in a full stop.
std::string sentence(DetRandom& rng);

// "hh:mm:ss.mmm", as VTT cue times.
std::string vttTimestamp(int64_t ms);

}  // namespace gantry::sim
