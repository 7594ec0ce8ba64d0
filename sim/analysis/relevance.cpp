// LRP backward pass over the integer trace (002 Eq. 2-4).
#include "sim/analysis/relevance.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "base/errors.h"
#include "base/parallel.h"
#include "hw_models/arithmetic.h"

namespace safsim {
namespace {

// Relevance of an array layer's outputs to its input by the z+ rule. Input codes and weight
// codes stand in for the real values: the input scale and the output channel's weight scale
// are common to numerator and denominator and cancel.
void backward_array(const DecodedModel& m, const ImageTrace& t, int li,
                    const std::vector<double>& r_out, std::vector<double>& r_in) {
  const QLayer& q = m.qm.layers[li];
  const std::vector<int32_t>& x = t.codes[q.inputs[0]];
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom& g = q.geom;
  const std::vector<int32_t>& w = m.weights[li].oik;
  const int64_t ohw = int64_t{os.h} * os.w;
  for (int o = 0; o < os.c; ++o) {
    const int32_t* wr = w.data() + size_t(o) * q.reduction;
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        const double rj = r_out[o * ohw + int64_t{oy} * os.w + ox];
        if (rj == 0.0) {
          continue;
        }
        // The window's positive contributions f_i w+_ij, swept twice: denominator, shares.
        auto sweep = [&](auto&& f) {
          for (int c = 0; c < is.c; ++c) {
            for (int ky = 0; ky < g.kernel_h; ++ky) {
              const int iy = oy * g.stride_h - g.pad_top + ky;
              if (iy < 0 || iy >= is.h) {
                continue;
              }
              for (int kx = 0; kx < g.kernel_w; ++kx) {
                const int ix = ox * g.stride_w - g.pad_left + kx;
                const int32_t wk = wr[(c * g.kernel_h + ky) * g.kernel_w + kx];
                if (ix < 0 || ix >= is.w || wk <= 0) {
                  continue;
                }
                const size_t i = (size_t(c) * is.h + iy) * is.w + ix;
                f(i, double(x[i]) * double(wk));
              }
            }
          }
        };
        double z = 0.0;
        sweep([&](size_t, double zi) { z += zi; });
        if (z <= 0.0) {
          continue;
        }
        sweep([&](size_t i, double zi) { r_in[i] += zi * rj / z; });
      }
    }
  }
}

void backward_pool(const ImageTrace& t, const QLayer& q, const std::vector<double>& r_out,
                   std::vector<double>& r_in) {
  const std::vector<int32_t>& x = t.codes[q.inputs[0]];
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom g = pool_geometry(q);
  for (int c = 0; c < os.c; ++c) {
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        const double rj = r_out[(size_t(c) * os.h + oy) * os.w + ox];
        if (rj == 0.0) {
          continue;
        }
        const PoolWindow w = pool_window(g, is, oy, ox);
        const int ya = w.y0, yb = w.y1, xa = w.x0, xb = w.x1;
        size_t best = 0;
        bool have = false;
        double sum = 0.0;
        for (int y = ya; y < yb; ++y) {
          for (int xx = xa; xx < xb; ++xx) {
            const size_t i = (size_t(c) * is.h + y) * is.w + xx;
            if (!have || x[i] > x[best]) {
              best = i;
              have = true;
            }
            sum += x[i];
          }
        }
        if (q.kind == QOpKind::kMaxPool) {
          r_in[best] += rj;
          continue;
        }
        if (sum == 0.0) {
          continue;
        }
        for (int y = ya; y < yb; ++y) {
          for (int xx = xa; xx < xb; ++xx) {
            const size_t i = (size_t(c) * is.h + y) * is.w + xx;
            r_in[i] += double(x[i]) * rj / sum;
          }
        }
      }
    }
  }
}

void backward_add(const DecodedModel& m, const ImageTrace& t, const QLayer& q,
                  const std::vector<double>& r_out, std::vector<std::vector<double>>& r) {
  const int a = q.inputs[0], b = q.inputs[1];
  const ActQuant& qa = m.qm.layers[a].out_q;
  const ActQuant& qb = m.qm.layers[b].out_q;
  for (size_t i = 0; i < r_out.size(); ++i) {
    const double va = std::max(0.0, double(dequantize(t.codes[a][i], qa)));
    const double vb = std::max(0.0, double(dequantize(t.codes[b][i], qb)));
    if (r_out[i] == 0.0 || va + vb == 0.0) {
      continue;
    }
    r[a][i] += r_out[i] * va / (va + vb);
    r[b][i] += r_out[i] * vb / (va + vb);
  }
}

}  // namespace

