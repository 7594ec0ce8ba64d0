// The enumerated choices of the fault and mitigation config keys (docs/faults.md).
#pragma once

namespace safsim {

/// Spatial pattern of stuck-at cells (`faults.weights.stuck_at.pattern`).
enum class StuckAtPattern {
  kUniform,   // every cell independently defective with probability `rate`
  kWordLine,  // runs of defects along a word line (a row of a bank)
  kBitLine,   // runs of defects along a bit line (a column of a bank)
};

/// Technology presets of the stuck-at-1 fraction (001 §4.1.2).
enum class StuckAtPreset {
  kCustom,  // use `sa1_fraction`
  kRram,    // 0.8: sa1 is 4x as likely as sa0 in RRAM
  kPcm,     // 0.5
};

/// Every fault model, one value each: the kind of a FaultModel (memory/fault_model.h), and as
/// `faults.*.bitflip.mode` the transient ones (none, random, msb, targeted).
enum class FaultKind {
  kNone,
  kStuckAt,      // permanent stuck-at cells (`faults.weights.stuck_at`)
  kRandomFlips,  // every stored bit flips with probability `rate` (000 "Random")
  kMsbFlips,     // words selected with probability `rate` get their MSB flipped (000 "Worst-case")
  kTargetedFlips,  // exactly `count` flips, in a chosen layer and/or bit (003 Algorithm 1)
};

/// Where deployment learns the stuck cells (`mitigation.defect_map`).
enum class DefectMapSource {
  kOracle,  // the generated (or loaded) map itself
  kMarch,   // the map a March C- test discovers on the faulty memory
};

/// sa1 fraction of a preset, or `custom` for kCustom.
inline double preset_sa1_fraction(StuckAtPreset p, double custom) {
  switch (p) {
    case StuckAtPreset::kRram:
      return 0.8;
    case StuckAtPreset::kPcm:
      return 0.5;
    case StuckAtPreset::kCustom:
      break;
  }
  return custom;
}

}  // namespace safsim
