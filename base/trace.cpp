// VCD file creation and scope-glob matching.
#include "base/trace.h"

#include <fnmatch.h>

namespace safsim {

Tracer::Tracer(const TraceConfig& cfg, const std::string& vcd_path)
    : globs_(cfg.scopes), start_cycle_(cfg.start_cycle), end_cycle_(cfg.end_cycle) {
  std::string base = vcd_path;
  const std::string ext = ".vcd";
  if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
    base.resize(base.size() - ext.size());
  }
  path_ = base + ext;
  file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
  // One VCD time unit per picosecond keeps every clock edge on an integer time stamp. SystemC
  // announces that choice as info I703 on the terminal; the unit is in the VCD header already.
  // The message type is the text SystemC defines for SC_ID_TRACING_TIMESCALE_UNIT_
  // (sysc/tracing/sc_tracing_ids.h), which its public headers do not export.
  sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_DO_NOTHING);
  file_->set_time_unit(1, sc_core::SC_PS);
}

Tracer::~Tracer() {
  if (file_ != nullptr) {
    sc_core::sc_close_vcd_trace_file(file_);
  }
}

bool Tracer::wants(const std::string& full_name) const {
  if (globs_.empty()) {
    return true;
  }
  for (const std::string& g : globs_) {
    // The name itself, then every enclosing scope ("a.b.c" -> "a.b" -> "a").
    std::string scope = full_name;
    while (true) {
      if (fnmatch(g.c_str(), scope.c_str(), 0) == 0) {
        return true;
      }
      const size_t dot = scope.rfind('.');
      if (dot == std::string::npos) {
        break;
      }
      scope.resize(dot);
    }
  }
  return false;
}

}  // namespace safsim
