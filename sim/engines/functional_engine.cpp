// Functional engine: each array layer is one GEMM over a batch (im2col x weights), followed by
// the shared post-processing arithmetic. Layers whose weights and input codes fit in 8 bits run
// on the VNNI int8 kernel (int32 sums, sim/engines/int8_gemm.h); otherwise integer codes travel
// as floats/doubles in the GEMM, exactness is checked per layer (sim/engines/array_weights.h),
// and it falls back to int64.
#include "sim/engines/functional_engine.h"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <optional>
#include <thread>

#include "base/parallel.h"
#include "hw_models/arithmetic.h"
#include "sim/engines/array_weights.h"
#include "sim/engines/tensor_ops.h"

namespace safsim {
namespace {

// Images per work item: 64, or fewer for a model whose widest layer would make one of a chunk's
// buffers (a layer's output, its im2col matrix) exceed kChunkFloats floats (512 MiB; ResNet-18
// at 224x224 stays at 64): a 28x28 Conv of 21,399 channels, the widest a layer may be
// (docs/limits.md), held 4.3 GB with 64 images. A function of the model only, not of the thread
// count, so that results, including fp32 rounding in float formats, do not depend on how many
// threads run.
constexpr int kChunkImages = 64;
constexpr int64_t kChunkFloats = int64_t{1} << 27;

int chunk_images_for(const QuantModel& qm) {
  int64_t widest = 1;
  for (const QLayer& q : qm.layers) {
    widest = std::max({widest, q.out_shape.size(), q.in_shape.size()});
    if (q.kind == QOpKind::kArray) {
      widest = std::max(widest, int64_t{q.out_shape.h} * q.out_shape.w * q.reduction);
    }
  }
  return int(std::clamp<int64_t>(kChunkFloats / widest, 1, kChunkImages));
}

}  // namespace

struct FunctionalEngine::Impl {
  Impl(const QuantModel& m, const DeployedWeights& w, int t)
      : own(w.bias.empty() ? std::nullopt : std::optional<QuantModel>(deployed_model(m, w))),
        qm(own ? *own : m),
        threads(resolve_threads(t)),
        chunk_images(chunk_images_for(qm)) {}

  std::optional<QuantModel> own;  // the model with its deployed biases, when they changed
  const QuantModel& qm;
  int threads = 1;
  int chunk_images = kChunkImages;
  std::vector<ArrayWeights> weights;     // per layer
  std::vector<int> fused_pool;           // per array layer: the max-pool taken on its accumulators
  std::vector<std::vector<float>> pads;  // per array layer: padding per input channel (empty: 0)
  const ActivationFaultPlan* activation_faults = nullptr;

  // One worker's buffers: every layer's output for a chunk, channels-last, as floats.
  struct Scratch {
    std::vector<std::vector<float>> act;
    std::vector<float> cols;       // im2col
    std::vector<float> acc;        // fp32 GEMM result (exact integers in integer formats)
    std::vector<int64_t> acc_i;    // int64 GEMM result
    std::vector<uint8_t> in_u8;    // the int8 kernel's input codes, offset
    std::vector<uint8_t> cols_u8;  // the int8 kernel's operand
    std::vector<int32_t> acc32;    // the int8 kernel's result
    std::vector<float> pooled;
    std::vector<int32_t> pooled32;
    RowMatD gemm_d;
    std::vector<ActivationRange>* ranges = nullptr;
    bool fuse_pools = true;                          // off when every layer's output is wanted
    std::vector<std::vector<ActivationFlip>> flips;  // per image of the chunk
  };

  const std::vector<float>& input_of(const Scratch& s, const std::vector<float>& image,
                                     int index) const {
    return index < 0 ? image : s.act[index];
  }

