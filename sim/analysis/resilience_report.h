// The CSV tables of `safsim analyze` (docs/resilience.md lists their columns).
#pragma once

#include <string>
#include <vector>

#include "sim/analysis/ber_failures.h"
#include "sim/analysis/criticality.h"
#include "sim/analysis/neuron_failures.h"

namespace safsim {

/// relevance.csv: layer,name,feature,rho (002 Eq. 4) for every layer output.
std::string relevance_csv(const QuantModel& qm, const MeanRelevance& r);
/// criticality.csv: layer,name,consumers,feature,eta,eta_normalized,eq6_scale (002 Eq. 5, 6).
std::string criticality_csv(const QuantModel& qm, const std::vector<FeatureCriticality>& f);
/// neurons.csv: layer,name,element,channel,y,x,failures,failure_rate (002 Sec. V-D).
std::string neurons_csv(const QuantModel& qm, const NeuronFailures& f);
/// histogram.csv: bin_lo,bin_hi then one neuron-count column per named result (002 Figs. 3, 4).
std::string histogram_csv(const std::vector<std::string>& names,
                          const std::vector<std::vector<int64_t>>& histograms);
/// ber.csv: model,rate,runs,mean,sd,ci95_lo,ci95_hi,min,max (002 Fig. 7).
std::string ber_csv(const std::vector<std::string>& names,
                    const std::vector<std::vector<BerPoint>>& points);

}  // namespace safsim
