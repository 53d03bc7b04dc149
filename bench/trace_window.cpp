#include "trace_window.h"

#include <cstdio>

namespace gantry::bench {
namespace {

bool g_enabled = false;

double seconds(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

void enableWindowTrace(bool enabled) { g_enabled = enabled; }

void noteWindow(const std::string& label, std::chrono::steady_clock::time_point start,
                std::chrono::steady_clock::time_point end) {
  if (g_enabled) {
    std::fprintf(stderr, "  window %s %.6f %.6f\n", label.c_str(), seconds(start), seconds(end));
  }
}

}  // namespace gantry::bench
