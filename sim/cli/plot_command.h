// `safsim plot DIR`: figures of a finished sweep (scripts/plot_sweep.py, Debian's
// python3-matplotlib), PNG and SVG under DIR/plots.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace safsim {

void register_plot_command(CLI::App& app);

/// Runs /usr/bin/python3 scripts/plot_sweep.py DIR. Returns true when the figures were drawn;
/// otherwise the script (or this function) has printed why and how to fix it, e.g. that
/// matplotlib is missing and `apt-get install python3-matplotlib` installs it.
///   if (!render_sweep_plots("out/sweeps/example_rates")) { /* the sweep itself still succeeded */
///   }
bool render_sweep_plots(const std::string& dir);
/// The same for any script of scripts/: /usr/bin/python3 scripts/SCRIPT DIR (plot_lifetime.py
/// for `safsim lifetime`, plot_resilience.py for `safsim analyze`).
bool render_plot(const std::string& script_name, const std::string& dir);

}  // namespace safsim
