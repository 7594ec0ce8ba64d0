// The NVM weight memory over a lifetime (docs/lifetime.md): the words as last written, the
// transient upsets since that write, and the stuck cells that have grown so far.
#pragma once

#include <cstdint>
#include <vector>

#include "memory/defect_map.h"
#include "memory/deployed_weights.h"
#include "memory/deployment_stats.h"
#include "memory/fault_model.h"
#include "memory/march_test.h"
#include "sim/config.h"
#include "workloads/quant_model.h"

namespace safsim {

/// Cells are numbered word * word_bits + bit over the address map of deployment
/// (weight_address_map, one word per weight). Stuck cells win over written and upset bits.
///   LifetimeMemory mem(qm, cfg.mitigation);   // written at age 0 (no defects yet)
///   mem.upset(17);  mem.add_defect(40, true);  FunctionalEngine fe(qm, mem.deployed());
class LifetimeMemory {
 public:
  /// Throws UserError for SEC-DED groups of more than one word (the lifetime model writes
  /// word by word).
  LifetimeMemory(const QuantModel& qm, const MitigationConfig& mitigation);

  int64_t cells() const { return truth_.geometry().cells(); }
  /// A transient upset: the cell's content flips (masked while the cell is stuck).
  void upset(int64_t cell);
  /// The cell becomes stuck at `value` (a cell already stuck keeps its first value).
  void add_defect(int64_t cell, bool value);
  /// Healing: March C- finds the stuck cells, every weight is re-encoded with the scheme
  /// knowing them and rewritten, which clears the upsets.
  MarchResult march_and_rewrite();

  /// What the engines read: stored words (stuck bits applied) and the scheme's read path.
  DeployedWeights deployed() const;
  int64_t defective_cells() const { return truth_.defective_cells(); }
  /// Cells whose content differs from what was written (upsets not masked by a stuck cell).
  int64_t upset_cells() const;

 private:
  void write(const DefectMap& known);

  const QuantModel& qm_;
  MitigationConfig mitigation_;
  std::vector<LayerSpan> spans_;
  DefectMap truth_;
  std::vector<uint32_t> intended_, written_, upsets_;  // per word of the address map
};

}  // namespace safsim
