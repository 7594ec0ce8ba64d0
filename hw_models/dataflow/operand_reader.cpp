// The ifmap read unit's FIFO and im2col gather.
#include "hw_models/dataflow/operand_reader.h"

#include <algorithm>

#include "hw_models/post_processing.h"

namespace safsim {

void OperandReader::begin_layer(ScheduleHost& host, int layer, int width) {
  host_ = &host;
  const QuantModel& qm = host.qm();
  const QLayer& q = qm.layers[size_t(layer)];
  const int in_layer = q.inputs[0];
  // Fixed for the layer: the input's words stay where they are while the layer runs.
  ifmap_ = &host.ifmap_buffer();
  latency_ = ifmap_->read_latency_cycles();
  is_float_ = qm.is_float();
  bytes_ = activation_bytes(qm, in_layer);
  in_codes_ = is_float_ ? nullptr : host.activations().codes_of(in_layer);
  in_values_ = is_float_ ? host.activations().values_of(in_layer) : nullptr;
  pad_code_ = q.pad_code.empty() ? nullptr : q.pad_code.data();
  pad_value_ = q.pad_value.empty() ? nullptr : q.pad_value.data();
  width_ = width;
  ready_.assign(size_t(std::max(2, latency_ + 2)), 0);
  host.qm().is_float() ? x_float_.assign(ready_.size() * width, 0.0f)
                       : x_int_.assign(ready_.size() * width, 0);
  head_ = count_ = 0;
  sram_free_at_ = 0;
}

void OperandReader::read(uint64_t n, uint64_t first_byte, uint64_t bytes, const int32_t* idx,
                         int count, int stride) {
  const int cycles = ifmap_->read_run(first_byte, bytes, n);
  sram_free_at_ = n + cycles;
  const size_t slot = (head_ + count_) % ready_.size();
  ready_[slot] = n + cycles - 1 + latency_;
  ++count_;
  // The operands leave the buffer now: unused lanes 0, padding its channel's pad code (0 unless
  // an input normalization was folded in).
  if (is_float_) {
    float* x = &x_float_[slot * width_];
    for (int r = 0; r < width_; ++r) {
      const int32_t i = r < count ? idx[size_t(r) * stride] : -1;
      x[r] = i >= 0                                ? in_values_[i]
             : pad_value_ == nullptr || r >= count ? 0.0f
                                                   : pad_value_[-1 - i];
    }
  } else {
    int32_t* x = &x_int_[slot * width_];
    for (int r = 0; r < width_; ++r) {
      const int32_t i = r < count ? idx[size_t(r) * stride] : -1;
      x[r] = i >= 0 ? in_codes_[i] : pad_code_ == nullptr || r >= count ? 0 : pad_code_[-1 - i];
    }
  }
  host_->ifmap_read(idx, count, stride, n);
}

void OperandReader::read_column(uint64_t n, const LayerPlan& p, const TilePlan& t, int k) {
  const uint64_t elem = (uint64_t(t.group) * p.reduction + k) * p.tokens + t.t0;
  const size_t first = (size_t(t.t0) * p.groups + t.group) * p.reduction + k;
  read(n, elem * bytes_, uint64_t(t.pixels) * bytes_, &p.im2col[first], t.pixels,
       p.groups * p.reduction);
}

}  // namespace safsim