void lrp_relevance(const DecodedModel& m, const ImageTrace& t, int target,
                   std::vector<std::vector<double>>& r) {
  const QuantModel& qm = m.qm;
  r.resize(qm.layers.size());
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    r[li].assign(qm.layers[li].out_shape.size(), 0.0);
  }
  if (target < 0 || target >= static_cast<int>(r.back().size())) {
    throw UserError(
        fmt::format("LRP: label {} is not one of the model's {} outputs", target, r.back().size()));
  }
  r.back()[target] = 1.0;
  for (int li = static_cast<int>(qm.layers.size()) - 1; li >= 0; --li) {
    const QLayer& q = qm.layers[li];
    const int src = q.inputs[0];
    if (src < 0) {
      continue;  // the image: its relevance is not kept
    }
    switch (q.kind) {
      case QOpKind::kArray:
        backward_array(m, t, li, r[li], r[src]);
        break;
      case QOpKind::kMaxPool:
      case QOpKind::kAvgPool:
      case QOpKind::kGlobalAvgPool:
        backward_pool(t, q, r[li], r[src]);
        break;
      case QOpKind::kAdd:
        backward_add(m, t, q, r[li], r);
        break;
      case QOpKind::kFlatten:
      case QOpKind::kUnary:  // activations pass relevance through unchanged
      case QOpKind::kMul:    // the gated feature map takes it all (signal-takes-all for gates)
        for (size_t i = 0; i < r[li].size(); ++i) {
          r[src][i] += r[li][i];
        }
        break;
      case QOpKind::kConcat: {
        const int64_t plane = int64_t{q.out_shape.h} * q.out_shape.w;
        for (size_t c = 0; c < q.channel_map.size(); ++c) {
          const ChannelSource& cs = q.channel_map[c];
          const int from = q.inputs[size_t(cs.input)];
          if (from < 0) {
            continue;
          }
          for (int64_t p = 0; p < plane; ++p) {
            r[size_t(from)][size_t(cs.channel * plane + p)] +=
                r[li][size_t(int64_t(c) * plane + p)];
          }
        }
        break;
      }
    }
  }
}

MeanRelevance mean_relevance(const DecodedModel& m, const Dataset& images, int threads,
                             const std::function<void(int images)>& images_done) {
  constexpr int kChunk = 16;  // fixed, so the summation order does not depend on threads
  const QuantModel& qm = m.qm;
  const int chunks = (images.count + kChunk - 1) / kChunk;
  std::vector<std::vector<std::vector<double>>> partial(chunks);
  std::atomic<int> next{0};
  std::mutex report;
  auto worker = [&] {
    ImageTrace t;
    std::vector<std::vector<double>> r;
    for (int c = next++; c < chunks; c = next++) {
      auto& sum = partial[c];
      sum.resize(qm.layers.size());
      for (size_t li = 0; li < qm.layers.size(); ++li) {
        sum[li].assign(qm.layers[li].out_shape.size(), 0.0);
      }
      const int end = std::min(images.count, (c + 1) * kChunk);
      for (int i = c * kChunk; i < end; ++i) {
        trace_image(m, images.image(i), t);
        lrp_relevance(m, t, images.labels[i], r);
        for (size_t li = 0; li < r.size(); ++li) {
          for (size_t e = 0; e < r[li].size(); ++e) {
            sum[li][e] += r[li][e];
          }
        }
      }
      if (images_done) {
        std::lock_guard<std::mutex> lock(report);
        images_done(end - c * kChunk);
      }
    }
  };
  run_on_threads(std::max(1, std::min(threads, chunks)), [&](int) { worker(); });
  MeanRelevance mr;
  mr.images = images.count;
  mr.mean.resize(qm.layers.size());
  mr.feature.resize(qm.layers.size());
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    const Shape& s = qm.layers[li].out_shape;
    mr.mean[li].assign(s.size(), 0.0);
    for (const auto& p : partial) {
      for (size_t e = 0; e < p[li].size(); ++e) {
        mr.mean[li][e] += p[li][e];
      }
    }
    mr.feature[li].assign(s.c, 0.0);
    const int64_t hw = int64_t{s.h} * s.w;
    for (size_t e = 0; e < mr.mean[li].size(); ++e) {
      mr.mean[li][e] /= std::max(1, images.count);
      mr.feature[li][e / hw] += mr.mean[li][e];  // Eq. 4
    }
  }
  return mr;
}

}  // namespace safsim
