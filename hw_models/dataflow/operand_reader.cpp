// The ifmap read unit's FIFO and im2col gather.
#include "hw_models/dataflow/operand_reader.h"

#include <algorithm>

#include "hw_models/post_processing.h"

namespace safsim {

void OperandReader::begin_layer(ScheduleHost& host, int layer, int width) {
  host_ = &host;
  layer_ = layer;
  in_layer_ = host.qm().layers[size_t(layer)].inputs[0];
  width_ = width;
  ready_.assign(size_t(std::max(2, host.ifmap_buffer().read_latency_cycles() + 2)), 0);
  host.qm().is_float() ? x_float_.assign(ready_.size() * width, 0.0f)
                       : x_int_.assign(ready_.size() * width, 0);
  head_ = count_ = 0;
  sram_free_at_ = 0;
}

void OperandReader::read(uint64_t n, uint64_t first_byte, uint64_t bytes, const int32_t* idx,
                         int count, int stride) {
  SramIf& ifmap = host_->ifmap_buffer();
  const int cycles = ifmap.read_run(first_byte, bytes, n);
  sram_free_at_ = n + cycles;
  const size_t slot = (head_ + count_) % ready_.size();
  ready_[slot] = n + cycles - 1 + ifmap.read_latency_cycles();
  ++count_;
  // The operands leave the buffer now: unused lanes 0, padding its channel's pad code (0 unless
  // an input normalization was folded in).
  const QuantModel& qm = host_->qm();
  const QLayer& q = qm.layers[size_t(layer_)];
  const ActivationStore& store = host_->activations();
  if (qm.is_float()) {
    const float* in = store.values_of(in_layer_);
    float* x = &x_float_[slot * width_];
    for (int r = 0; r < width_; ++r) {
      const int32_t i = r < count ? idx[size_t(r) * stride] : -1;
      x[r] = i >= 0 ? in[i] : q.pad_value.empty() || r >= count ? 0.0f : q.pad_value[-1 - i];
    }
  } else {
    const int32_t* in = store.codes_of(in_layer_);
    int32_t* x = &x_int_[slot * width_];
    for (int r = 0; r < width_; ++r) {
      const int32_t i = r < count ? idx[size_t(r) * stride] : -1;
      x[r] = i >= 0 ? in[i] : q.pad_code.empty() || r >= count ? 0 : q.pad_code[-1 - i];
    }
  }
  host_->ifmap_read(idx, count, stride, n);
}

}  // namespace safsim
