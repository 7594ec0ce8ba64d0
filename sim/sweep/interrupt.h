// Ctrl-C (SIGINT) and SIGTERM (Slurm's time limit) during a sweep: the first asks the sweep to
// stop starting trials and to journal the running ones; the second stops at once. Finished
// trials are always in the journal, so `--resume` continues where the sweep stopped.
#pragma once

#include <csignal>

namespace safsim {

/// Installs the handlers for its lifetime and restores the previous ones after.
///   SweepInterrupt interrupt;
///   while (...) { if (interrupt.count() > 0) { ... stop starting trials ... } }
class SweepInterrupt {
 public:
  SweepInterrupt();
  ~SweepInterrupt();
  SweepInterrupt(const SweepInterrupt&) = delete;
  SweepInterrupt& operator=(const SweepInterrupt&) = delete;

  /// Signals received since construction.
  int count() const;

 private:
  struct sigaction previous_int_ = {};
  struct sigaction previous_term_ = {};
};

}  // namespace safsim
