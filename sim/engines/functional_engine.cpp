// Functional engine: each array layer is one GEMM over a batch (im2col x weights), followed by
// the shared post-processing arithmetic. Integer codes travel as floats/doubles in the GEMM;
// exactness is checked per layer (see choose_precision) and falls back to int64 otherwise.
#include "sim/engines/functional_engine.h"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "hw_models/arithmetic.h"
#include "sim/engines/tensor_ops.h"

namespace safsim {
namespace {

// Images per work item. Fixed (not derived from the thread count) so that results, including
// fp32 rounding in float formats, do not depend on how many threads run.
constexpr int kChunkImages = 64;

enum class Precision { kFloat, kDouble, kInt64 };

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Weights of one array layer as a K x O matrix, rows in (kh, kw, c) order to match the
// channels-last im2col; decoded once from the stored words through the read path.
struct ArrayWeights {
  Precision precision = Precision::kFloat;
  RowMatF wf;
  RowMatD wd;
  std::vector<int64_t> wi;  // K x O, kInt64 only
};

int channels_last_row(const QLayer& q, int k) {
  const int khw = q.geom.kernel_h * q.geom.kernel_w;
  const int c = k / khw;
  const int r = k % khw;
  return r * q.in_shape.c + c;
}

// Every partial sum of an integer GEMM is bounded by max_o sum_k |w_ok| * max|a|. If that bound
// is below 2^24 (2^53), each fp32 (fp64) operation is on integers it represents exactly, so the
// GEMM is exact whatever the summation order.
Precision choose_precision(const std::vector<int64_t>& w, int k_count, int o_count,
                           const ActQuant& in) {
  const double max_in = std::max(std::abs(double(in.qmin)), std::abs(double(in.qmax)));
  double bound = 0.0;
  for (int o = 0; o < o_count; ++o) {
    double s = 0.0;
    for (int k = 0; k < k_count; ++k) {
      s += std::abs(double(w[size_t(k) * o_count + o]));
    }
    bound = std::max(bound, s * max_in);
  }
  if (bound < 16777216.0) {
    return Precision::kFloat;
  }
  return bound < 9007199254740992.0 ? Precision::kDouble : Precision::kInt64;
}

ArrayWeights decode_weights(const QuantModel& qm, const QLayer& q,
                            const std::vector<uint32_t>& stored, const ReadPath& rp) {
  const int kc = q.reduction, oc = q.out_channels;
  ArrayWeights aw;
  if (qm.is_float()) {
    aw.wf.resize(kc, oc);
    for (int o = 0; o < oc; ++o) {
      for (int k = 0; k < kc; ++k) {
        aw.wf(channels_last_row(q, k), o) = rp.decode_float(stored[size_t(o) * kc + k]);
      }
    }
    return aw;
  }
  aw.wi.resize(size_t(kc) * oc);
  for (int o = 0; o < oc; ++o) {
    for (int k = 0; k < kc; ++k) {
      aw.wi[size_t(channels_last_row(q, k)) * oc + o] = rp.decode_int(stored[size_t(o) * kc + k]);
    }
  }
  const ActQuant& in = q.inputs[0] < 0 ? qm.input_q : qm.layers[q.inputs[0]].out_q;
  aw.precision = choose_precision(aw.wi, kc, oc, in);
  if (aw.precision == Precision::kFloat) {
    aw.wf = Eigen::Map<const Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic,
                                           Eigen::RowMajor>>(aw.wi.data(), kc, oc)
                .cast<float>();
  } else if (aw.precision == Precision::kDouble) {
    aw.wd = Eigen::Map<const Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic,
                                           Eigen::RowMajor>>(aw.wi.data(), kc, oc)
                .cast<double>();
  }
  return aw;
}

}  // namespace

struct FunctionalEngine::Impl {
  const QuantModel& qm;
  int threads = 1;
  std::vector<ArrayWeights> weights;  // per layer

  // One worker's buffers: every layer's output for a chunk, channels-last, as floats.
  struct Scratch {
    std::vector<std::vector<float>> act;
    std::vector<float> cols;  // im2col
    RowMatF gemm_f;
    RowMatD gemm_d;
    std::vector<ActivationRange>* ranges = nullptr;
  };

  const std::vector<float>& input_of(const Scratch& s, const std::vector<float>& image,
                                     int index) const {
    return index < 0 ? image : s.act[index];
  }

