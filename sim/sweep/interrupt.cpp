// Signal handling of a sweep (sweep_interrupt.h). A signal handler can only reach state through
// a global; this one counter is the only global, and the handler does nothing but count.
#include "sim/sweep/interrupt.h"

#include <csignal>

namespace safsim {
namespace {

volatile std::sig_atomic_t g_signals = 0;

extern "C" void count_signal(int /*signo*/) { g_signals = g_signals + 1; }

}  // namespace

SweepInterrupt::SweepInterrupt() {
  g_signals = 0;
  struct sigaction sa = {};
  sa.sa_handler = count_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking wait returns early and sees the signal
  sigaction(SIGINT, &sa, &previous_int_);
  sigaction(SIGTERM, &sa, &previous_term_);
}

SweepInterrupt::~SweepInterrupt() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

int SweepInterrupt::count() const { return int(g_signals); }

}  // namespace safsim
