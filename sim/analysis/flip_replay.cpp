// Single-flip replay over the cone of the flip; see flip_replay.h.
#include "sim/analysis/flip_replay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "hw_models/activation_faults.h"
#include "hw_models/arithmetic.h"

namespace safsim {
namespace {

// Outputs [lo, hi] of a window sweep (kernel k, stride s, leading pad p, n outputs) whose
// window holds input coordinate `i`.
struct Span {
  int lo, hi;
};
Span covering(int i, int k, int s, int p, int n) {
  const int first = i + p - k + 1;
  const int lo = first <= 0 ? 0 : (first + s - 1) / s;
  const int hi = std::min((i + p) / s, n - 1);
  return {lo, hi};
}

}  // namespace

FlipReplay::FlipReplay(const DecodedModel& m) : m_(m), ov_(m.qm.layers.size()) {
  for (size_t li = 0; li < ov_.size(); ++li) {
    const QLayer& q = m.qm.layers[li];
    Overlay& o = ov_[li];
    const size_t n = size_t(q.out_shape.size());
    o.code.assign(n, 0);
    o.changed_at.assign(n, 0);
    o.queued_at.assign(n, 0);
    if (q.kind == QOpKind::kAvgPool || q.kind == QOpKind::kGlobalAvgPool) {
      o.dacc64.assign(n, 0);  // window-sum deltas
    }
    if (q.kind != QOpKind::kArray) {
      continue;
    }
    // |sum of w * delta| <= max_o sum_k |w_ok| * (qmax - qmin) of the input codes.
    const ActQuant& in = q.inputs[0] < 0 ? m.qm.input_q : m.qm.layers[q.inputs[0]].out_q;
    double bound = 0.0;
    const std::vector<int32_t>& w = m.weights[li].oik;
    for (int oc = 0; oc < q.out_channels; ++oc) {
      double s = 0.0;
      for (int k = 0; k < q.reduction; ++k) {
        s += std::abs(double(w[size_t(oc) * q.reduction + k]));
      }
      bound = std::max(bound, s * (double(in.qmax) - double(in.qmin)));
    }
    o.narrow = bound < 2147483647.0;
    const size_t positions = size_t(q.out_shape.h) * q.out_shape.w;
    if (o.narrow) {
      o.dacc32.assign(n, 0);
    } else {
      o.dacc64.assign(n, 0);
    }
    o.position_at.assign(positions, 0);
  }
}

void FlipReplay::next_generation() {
  if (++generation_ == 0) {  // stamps wrapped: forget every old stamp once
    for (Overlay& o : ov_) {
      std::fill(o.changed_at.begin(), o.changed_at.end(), 0);
      std::fill(o.queued_at.begin(), o.queued_at.end(), 0);
      std::fill(o.position_at.begin(), o.position_at.end(), 0);
    }
    generation_ = 1;
  }
  for (Overlay& o : ov_) {
    o.changed.clear();
    o.queue.clear();
    o.positions.clear();
  }
}

void FlipReplay::set(const ImageTrace& t, int li, int64_t e, int32_t v) {
  Overlay& o = ov_[li];
  if (o.changed_at[e] != generation_) {
    if (v == t.codes[li][e]) {
      return;
    }
    o.changed_at[e] = generation_;
    o.changed.push_back(e);
  }
  o.code[e] = v;
}

void FlipReplay::queue(int li, int64_t e) {
  Overlay& o = ov_[li];
  if (o.queued_at[e] != generation_) {
    o.queued_at[e] = generation_;
    o.queue.push_back(e);
  }
}

template <class Acc>
void FlipReplay::scatter_array(const ImageTrace& t, int li, std::vector<Acc>& dacc) {
  const QLayer& q = m_.qm.layers[li];
  const int src = q.inputs[0];
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom& g = q.geom;
  const int oc = q.out_channels;
  const int32_t* kio = m_.weights[li].kio.data();
  Overlay& o = ov_[li];
  for (int64_t e : ov_[src].changed) {
    const Acc d = static_cast<Acc>(ov_[src].code[e]) - static_cast<Acc>(t.codes[src][e]);
    const int c = static_cast<int>(e / (int64_t{is.h} * is.w));
    const int y = static_cast<int>(e / is.w % is.h);
    const int x = static_cast<int>(e % is.w);
    const Span ys = covering(y, g.kernel_h, g.stride_h, g.pad_top, os.h);
    const Span xs = covering(x, g.kernel_w, g.stride_w, g.pad_left, os.w);
    for (int oy = ys.lo; oy <= ys.hi; ++oy) {
      const int ky = y + g.pad_top - oy * g.stride_h;
      for (int ox = xs.lo; ox <= xs.hi; ++ox) {
        const int kx = x + g.pad_left - ox * g.stride_w;
        const int64_t pos = int64_t{oy} * os.w + ox;
        Acc* da = dacc.data() + pos * oc;
        if (o.position_at[pos] != generation_) {
          o.position_at[pos] = generation_;
          o.positions.push_back(pos);
          std::fill(da, da + oc, Acc{0});
        }
        const int32_t* wk = kio + size_t((c * g.kernel_h + ky) * g.kernel_w + kx) * oc;
        for (int k = 0; k < oc; ++k) {
          da[k] += static_cast<Acc>(wk[k]) * d;
        }
      }
    }
  }
  const int64_t ohw = int64_t{os.h} * os.w;
  for (int64_t pos : o.positions) {
    const Acc* da = dacc.data() + pos * oc;
    for (int k = 0; k < oc; ++k) {
      const int64_t e = k * ohw + pos;
      const int32_t v =
          post_process_int(t.acc[li][e] + int64_t{da[k]}, k, q, m_.qm.accumulator_bits);
      set(t, li, e, v);
    }
  }
}

void FlipReplay::propagate_array(const ImageTrace& t, int li) {
  Overlay& o = ov_[li];
  if (o.narrow) {
    scatter_array(t, li, o.dacc32);
  } else {
    scatter_array(t, li, o.dacc64);
  }
}

void FlipReplay::propagate_pool(const ImageTrace& t, int li) {
  const QLayer& q = m_.qm.layers[li];
  const int src = q.inputs[0];
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom g = pool_geometry(q);
  const bool average = q.kind != QOpKind::kMaxPool;
  Overlay& o = ov_[li];
  for (int64_t e : ov_[src].changed) {
    const int64_t c = e / (int64_t{is.h} * is.w);
    const int y = static_cast<int>(e / is.w % is.h);
    const int x = static_cast<int>(e % is.w);
    const int64_t d = int64_t{ov_[src].code[e]} - t.codes[src][e];
    const Span ys = covering(y, g.kernel_h, g.stride_h, g.pad_top, os.h);
    const Span xs = covering(x, g.kernel_w, g.stride_w, g.pad_left, os.w);
    for (int oy = ys.lo; oy <= ys.hi; ++oy) {
      for (int ox = xs.lo; ox <= xs.hi; ++ox) {
        const int64_t out = (c * os.h + oy) * os.w + ox;
        const bool fresh = o.queued_at[out] != generation_;
        queue(li, out);
        if (average) {  // window sum = cached sum + the changes inside the window
          o.dacc64[out] = (fresh ? 0 : o.dacc64[out]) + d;
        }
      }
    }
  }
  for (int64_t e : o.queue) {
    const int oy = static_cast<int>(e / os.w % os.h);
    const int ox = static_cast<int>(e % os.w);
    const PoolWindow w = pool_window(g, is, oy, ox);
    const int ya = w.y0, yb = w.y1, xa = w.x0, xb = w.x1;
    if (average) {
      set(t, li, e, avg_pool_int(t.acc[li][e] + o.dacc64[e], w.divisor, q));
      continue;
    }
    const int64_t c = e / (int64_t{os.h} * os.w);
    int32_t mx = std::numeric_limits<int32_t>::min();
    for (int yy = ya; yy < yb; ++yy) {
      for (int xx = xa; xx < xb; ++xx) {
        mx = std::max(mx, value(t, src, (c * is.h + yy) * is.w + xx));
      }
    }
    set(t, li, e, mx);
  }
}

void FlipReplay::propagate_add(const ImageTrace& t, int li) {
  const QLayer& q = m_.qm.layers[li];
  for (int src : q.inputs) {
    for (int64_t e : ov_[src].changed) {
      queue(li, e);
    }
  }
  const int a = q.inputs[0], b = q.inputs[1];
  for (int64_t e : ov_[li].queue) {
    set(t, li, e, residual_add_int(value(t, a, e), value(t, b, e), q));
  }
}

void FlipReplay::propagate_unary(const ImageTrace& t, int li) {
  const QLayer& q = m_.qm.layers[li];
  const int src = q.inputs[0];
  const int64_t plane = int64_t{q.in_shape.h} * q.in_shape.w;
  for (int64_t e : ov_[src].changed) {
    set(t, li, e, unary_int(value(t, src, e), static_cast<int>(e / plane), q));
  }
}

void FlipReplay::propagate_concat(const ImageTrace& t, int li) {
  const QLayer& q = m_.qm.layers[li];
  const int64_t plane = int64_t{q.out_shape.h} * q.out_shape.w;
  for (size_t i = 0; i < q.inputs.size(); ++i) {
    const int src = q.inputs[i];
    if (src < 0) {
      continue;
    }
    for (int64_t e : ov_[src].changed) {
      const int channel = static_cast<int>(e / plane);
      for (size_t c = 0; c < q.channel_map.size(); ++c) {
        if (q.channel_map[c] == ChannelSource{int(i), channel}) {
          set(t, li, int64_t(c) * plane + e % plane, concat_int(value(t, src, e), int(i), q));
        }
      }
    }
  }
}

void FlipReplay::propagate_mul(const ImageTrace& t, int li) {
  const QLayer& q = m_.qm.layers[li];
  const int a = q.inputs[0], b = q.inputs[1];
  const int64_t plane = int64_t{q.out_shape.h} * q.out_shape.w;
  const bool broadcast = m_.qm.layers[size_t(b)].out_shape.size() != q.out_shape.size();
  for (int64_t e : ov_[a].changed) {
    queue(li, e);
  }
  for (int64_t e : ov_[b].changed) {
    if (!broadcast) {
      queue(li, e);
      continue;
    }
    for (int64_t i = e * plane; i < (e + 1) * plane; ++i) {
      queue(li, i);  // a gate value reaches its whole channel
    }
  }
  for (int64_t e : ov_[li].queue) {
    set(t, li, e, mul_int(value(t, a, e), value(t, b, broadcast ? e / plane : e), q));
  }
}

int FlipReplay::top1_with_flip(const ImageTrace& t, int layer, int64_t element, uint32_t mask) {
  one_.assign(1, ActivationFlip{layer, element, mask});
  return top1_with_flips(t, one_);
}

int FlipReplay::top1_with_flips(const ImageTrace& t, const std::vector<ActivationFlip>& flips) {
  const QuantModel& qm = m_.qm;
  if (flips.empty()) {
    return t.top1;
  }
  next_generation();
  size_t f = 0;
  for (size_t li = size_t(flips.front().layer); li < qm.layers.size(); ++li) {
    const QLayer& q = qm.layers[li];
    const int ili = static_cast<int>(li);
    const bool touched = std::any_of(q.inputs.begin(), q.inputs.end(),
                                     [&](int s) { return s >= 0 && !ov_[s].changed.empty(); });
    if (touched) {
      switch (q.kind) {
        case QOpKind::kArray:
          propagate_array(t, ili);
          break;
        case QOpKind::kMaxPool:
        case QOpKind::kAvgPool:
        case QOpKind::kGlobalAvgPool:
          propagate_pool(t, ili);
          break;
        case QOpKind::kAdd:
          propagate_add(t, ili);
          break;
        case QOpKind::kFlatten:
          for (int64_t e : ov_[q.inputs[0]].changed) {
            set(t, ili, e, ov_[q.inputs[0]].code[e]);
          }
          break;
        case QOpKind::kUnary:
          propagate_unary(t, ili);
          break;
        case QOpKind::kConcat:
          propagate_concat(t, ili);
          break;
        case QOpKind::kMul:
          propagate_mul(t, ili);
          break;
      }
    }
    // The flips of this layer hit its words after they are written, as in the engines.
    for (; f < flips.size() && flips[f].layer == ili; ++f) {
      if (q.kind == QOpKind::kFlatten) {
        throw std::invalid_argument("FlipReplay: a flatten layer has no activation words");
      }
      const int64_t e = flips[f].element;
      set(t, ili, e, flip_activation_code(q.out_q, value(t, ili, e), flips[f].mask));
    }
  }
  const int last = static_cast<int>(qm.layers.size()) - 1;
  if (ov_[last].changed.empty()) {
    return t.top1;
  }
  const std::vector<int32_t> l = last_logits(t);
  return top1_of(l.data(), static_cast<int>(l.size()));
}

std::vector<int32_t> FlipReplay::last_logits(const ImageTrace& t) const {
  const int last = static_cast<int>(m_.qm.layers.size()) - 1;
  std::vector<int32_t> l(t.codes[last].size());
  for (size_t c = 0; c < l.size(); ++c) {
    l[c] = value(t, last, static_cast<int64_t>(c));
  }
  return l;
}

}  // namespace safsim