  void run_array(Scratch& s, const std::vector<float>& in, int li, int batch) const;
  void run_chunk(Scratch& s, const Dataset& d, int first, int count) const;
};

void FunctionalEngine::Impl::run_array(Scratch& s, const std::vector<float>& in, int li,
                                       int batch) const {
  const QLayer& q = qm.layers[li];
  const ArrayWeights& aw = weights[li];
  const int rows = batch * q.out_shape.h * q.out_shape.w;
  const float* a = im2col_channels_last(in, q, batch, s.cols);
  std::vector<float>& out = s.act[li];
  out.resize(size_t(rows) * q.out_channels);
  const int kc = q.reduction, oc = q.out_channels;
  Eigen::Map<const RowMatF> A(a, rows, kc);
  if (qm.is_float()) {
    s.gemm_f.noalias() = A * aw.wf;
    for (int r = 0; r < rows; ++r) {
      for (int o = 0; o < oc; ++o) {
        const float acc = s.gemm_f(r, o);
        const float v = post_process_float(acc, o, q);
        out[size_t(r) * oc + o] = v;
        if (s.ranges) {
          ActivationRange& rg = (*s.ranges)[li];
          rg.pre_max_abs = std::max(rg.pre_max_abs, std::fabs(acc + q.bias_float[o]));
          rg.out_max_abs = std::max(rg.out_max_abs, std::fabs(v));
        }
      }
    }
    return;
  }
  const int acc_bits = qm.accumulator_bits;
  auto emit = [&](auto&& acc_at) {
    for (int r = 0; r < rows; ++r) {
      float* o_row = out.data() + size_t(r) * oc;
      for (int o = 0; o < oc; ++o) {
        o_row[o] = static_cast<float>(post_process_int(acc_at(r, o), o, q, acc_bits));
      }
    }
  };
  switch (aw.precision) {
    case Precision::kFloat:
      s.gemm_f.noalias() = A * aw.wf;
      emit([&](int r, int o) { return static_cast<int64_t>(s.gemm_f(r, o)); });
      break;
    case Precision::kDouble:
      s.gemm_d.noalias() = A.cast<double>() * aw.wd;
      emit([&](int r, int o) { return static_cast<int64_t>(s.gemm_d(r, o)); });
      break;
    case Precision::kInt64:
      emit([&](int r, int o) {
        int64_t acc = 0;
        for (int k = 0; k < kc; ++k) {
          acc += static_cast<int64_t>(a[size_t(r) * kc + k]) * aw.wi[size_t(k) * oc + o];
        }
        return acc;
      });
      break;
  }
}

void FunctionalEngine::Impl::run_chunk(Scratch& s, const Dataset& d, int first, int count) const {
  std::vector<float> image;
  quantize_images_channels_last(qm, d, first, count, image);
  s.act.resize(qm.layers.size());
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    const QLayer& q = qm.layers[li];
    const std::vector<float>& in = input_of(s, image, q.inputs[0]);
    std::vector<float>& out = s.act[li];
    switch (q.kind) {
      case QOpKind::kArray:
        run_array(s, in, static_cast<int>(li), count);
        break;
      case QOpKind::kMaxPool:
        max_pool_channels_last(in, q, count, out);
        break;
      case QOpKind::kAvgPool:
      case QOpKind::kGlobalAvgPool:
        avg_pool_channels_last(in, q, count, qm.is_float(), out);
        break;
      case QOpKind::kAdd:
        residual_add_channels_last(in, input_of(s, image, q.inputs[1]), q, qm.is_float(), out);
        break;
      case QOpKind::kFlatten:
        flatten_to_chw(in, q.in_shape, count, out);
        break;
    }
    if (s.ranges && q.kind != QOpKind::kArray) {
      ActivationRange& rg = (*s.ranges)[li];
      for (float v : out) {
        rg.out_max_abs = std::max(rg.out_max_abs, std::fabs(v));
      }
    }
  }
}

FunctionalEngine::FunctionalEngine(const QuantModel& qm, const DeployedWeights& w, int threads)
    : impl_(std::make_unique<Impl>(Impl{qm, threads, {}})) {
  if (impl_->threads <= 0) {
    impl_->threads = std::max(1u, std::thread::hardware_concurrency());
  }
  impl_->weights.resize(qm.layers.size());
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    if (qm.layers[i].kind == QOpKind::kArray) {
      impl_->weights[i] = decode_weights(qm, qm.layers[i], w.stored[i], w.read_path);
    }
  }
}

FunctionalEngine::~FunctionalEngine() = default;

Logits FunctionalEngine::run(const Dataset& images) const {
  const QuantModel& qm = impl_->qm;
  Logits out;
  out.images = images.count;
  out.classes = qm.classes();
  out.is_float = qm.is_float();
  out.scale = qm.layers.back().out_q.scale;
  const size_t n = size_t(out.images) * out.classes;
  std::vector<float> logits(n);
  const int chunks = (images.count + kChunkImages - 1) / kChunkImages;
  std::atomic<int> next{0};
  auto worker = [&] {
    Impl::Scratch s;
    for (int c = next++; c < chunks; c = next++) {
      const int first = c * kChunkImages;
      const int count = std::min(kChunkImages, images.count - first);
      impl_->run_chunk(s, images, first, count);
      const std::vector<float>& last = s.act.back();
      std::copy(last.begin(), last.begin() + size_t(count) * out.classes,
                logits.begin() + size_t(first) * out.classes);
    }
  };
  const int t = std::min(impl_->threads, std::max(1, chunks));
  std::vector<std::thread> pool;
  for (int i = 1; i < t; ++i) {
    pool.emplace_back(worker);
  }
  worker();
  for (std::thread& th : pool) {
    th.join();
  }
  if (out.is_float) {
    out.values = std::move(logits);
  } else {
    out.codes.assign(logits.begin(), logits.end());
  }
  return out;
}

LayerActivations FunctionalEngine::activations(const uint8_t* image) const {
  const QuantModel& qm = impl_->qm;
  Dataset one;
  one.shape = qm.input_shape;
  one.count = 1;
  one.pixels.assign(image, image + qm.input_shape.size());
  one.labels.assign(1, 0);
  Impl::Scratch s;
  impl_->run_chunk(s, one, 0, 1);
  LayerActivations la;
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    std::vector<float> chw;
    channels_last_to_chw(s.act[i], qm.layers[i].out_shape, chw);
    if (qm.is_float()) {
      la.values.push_back(std::move(chw));
    } else {
      la.codes.emplace_back(chw.begin(), chw.end());
    }
  }
  return la;
}

std::vector<ActivationRange> FunctionalEngine::ranges(const Dataset& images) const {
  std::vector<ActivationRange> r(impl_->qm.layers.size());
  Impl::Scratch s;
  s.ranges = &r;
  for (int first = 0; first < images.count; first += kChunkImages) {
    impl_->run_chunk(s, images, first, std::min(kChunkImages, images.count - first));
  }
  return r;
}

}  // namespace safsim