  bool is_fused_pool(int li) const {
    return std::find(fused_pool.begin(), fused_pool.end(), li) != fused_pool.end();
  }
  void plan_pool_fusion();
  void apply_activation_flips(Scratch& s, int li, int count) const;
  void run_array(Scratch& s, const std::vector<float>& in, int li, int batch) const;
  void run_array_int8(Scratch& s, const std::vector<float>& in, int li, int batch, int pool,
                      float* out) const;
  void start_chunk(Scratch& s, const Dataset& d, int first, int count,
                   std::vector<float>& image) const;
  void run_layer(Scratch& s, const std::vector<float>& image, size_t li, int count) const;
  void run_chunk(Scratch& s, const Dataset& d, int first, int count) const;
  std::vector<int64_t> input_sums(Scratch& s, const std::vector<float>& image, int li,
                                  int count) const;
};

// A max-pool whose input is an array layer read by nothing else, with post-processing known to
// be non-decreasing (no accumulator wrap): pool the accumulators, then post-process 1/(kh*kw) of
// the values. max(f(a), f(b)) = f(max(a, b)) for non-decreasing f, so the codes are identical.
void FunctionalEngine::Impl::plan_pool_fusion() {
  fused_pool.assign(qm.layers.size(), -1);
  std::vector<int> readers(qm.layers.size(), 0);
  for (const QLayer& q : qm.layers) {
    for (int in : q.inputs) {
      if (in >= 0) {
        ++readers[in];
      }
    }
  }
  for (size_t p = 0; p < qm.layers.size(); ++p) {
    const QLayer& pool = qm.layers[p];
    const int src = pool.inputs[0];
    if (pool.kind != QOpKind::kMaxPool || src < 0 || readers[src] != 1 || qm.is_float()) {
      continue;
    }
    const ArrayWeights& aw = weights[src];
    const bool exact_gemm =
        aw.precision == GemmPrecision::kFloat || aw.precision == GemmPrecision::kInt8;
    if (qm.layers[src].kind == QOpKind::kArray && exact_gemm && aw.monotone &&
        monotone_activation(qm.layers[src])) {
      fused_pool[src] = static_cast<int>(p);
    }
  }
}

namespace {

// Output codes of `rows` rows of accumulators: bias, wrap, requantization and activation.
template <typename AccAt>
void emit_codes(const QLayer& q, int acc_bits, int rows, AccAt&& acc_at, float* out) {
  const int oc = q.out_channels;
  with_post_rule(q, [&](auto rule) {
    for (int r = 0; r < rows; ++r) {
      float* o_row = out + size_t(r) * oc;
      for (int o = 0; o < oc; ++o) {
        o_row[o] = static_cast<float>(
            post_process_int_as<decltype(rule)::value>(acc_at(r, o), o, q, acc_bits));
      }
    }
  });
}

// The buffer with room for n values. The int8 scratch buffers serve every layer in turn, each
// with its own size: resizing them down and up again would zero the regrown part on every layer
// of every chunk (5 % of lenet5's time), and every value the kernels read is written first.
template <typename T>
T* room_for(std::vector<T>& v, size_t n) {
  if (v.size() < n) {
    v.resize(n);
  }
  return v.data();
}

// Rows of one int8 sub-batch: its operand, accumulators and pooled accumulators stay in the
// core's caches (64 images of a 24x24x20 layer are 2.9 MB of accumulators, beyond L2).
constexpr int kInt8TargetRows = 512;

}  // namespace

// Images a few at a time: u8 codes, im2col, the VNNI GEMM, the fused max-pool and the output
// codes of each sub-batch before the next, so no intermediate leaves the caches.
void FunctionalEngine::Impl::run_array_int8(Scratch& s, const std::vector<float>& in, int li,
                                            int batch, int pool, float* out) const {
  const QLayer& q = qm.layers[size_t(li)];
  const Int8Weights& w = weights[size_t(li)].i8;
  const int pixels = q.out_shape.h * q.out_shape.w;
  const int step = std::max(1, kInt8TargetRows / pixels);
  const Shape& pooled = pool >= 0 ? qm.layers[size_t(pool)].out_shape : q.out_shape;
  const int oc = q.out_channels, og = q.group_out();
  for (int b0 = 0; b0 < batch; b0 += step) {
    const int n = std::min(step, batch - b0);
    const int rows = n * pixels;
    // The kernel computes whole row blocks; the rows past `rows` are ignored.
    const int rows_padded = (rows + kInt8GemmRowBlock - 1) / kInt8GemmRowBlock * kInt8GemmRowBlock;
    int32_t* acc32 = room_for(s.acc32, size_t(rows_padded) * oc);
    const size_t in_size = size_t(n) * q.in_shape.size();
    uint8_t* in_u8 = room_for(s.in_u8, in_size + kInt8Slack);
    codes_to_u8(in.data() + size_t(b0) * q.in_shape.size(), in_size, w.act_offset, in_u8);
    for (int g = 0; g < q.groups; ++g) {
      im2col_u8_channels_last(in_u8, q, n, pads[size_t(li)], g, w.act_offset, w.k4, rows_padded,
                              s.cols_u8);
      int8_gemm(s.cols_u8.data(), rows_padded, w, g, acc32 + size_t(g) * og, oc);
    }
    const int32_t* acc = acc32;
    if (pool >= 0) {
      int32_t* pooled32 = room_for(s.pooled32, size_t(n) * pooled.size());
      max_pool_channels_last(acc32, qm.layers[size_t(pool)], n, pooled32);
      acc = pooled32;
    }
    emit_codes(
        q, qm.accumulator_bits, n * pooled.h * pooled.w,
        [acc, oc](int r, int o) { return int64_t{acc[size_t(r) * oc + o]}; },
        out + size_t(b0) * pooled.size());
  }
}

void FunctionalEngine::Impl::run_array(Scratch& s, const std::vector<float>& in, int li,
                                       int batch) const {
  const QLayer& q = qm.layers[li];
  const ArrayWeights& aw = weights[li];
  const int rows = batch * q.out_shape.h * q.out_shape.w;
  const int pool = s.fuse_pools ? fused_pool[li] : -1;
  std::vector<float>& out = s.act[pool >= 0 ? pool : li];
  const int out_rows =
      pool >= 0 ? batch * qm.layers[pool].out_shape.h * qm.layers[pool].out_shape.w : rows;
  out.resize(size_t(out_rows) * q.out_channels);
  if (aw.precision == GemmPrecision::kInt8) {
    run_array_int8(s, in, li, batch, pool, out.data());
    return;
  }
  const int kc = q.reduction, oc = q.out_channels, og = q.group_out();
  const bool float_gemm = qm.is_float() || aw.precision == GemmPrecision::kFloat;
  if (float_gemm) {
    s.acc.resize(size_t(rows) * oc);
  }
  if (aw.precision == GemmPrecision::kDouble) {
    s.gemm_d.resize(rows, oc);
  }
  if (aw.precision == GemmPrecision::kInt64) {
    s.acc_i.resize(size_t(rows) * oc);
  }
  // Depthwise layers (most of a MobileNet's layers) are a multiply-add over channels per tap:
  // per-group GEMMs would copy the input once per channel for a 1-column product.
  const bool depthwise = q.groups > 1 && q.group_in() == 1 && og == 1 && float_gemm;
  if (depthwise) {
    depthwise_channels_last(in, q, batch, pads[li], aw.wf.data(), s.acc);
  }
  // One GEMM per group: (rows x K) x (K x O/G) into the group's columns of the accumulators.
  using Stride = Eigen::OuterStride<>;
  for (int g = 0; g < (depthwise ? 0 : q.groups); ++g) {
    const float* a = im2col_channels_last(in, q, batch, pads[li], g, s.cols);
    Eigen::Map<const RowMatF> A(a, rows, kc);
    if (float_gemm) {
      Eigen::Map<RowMatF, 0, Stride>(s.acc.data() + size_t(g) * og, rows, og, Stride(oc))
          .noalias() = A * aw.wf.middleCols(g * og, og);
    } else if (aw.precision == GemmPrecision::kDouble) {
      s.gemm_d.middleCols(g * og, og).noalias() = A.cast<double>() * aw.wd.middleCols(g * og, og);
    } else {
      for (int r = 0; r < rows; ++r) {
        for (int o = g * og; o < (g + 1) * og; ++o) {
          int64_t acc = 0;
          for (int k = 0; k < kc; ++k) {
            acc += static_cast<int64_t>(a[size_t(r) * kc + k]) * aw.wi[size_t(k) * oc + o];
          }
          s.acc_i[size_t(r) * oc + o] = acc;
        }
      }
    }
  }
  if (qm.is_float()) {
    for (int r = 0; r < rows; ++r) {
      for (int o = 0; o < oc; ++o) {
        const float acc = s.acc[size_t(r) * oc + o];
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
  auto emit = [&](auto&& acc_at) {
    emit_codes(q, qm.accumulator_bits, out_rows, acc_at, out.data());
  };
  switch (aw.precision) {
    case GemmPrecision::kFloat: {
      const float* acc = s.acc.data();
      if (pool >= 0) {
        max_pool_channels_last(s.acc, qm.layers[pool], batch, s.pooled);
        acc = s.pooled.data();
      }
      emit([&](int r, int o) { return static_cast<int64_t>(acc[size_t(r) * oc + o]); });
      break;
    }
    case GemmPrecision::kDouble:
      emit([&](int r, int o) { return static_cast<int64_t>(s.gemm_d(r, o)); });
      break;
    case GemmPrecision::kInt64:
      emit([&](int r, int o) { return s.acc_i[size_t(r) * oc + o]; });
      break;
    case GemmPrecision::kInt8:
      break;  // run_array_int8 took the layer
  }
}

// The flips of this layer's output, for each image, applied to the codes in the buffer.
void FunctionalEngine::Impl::apply_activation_flips(Scratch& s, int li, int count) const {
  const Shape& os = qm.layers[li].out_shape;
  const int64_t hw = int64_t{os.h} * os.w;
  std::vector<float>& out = s.act[li];
  for (int b = 0; b < count; ++b) {
    for (const ActivationFlip& f : s.flips[b]) {
      if (f.layer != li) {
        continue;
      }
      // CHW element -> channels-last offset.
      float& v = out[size_t(b) * os.size() + size_t(f.element % hw) * os.c + f.element / hw];
      v = qm.is_float()
              ? ActivationFaultPlan::flip_value(v, f.mask)
              : static_cast<float>(activation_faults->flip_code(static_cast<int32_t>(v), f));
    }
  }
}

// The chunk's images as the array reads them, and the activation flips that will hit them.
void FunctionalEngine::Impl::start_chunk(Scratch& s, const Dataset& d, int first, int count,
                                         std::vector<float>& image) const {
  quantize_images_channels_last(qm, d, first, count, image);
  s.act.resize(qm.layers.size());
  if (activation_faults != nullptr && activation_faults->active()) {
    s.fuse_pools = false;  // every output must exist in the buffer to be hit
    s.flips.resize(count);
    for (int b = 0; b < count; ++b) {
      s.flips[b] = activation_faults->flips(d.first_index + first + b);
    }
  }
}

void FunctionalEngine::Impl::run_layer(Scratch& s, const std::vector<float>& image, size_t li,
                                       int count) const {
  const QLayer& q = qm.layers[li];
  const std::vector<float>& in = input_of(s, image, q.inputs[0]);
  std::vector<float>& out = s.act[li];
  switch (q.kind) {
    case QOpKind::kArray:
      run_array(s, in, static_cast<int>(li), count);
      break;
    case QOpKind::kMaxPool:
      if (!s.fuse_pools || !is_fused_pool(static_cast<int>(li))) {
        max_pool_channels_last(in, q, count, out);
      }
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
    case QOpKind::kUnary:
      unary_channels_last(in, q, count, qm.is_float(), out);
      break;
    case QOpKind::kConcat: {
      std::vector<const std::vector<float>*> ins;
      std::vector<int> channels;
      for (int src : q.inputs) {
        ins.push_back(&input_of(s, image, src));
        channels.push_back(src < 0 ? qm.input_shape.c : qm.layers[size_t(src)].out_shape.c);
      }
      concat_channels_last(ins, channels, q, count, qm.is_float(), out);
      break;
    }
    case QOpKind::kMul: {
      const int b = q.inputs[1];
      const Shape& bs = b < 0 ? qm.input_shape : qm.layers[size_t(b)].out_shape;
      mul_channels_last(in, input_of(s, image, b), bs.size() != q.out_shape.size(), q, count,
                        qm.is_float(), out);
      break;
    }
  }
  if (!s.flips.empty()) {
    apply_activation_flips(s, static_cast<int>(li), count);
  }
  if (s.ranges && q.kind != QOpKind::kArray) {
    ActivationRange& rg = (*s.ranges)[li];
    for (float v : out) {
      rg.out_max_abs = std::max(rg.out_max_abs, std::fabs(v));
    }
  }
}

void FunctionalEngine::Impl::run_chunk(Scratch& s, const Dataset& d, int first, int count) const {
  std::vector<float> image;
  start_chunk(s, d, first, count, image);
  for (size_t li = 0; li < qm.layers.size(); ++li) {
    run_layer(s, image, li, count);
  }
}

// Column sums of array layer li's GEMM operand for one chunk: integer codes, so int64 is exact.
std::vector<int64_t> FunctionalEngine::Impl::input_sums(Scratch& s, const std::vector<float>& image,
                                                        int li, int count) const {
  const QLayer& q = qm.layers[size_t(li)];
  const std::vector<float>& in = input_of(s, image, q.inputs[0]);
  const auto rows = size_t(count) * size_t(q.out_shape.h) * size_t(q.out_shape.w);
  const auto kc = size_t(q.reduction);
  std::vector<int64_t> sums(size_t(q.groups) * kc, 0);
  std::vector<int64_t> column(kc);
  for (int g = 0; g < q.groups; ++g) {
    const float* a = im2col_channels_last(in, q, count, pads[size_t(li)], g, s.cols);
    std::fill(column.begin(), column.end(), 0);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t k = 0; k < kc; ++k) {
        column[k] += static_cast<int64_t>(a[r * kc + k]);
      }
    }
    for (size_t k = 0; k < kc; ++k) {
      sums[size_t(g) * kc + k] = column[size_t(channels_last_row(q, int(k)))];
    }
  }
  return sums;
}

FunctionalEngine::FunctionalEngine(const QuantModel& qm, const DeployedWeights& w, int threads)
    : impl_(std::make_unique<Impl>(qm, w, threads)) {
  fix_gemm_blocking();
  impl_->weights.resize(qm.layers.size());
  impl_->pads.resize(qm.layers.size());
  for (size_t i = 0; i < qm.layers.size(); ++i) {
    const QLayer& q = qm.layers[i];
    if (q.kind == QOpKind::kArray) {
      impl_->weights[i] = decode_weights(qm, q, w.stored[i], w.read_path);
      impl_->pads[i] =
          qm.is_float() ? q.pad_value : std::vector<float>(q.pad_code.begin(), q.pad_code.end());
    }
  }
  impl_->plan_pool_fusion();
}

FunctionalEngine::~FunctionalEngine() = default;

void FunctionalEngine::set_activation_faults(const ActivationFaultPlan* plan) {
  impl_->activation_faults = plan;
}

Logits FunctionalEngine::run(const Dataset& images, const ImagesDone& images_done) const {
  const QuantModel& qm = impl_->qm;
  Logits out;
  out.images = images.count;
  out.classes = qm.classes();
  out.is_float = qm.is_float();
  out.scale = qm.layers.back().out_q.scale;
  const size_t n = size_t(out.images) * out.classes;
  std::vector<float> logits(n);
  const int chunks = (images.count + impl_->chunk_images - 1) / impl_->chunk_images;
  std::atomic<int> next{0};
  std::mutex report;
  auto worker = [&] {
    Impl::Scratch s;
    for (int c = next++; c < chunks; c = next++) {
      const int first = c * impl_->chunk_images;
      const int count = std::min(impl_->chunk_images, images.count - first);
      impl_->run_chunk(s, images, first, count);
      const std::vector<float>& last = s.act.back();
      std::copy(last.begin(), last.begin() + size_t(count) * out.classes,
                logits.begin() + size_t(first) * out.classes);
      if (images_done) {
        std::lock_guard<std::mutex> lock(report);
        images_done(count);
      }
    }
  };
  run_on_threads(std::min(impl_->threads, std::max(1, chunks)), [&](int) { worker(); });
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
  s.fuse_pools = false;
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

void FunctionalEngine::run_layer_by_layer(const Dataset& images,
                                          const InputSums& before_array) const {
  const QuantModel& qm = impl_->qm;
  const size_t layers = qm.layers.size();
  // The last layer reading each output: after it has run, the output is dropped.
  std::vector<size_t> last_reader(layers, layers);
  for (size_t li = 0; li < layers; ++li) {
    for (int in : qm.layers[li].inputs) {
      if (in >= 0) {
        last_reader[size_t(in)] = li;
      }
    }
  }
  const int chunks = (images.count + impl_->chunk_images - 1) / impl_->chunk_images;
  std::vector<Impl::Scratch> scratch(static_cast<size_t>(chunks));
  std::vector<std::vector<float>> inputs(static_cast<size_t>(chunks));
  auto count_of = [&](int c) {
    return std::min(impl_->chunk_images, images.count - c * impl_->chunk_images);
  };
  auto each_chunk = [&](auto&& work) {
    std::atomic<int> next{0};
    run_on_threads(std::min(impl_->threads, std::max(1, chunks)), [&](int) {
      for (int c = next++; c < chunks; c = next++) {
        work(c);
      }
    });
  };
  each_chunk([&](int c) {
    scratch[size_t(c)].fuse_pools = false;  // the callback may change biases: no fused pools
    impl_->start_chunk(scratch[size_t(c)], images, c * impl_->chunk_images, count_of(c),
                       inputs[size_t(c)]);
  });
  for (size_t li = 0; li < layers; ++li) {
    const QLayer& q = qm.layers[li];
    if (q.kind == QOpKind::kArray) {
      std::vector<std::vector<int64_t>> partial(static_cast<size_t>(chunks));
      each_chunk([&](int c) {
        partial[size_t(c)] =
            impl_->input_sums(scratch[size_t(c)], inputs[size_t(c)], int(li), count_of(c));
      });
      std::vector<int64_t> sums(size_t(q.groups) * size_t(q.reduction), 0);
      for (const std::vector<int64_t>& p : partial) {
        for (size_t k = 0; k < sums.size(); ++k) {
          sums[k] += p[k];
        }
      }
      before_array(int(li), sums, int64_t{images.count} * q.out_shape.h * q.out_shape.w);
    }
    each_chunk([&](int c) {
      Impl::Scratch& s = scratch[size_t(c)];
      impl_->run_layer(s, inputs[size_t(c)], li, count_of(c));
      for (size_t j = 0; j < li; ++j) {
        if (last_reader[j] == li) {
          std::vector<float>().swap(s.act[j]);
        }
      }
    });
  }
}

int FunctionalEngine::int8_layers() const {
  int n = 0;
  for (size_t i = 0; i < impl_->weights.size(); ++i) {
    n += impl_->qm.layers[i].kind == QOpKind::kArray &&
         impl_->weights[i].precision == GemmPrecision::kInt8;
  }
  return n;
}

int FunctionalEngine::array_layers() const {
  int n = 0;
  for (const QLayer& q : impl_->qm.layers) {
    n += q.kind == QOpKind::kArray;
  }
  return n;
}

std::vector<ActivationRange> FunctionalEngine::ranges(const Dataset& images) const {
  // Chunks on every thread, each thread its own maxima: a maximum does not depend on the order
  // it is taken in, so the ranges are those of one pass in image order, bit for bit.
  const size_t layers = impl_->qm.layers.size();
  const int chunks = (images.count + impl_->chunk_images - 1) / impl_->chunk_images;
  const int threads = std::min(impl_->threads, std::max(1, chunks));
  const std::vector<ActivationRange> none(layers);
  std::vector<std::vector<ActivationRange>> partial(size_t(threads), none);
  std::atomic<int> next{0};
  run_on_threads(threads, [&](int t) {
    Impl::Scratch s;
    s.ranges = &partial[size_t(t)];
    for (int c = next++; c < chunks; c = next++) {
      const int first = c * impl_->chunk_images;
      impl_->run_chunk(s, images, first, std::min(impl_->chunk_images, images.count - first));
    }
  });
  std::vector<ActivationRange> r(layers);
  for (const std::vector<ActivationRange>& p : partial) {
    for (size_t li = 0; li < layers; ++li) {
      r[li].out_max_abs = std::max(r[li].out_max_abs, p[li].out_max_abs);
      r[li].pre_max_abs = std::max(r[li].pre_max_abs, p[li].pre_max_abs);
    }
  }
  return r;
}

}  // namespace safsim
