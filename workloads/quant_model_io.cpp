// The serializer and parser share one field list (visit_model below), so a field cannot be
// written without being read. Vectors are a uint64 length and their elements; a length longer
// than what is left refuses the bytes before anything is allocated.
#include "workloads/quant_model_io.h"

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace safsim {
namespace {

class Writer {
 public:
  static constexpr bool kReading = false;
  template <class T>
  void pod(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void length(uint64_t n) { pod(n); }
  bool ok() const { return true; }
  std::string out;
};

class Reader {
 public:
  static constexpr bool kReading = true;
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  void pod(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!ok_ || in_.size() - pos_ < sizeof(T)) {
      ok_ = false;
      return;
    }
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
  }
  /// A vector length, refused when the bytes left cannot hold `n` elements of `element` bytes.
  uint64_t length(size_t element) {
    uint64_t n = 0;
    pod(n);
    if (ok_ && n > (in_.size() - pos_) / (element == 0 ? 1 : element)) {
      ok_ = false;
    }
    return ok_ ? n : 0;
  }
  void fail() { ok_ = false; }
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

/// An enum as its int32 value, refused beyond `last`.
template <class IO, class E>
void enumeration(IO& io, E& e, E last) {
  int32_t v = static_cast<int32_t>(e);
  io.pod(v);
  if constexpr (IO::kReading) {
    if (v < 0 || v > static_cast<int32_t>(last)) {
      io.fail();
      return;
    }
    e = static_cast<E>(v);
  }
}

template <class IO>
void boolean(IO& io, bool& b) {
  uint8_t v = b ? 1 : 0;
  io.pod(v);
  if constexpr (IO::kReading) {
    if (v > 1) {
      io.fail();
    }
    b = v == 1;
  }
}

template <class IO>
void text(IO& io, std::string& s) {
  if constexpr (IO::kReading) {
    s.resize(io.length(1));
    for (char& c : s) {
      io.pod(c);
    }
  } else {
    io.length(s.size());
    io.out += s;
  }
}

/// A vector of elements each written by `element(io, x)`; `min_bytes` bounds the length.
template <class IO, class T, class F>
void sequence(IO& io, std::vector<T>& v, size_t min_bytes, F element) {
  if constexpr (IO::kReading) {
    v.resize(io.length(min_bytes));
  } else {
    io.length(v.size());
  }
  for (T& x : v) {
    element(io, x);
  }
}

template <class IO, class T>
void pods(IO& io, std::vector<T>& v) {
  sequence(io, v, sizeof(T), [](IO& i, T& x) { i.pod(x); });
}

template <class IO>
void shape(IO& io, Shape& s) {
  io.pod(s.c);
  io.pod(s.h);
  io.pod(s.w);
}

template <class IO>
void act_quant(IO& io, ActQuant& q) {
  io.pod(q.scale);
  io.pod(q.bits);
  boolean(io, q.is_unsigned);
  io.pod(q.qmin);
  io.pod(q.qmax);
}

template <class IO>
void requants(IO& io, std::vector<Requant>& v) {
  sequence(io, v, 2 * sizeof(int32_t), [](IO& i, Requant& r) {
    i.pod(r.multiplier);
    i.pod(r.shift);
  });
}

template <class IO>
void geom(IO& io, WindowGeom& g) {
  for (int* f : {&g.kernel_h, &g.kernel_w, &g.stride_h, &g.stride_w, &g.pad_top, &g.pad_left,
                 &g.pad_bottom, &g.pad_right, &g.dilation_h, &g.dilation_w}) {
    io.pod(*f);
  }
  boolean(io, g.count_include_pad);
}

template <class IO>
void unary(IO& io, UnaryOp& u) {
  enumeration(io, u.fn, UnaryFn::kSigmoid);
  io.pod(u.alpha);
  io.pod(u.beta);
  io.pod(u.lo);
  io.pod(u.hi);
  pods(io, u.slope);
}

template <class IO>
void layer(IO& io, QLayer& l) {
  text(io, l.name);
  enumeration(io, l.kind, QOpKind::kMul);
  boolean(io, l.is_linear);
  pods(io, l.inputs);
  shape(io, l.in_shape);
  shape(io, l.out_shape);
  geom(io, l.geom);
  act_quant(io, l.out_q);
  io.pod(l.out_channels);
  io.pod(l.reduction);
  io.pod(l.groups);
  pods(io, l.weight_words);
  pods(io, l.weight_scale);
  pods(io, l.bias);
  pods(io, l.bias_float);
  pods(io, l.pad_code);
  pods(io, l.pad_value);
  requants(io, l.requant);
  enumeration(io, l.activation, Activation::kSloped);
  unary(io, l.unary);
  act_quant(io, l.pre_q);
  pods(io, l.lut);
  requants(io, l.neg_requant);
  io.pod(l.clip_lo);
  io.pod(l.clip_hi);
  requants(io, l.add_requant);
  boolean(io, l.add_relu);
  sequence(io, l.channel_map, 2 * sizeof(int32_t), [](IO& i, ChannelSource& s) {
    i.pod(s.input);
    i.pod(s.channel);
  });
}

template <class IO>
void model(IO& io, QuantModel& m) {
  text(io, m.name);
  enumeration(io, m.weight_format.format, WeightFormat::kBf16);
  io.pod(m.weight_format.bits);
  boolean(io, m.per_channel);
  io.pod(m.accumulator_bits);
  shape(io, m.input_shape);
  act_quant(io, m.input_q);
  // A layer takes far more than 64 bytes: the bound only keeps a bad length from allocating.
  sequence(io, m.layers, 64, [](IO& i, QLayer& l) { layer(i, l); });
}

// A field added to these structs must be added above too; their sizes on this ABI say when.
#if defined(__x86_64__) && defined(__GLIBCXX__)
static_assert(sizeof(QLayer) == 528 && sizeof(UnaryOp) == 48 && sizeof(WindowGeom) == 44 &&
                  sizeof(ActQuant) == 20 && sizeof(QuantModel) == 104,
              "a QuantModel field changed: serialize it in quant_model_io.cpp and bump "
              "kQuantModelFormatVersion");
#endif

}  // namespace

std::string serialize_quant_model(const QuantModel& m) {
  Writer w;
  model(w, const_cast<QuantModel&>(m));  // the writer only reads the fields
  return std::move(w.out);
}

std::optional<QuantModel> parse_quant_model(std::string_view bytes) {
  Reader r(bytes);
  QuantModel m;
  model(r, m);
  if (!r.ok() || !r.at_end()) {
    return std::nullopt;
  }
  return m;
}

}  // namespace safsim
