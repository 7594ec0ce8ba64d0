// CSV and JSON writers over LayerStats::visit.
#include "sim/report.h"

#include <fmt/format.h>

#include <type_traits>

namespace safsim {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) {
    return s;
  }
  std::string q = "\"";
  for (char ch : s) {
    q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  }
  return q + "\"";
}

template <class T>
std::string csv_value(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return csv_field(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    return fmt::format("{:.6g}", v);
  } else {
    return fmt::format("{}", v);
  }
}

}  // namespace

std::string layers_csv(const RunStats& s) {
  std::string out;
  std::string sep;
  LayerStats{}.visit([&](const char* name, const auto&, StatColumn col) {
    if (col == StatColumn::kCsv) {
      out += sep + name;
      sep = ",";
    }
  });
  out += "\n";
  for (const LayerStats& l : s.layers) {
    sep.clear();
    l.visit([&](const char*, const auto& v, StatColumn col) {
      if (col == StatColumn::kCsv) {
        out += sep + csv_value(v);
        sep = ",";
      }
    });
    out += "\n";
  }
  return out;
}

nlohmann::ordered_json layer_json(const LayerStats& l) {
  nlohmann::ordered_json j;
  l.visit([&](const char* name, const auto& v, StatColumn) { j[name] = v; });
  return j;
}

nlohmann::ordered_json run_stats_json(const RunStats& s) {
  nlohmann::ordered_json j;
  j["images"] = s.images;
  j["array"] = {{"rows", s.rows}, {"cols", s.cols}};
  j["clock_mhz"] = s.clock_mhz;
  j["cycles"] = s.total.cycles;
  j["cycles_per_image"] = s.cycles_per_image();
  j["latency_us_per_image"] = s.latency_us_per_image();
  j["utilization"] = s.total.utilization;
  j["stall_share"] = s.stall_share();
  j["energy_pj"] = s.total.energy_pj;
  j["energy_uj_per_image"] = s.images > 0 ? s.total.energy_pj / s.images * 1e-6 : 0.0;
  const double images = s.images > 0 ? s.images : 1;
  j["nvm_reads_per_image"] = double(s.total.nvm_reads) / images;
  j["sram_accesses_per_image"] = double(s.total.sram_reads + s.total.sram_writes) / images;
  j["totals"] = layer_json(s.total);
  nlohmann::ordered_json blocks = nlohmann::ordered_json::object();
  for (const auto& [name, value] : s.block_counters) {
    blocks[name] = value;
  }
  j["blocks"] = blocks;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const LayerStats& l : s.layers) {
    layers.push_back(layer_json(l));
  }
  j["layers"] = layers;
  return j;
}

}  // namespace safsim
