// Scheduled flips in the words the controller holds (docs/faults.md, "Scheduled flips"): the
// ifmap buffer's activation words and the ofmap/psum buffer's accumulators, and every read and
// write of them that decides whether a landed flip is effective or masked.
#include "hw_models/activation_faults.h"
#include "hw_models/arithmetic.h"
#include "hw_models/controller.h"

namespace safsim {

void Controller::set_scheduled_flips(ScheduledFlipInjector* flips, const FlipAddressMap* map) {
  flips_ = flips;
  flip_map_ = map;
  if (flips_ == nullptr) {
    return;
  }
  flips_->set_target(FlipMemory::kIfmap, [this](int64_t a, int bit) { flip_ifmap(a, bit); });
  flips_->set_target(FlipMemory::kOfmap, [this](int64_t a, int bit) { flip_ofmap(a, bit); });
}

// The stored word of an activation flips; a flatten's output is the same words under another
// name, so its copy in the model flips too.
void Controller::flip_ifmap(int64_t address, int bit) {
  const auto [layer, element] = flip_map_->ifmap_word(address);
  const uint32_t mask = 1u << bit;
  const size_t e = size_t(element);
  if (layer < 0 && qm_.is_float()) {
    store_.input_float[e] = ActivationFaultPlan::flip_value(store_.input_float[e], mask);
    return;
  }
  if (layer < 0) {
    store_.input[e] = flip_activation_code(qm_.input_q, store_.input[e], mask);
    return;
  }
  for (size_t l = 0; l < qm_.layers.size(); ++l) {
    if (flip_map_->storage(static_cast<int>(l)) != layer) {
      continue;
    }
    if (qm_.is_float()) {
      store_.values[l][e] = ActivationFaultPlan::flip_value(store_.values[l][e], mask);
    } else {
      store_.codes[l][e] =
          flip_activation_code(qm_.layers[size_t(layer)].out_q, store_.codes[l][e], mask);
    }
  }
}

// A psum accumulator is an accumulator_bits-wide two's complement word (fp32 in float formats).
void Controller::flip_ofmap(int64_t address, int bit) {
  const int64_t entries = flip_map_->psum_entries();
  const int half = static_cast<int>(address / entries);
  const size_t i = size_t(address % entries);
  if (qm_.is_float()) {
    psum_float_[half][i] = ActivationFaultPlan::flip_value(psum_float_[half][i], 1u << bit);
  } else {
    psum_[half][i] = wrap_accumulator(psum_[half][i] ^ (int64_t{1} << bit), qm_.accumulator_bits);
  }
}

// Every word of a storage layer (or the input image) is read or written.
void Controller::ifmap_range_access(int storage_layer, FlipOutcome outcome, uint64_t n) {
  const int64_t first = flip_map_->ifmap_base(storage_layer);
  const int64_t count =
      static_cast<int64_t>(storage_layer < 0 ? qm_.input_shape.size()
                                             : qm_.layers[size_t(storage_layer)].out_shape.size());
  flips_->decide_if(FlipMemory::kIfmap, outcome, n,
                    [first, count](int64_t a) { return a >= first && a < first + count; });
}

// A non-array layer on the PPU reads (part of) its inputs, then writes its output.
void Controller::ifmap_ppu_layer_access(const QLayer& q, uint64_t n) {
  for (size_t i = 0; i < q.inputs.size(); ++i) {
    const int in = q.inputs[i];
    const int s = flip_map_->storage(in);
    const int64_t first = flip_map_->ifmap_base(s);
    const int64_t count = (in < 0 ? qm_.input_shape : qm_.layers[size_t(in)].out_shape).size();
    flips_->decide_if(FlipMemory::kIfmap, FlipOutcome::kEffective, n, [&](int64_t a) {
      return a >= first && a < first + count && ppu_.reads_input(layer_, int(i), a - first);
    });
  }
  if (q.kind != QOpKind::kFlatten) {
    ifmap_range_access(layer_, FlipOutcome::kMasked, n);
  }
}

// The read unit reads one vector's operands: elements idx[r * stride], r < count (-1 - c is
// padding).
void Controller::ifmap_token_read(int storage_layer, const int32_t* idx, int count, int stride,
                                  uint64_t n) {
  const int64_t first = flip_map_->ifmap_base(storage_layer);
  flips_->decide_if(FlipMemory::kIfmap, FlipOutcome::kEffective, n, [&](int64_t a) {
    const int64_t e = a - first;
    for (int r = 0; r < count; ++r) {
      if (idx[size_t(r) * stride] == e) {
        return true;
      }
    }
    return false;
  });
}

// The PPU reads a finished psum tile from half `half` and writes the tile's output words.
void Controller::tile_access(const TilePlan& tp, int half, uint64_t n) {
  if (watching(FlipMemory::kOfmap)) {
    const int64_t entries = flip_map_->psum_entries();
    flips_->decide_if(FlipMemory::kOfmap, FlipOutcome::kEffective, n, [&](int64_t a) {
      const int64_t e = a - half * entries;
      if (e < 0 || e >= entries) {
        return false;
      }
      const auto [pixel, channel] = plan_->psum_position(e);
      return pixel < tp.pixels && channel < tp.channels;
    });
  }
  if (watching(FlipMemory::kIfmap)) {
    const int64_t first = flip_map_->ifmap_base(plan_->layer);
    const int64_t tokens = plan_->tokens;
    flips_->decide_if(FlipMemory::kIfmap, FlipOutcome::kMasked, n, [&](int64_t a) {
      const int64_t e = a - first;
      const int64_t o = e / tokens - tp.o0, t = e % tokens - tp.t0;
      return e >= 0 && o >= 0 && o < tp.channels && t >= 0 && t < tp.pixels;
    });
  }
}

// The array adds into (or, for a first row fold, overwrites) one psum accumulator.
void Controller::PsumWatch::on_psum_access(const void* entry, bool overwrite, uint64_t cycle) {
  Controller& c = *owner;
  const int64_t entries = c.flip_map_->psum_entries();
  for (int h = 0; h < 2; ++h) {
    const char* base = c.qm_.is_float() ? reinterpret_cast<const char*>(c.psum_float_[h].data())
                                        : reinterpret_cast<const char*>(c.psum_[h].data());
    const size_t size = c.qm_.is_float() ? sizeof(float) : sizeof(int64_t);
    const char* p = static_cast<const char*>(entry);
    if (p >= base && p < base + size * size_t(entries)) {
      const int64_t address = h * entries + (p - base) / static_cast<int64_t>(size);
      overwrite ? c.flips_->on_write(FlipMemory::kOfmap, address, cycle)
                : c.flips_->on_read(FlipMemory::kOfmap, address, cycle);
      return;
    }
  }
}

}  // namespace safsim
