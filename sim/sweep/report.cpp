// Result files of a sweep (sweep_report.h). Numbers use fmt's shortest round-trip form, so a
// value read back from the journal prints exactly as the freshly computed one.
#include "sim/sweep/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/output_files.h"

namespace safsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) {
    return s;
  }
  std::string q = "\"";
  for (char c : s) {
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return q + "\"";
}

std::string number(double v) { return std::isnan(v) ? "nan" : fmt::format("{}", v); }

std::string axis_fields(const SweepPlan& plan, int point) {
  std::string s = std::to_string(point);
  for (const std::string& v : plan.point_values(point)) {
    s += "," + csv_field(v);
  }
  return s;
}

std::string axis_header(const SweepPlan& plan) {
  std::string s = "point";
  for (const std::string& c : plan.columns) {
    s += "," + csv_field(c);
  }
  return s;
}

/// Per point, per metric: the values of its trials (records are sorted by point, then trial).
std::vector<std::vector<std::vector<double>>> values_by_point(
    const SweepPlan& plan, const std::vector<TrialRecord>& records) {
  std::vector<std::vector<std::vector<double>>> v(
      size_t(plan.point_count()), std::vector<std::vector<double>>(plan.metrics.size()));
  for (const TrialRecord& r : records) {
    for (size_t m = 0; m < plan.metrics.size(); ++m) {
      v[size_t(r.point)][m].push_back(r.metrics[m]);
    }
  }
  return v;
}

}  // namespace

double t_quantile_975(int df) {
  // Student's t, 0.975 quantile, df = 1..30 (standard tables).
  static const double kTable[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                    2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                    2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                    2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df <= 30) {
    return kTable[std::max(df, 1) - 1];
  }
  // Cornish-Fisher expansion around the normal quantile; within 1e-3 of the table beyond 30.
  const double z = 1.959963984540054;
  const double d = df;
  return z + (z * z * z + z) / (4 * d) +
         (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

MetricSummary summarize(const std::vector<double>& values) {
  MetricSummary s;
  s.n = int(values.size());
  if (values.empty()) {
    s.mean = s.std = s.min = s.max = s.ci95_lo = s.ci95_hi = kNaN;
    return s;
  }
  double sum = 0;
  s.min = s.max = values[0];
  for (double x : values) {
    sum += x;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
  }
  s.mean = sum / s.n;
  if (s.min == s.max) {
    s.std = 0;  // exactly, where summing would leave rounding noise
    s.ci95_lo = s.ci95_hi = s.mean = s.min;
    if (s.n < 2) {
      s.std = s.ci95_lo = s.ci95_hi = kNaN;
    }
    return s;
  }
  if (s.n < 2) {
    s.std = s.ci95_lo = s.ci95_hi = kNaN;
    return s;
  }
  double sq = 0;
  for (double x : values) {
    sq += (x - s.mean) * (x - s.mean);
  }
  s.std = std::sqrt(sq / (s.n - 1));
  const double half = t_quantile_975(s.n - 1) * s.std / std::sqrt(double(s.n));
  s.ci95_lo = s.mean - half;
  s.ci95_hi = s.mean + half;
  return s;
}

Proportion wilson_interval(int k, int n) {
  Proportion p;
  p.k = k;
  p.n = n;
  if (n == 0) {
    p.value = p.lo = p.hi = kNaN;
    return p;
  }
  const double z = 1.959963984540054;  // two-sided 95% normal quantile
  const double phat = double(k) / n;
  const double denom = 1.0 + z * z / n;
  const double centre = (phat + z * z / (2.0 * n)) / denom;
  const double half = z * std::sqrt(phat * (1.0 - phat) / n + z * z / (4.0 * n * n)) / denom;
  p.value = phat;
  p.lo = std::max(0.0, centre - half);
  p.hi = std::min(1.0, centre + half);
  return p;
}

std::string detection_csv(const SweepPlan& plan, const std::vector<TrialRecord>& records) {
  const size_t harmful_col =
      size_t(std::find(plan.metrics.begin(), plan.metrics.end(), "harmful") - plan.metrics.begin());
  std::string out = axis_header(plan) +
                    ",strategy,maps,harmful,tp,fn,tn,fp,accuracy,accuracy_lo,accuracy_hi,tpr,"
                    "tpr_lo,tpr_hi,fpr,fpr_lo,fpr_hi\n";
  for (const SelectionStrategy st : plan.selftest.strategies) {
    const std::string col = fmt::format("detected_{}", to_string(st));
    const size_t m =
        size_t(std::find(plan.metrics.begin(), plan.metrics.end(), col) - plan.metrics.begin());
    // The confusion counts of every point in one pass over the records (not one per point).
    std::vector<std::array<int, 4>> counts(size_t(plan.point_count()), {0, 0, 0, 0});
    for (const TrialRecord& r : records) {
      const bool harmful = r.metrics[harmful_col] != 0.0, detected = r.metrics[m] != 0.0;
      ++counts[size_t(r.point)][(harmful ? 0 : 2) + (harmful == detected ? 0 : 1)];
    }
    for (size_t p = 0; p < size_t(plan.point_count()); ++p) {
      const auto [tp, fn, tn, fp] = counts[p];  // harmful & detected, harmful & missed, ...
      const Proportion acc = wilson_interval(tp + tn, tp + tn + fp + fn);
      const Proportion tpr = wilson_interval(tp, tp + fn);
      const Proportion fpr = wilson_interval(fp, fp + tn);
      out += fmt::format("{},{},{},{},{},{},{},{}", axis_fields(plan, int(p)), to_string(st), acc.n,
                         tp + fn, tp, fn, tn, fp);
      for (const Proportion& q : {acc, tpr, fpr}) {
        out += fmt::format(",{},{},{}", number(q.value), number(q.lo), number(q.hi));
      }
      out += "\n";
    }
  }
  return out;
}

std::string results_csv(const SweepPlan& plan, const std::vector<TrialRecord>& records) {
  std::string out = axis_header(plan) + ",trial,seed";
  for (const std::string& m : plan.metrics) {
    out += "," + m;
  }
  out += "\n";
  for (const TrialRecord& r : records) {
    out += fmt::format("{},{},{}", axis_fields(plan, r.point), r.trial, r.seed);
    for (double v : r.metrics) {
      out += "," + number(v);
    }
    out += "\n";
  }
  return out;
}

std::string aggregate_csv(const SweepPlan& plan, const std::vector<TrialRecord>& records) {
  std::string out = axis_header(plan) + ",trials";
  for (const std::string& m : plan.metrics) {
    for (const char* stat : {"mean", "std", "min", "max", "ci95_lo", "ci95_hi"}) {
      out += fmt::format(",{}_{}", m, stat);
    }
  }
  out += "\n";
  const auto values = values_by_point(plan, records);
  for (size_t p = 0; p < size_t(plan.point_count()); ++p) {
    out += fmt::format("{},{}", axis_fields(plan, int(p)),
                       values[p].empty() ? 0 : values[p][0].size());
    for (size_t m = 0; m < plan.metrics.size(); ++m) {
      const MetricSummary s = summarize(values[p][m]);
      for (double v : {s.mean, s.std, s.min, s.max, s.ci95_lo, s.ci95_hi}) {
        out += "," + number(v);
      }
    }
    out += "\n";
  }
  return out;
}

std::string summary_json(const SweepPlan& plan, const std::vector<TrialRecord>& records) {
  using Json = nlohmann::ordered_json;
  Json s;
  s["command"] = "sweep";
  s["name"] = plan.name;
  s["version"] = SAFSIM_VERSION;
  s["seed"] = plan.seed;
  s["points"] = plan.point_count();
  s["repeat"] = plan.repeat;
  s["trials"] = records.size();
  s["columns"] = plan.columns;
  s["metrics"] = plan.metrics;
  s["files"] = {"results.csv", "aggregate.csv", "summary.json", "sweep.resolved.yaml",
                "journal.jsonl"};
  if (plan.selftest.enabled) {
    s["files"].push_back("detection.csv");
  }
  const auto values = values_by_point(plan, records);
  Json points = Json::array();
  for (size_t p = 0; p < size_t(plan.point_count()); ++p) {
    Json pt;
    pt["point"] = p;
    Json axis = Json::object();
    const std::vector<std::string> point_values = plan.point_values(int64_t(p));
    for (size_t c = 0; c < plan.columns.size(); ++c) {
      axis[plan.columns[c]] = point_values[c];
    }
    pt["values"] = axis;
    Json mean = Json::object();
    for (size_t m = 0; m < plan.metrics.size(); ++m) {
      mean[plan.metrics[m]] = summarize(values[p][m]).mean;
    }
    pt["mean"] = mean;
    points.push_back(pt);
  }
  s["per_point"] = points;
  return s.dump(2) + "\n";
}

void write_sweep_outputs(WrittenFiles& out, const SweepPlan& plan,
                         const std::vector<TrialRecord>& records) {
  out.write("results.csv", results_csv(plan, records));
  out.write("aggregate.csv", aggregate_csv(plan, records));
  out.write("summary.json", summary_json(plan, records));
  out.write("sweep.resolved.yaml", plan.resolved_yaml());
  if (plan.selftest.enabled) {
    out.write("detection.csv", detection_csv(plan, records));
  }
}

}  // namespace safsim
