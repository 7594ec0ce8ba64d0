// Channels-last tensor operations of the functional engine.
#include "sim/engines/tensor_ops.h"

#include <algorithm>
#include <limits>

#include "hw_models/arithmetic.h"

namespace safsim {

void quantize_images_channels_last(const QuantModel& qm, const Dataset& d, int first, int count,
                                   std::vector<float>& out) {
  const Shape& s = qm.input_shape;
  const int hw = s.h * s.w;
  float lut[256];
  for (int p = 0; p < 256; ++p) {
    lut[p] = qm.is_float() ? static_cast<float>(p) / 255.0f
                           : static_cast<float>(quantize_pixel(uint8_t(p), qm.input_q));
  }
  out.resize(size_t(count) * s.size());
  for (int i = 0; i < count; ++i) {
    const uint8_t* img = d.image(first + i);
    float* o = out.data() + size_t(i) * s.size();
    for (int c = 0; c < s.c; ++c) {
      for (int p = 0; p < hw; ++p) {
        o[size_t(p) * s.c + c] = lut[img[size_t(c) * hw + p]];
      }
    }
  }
}

namespace {

// Any geometry: every cell of the (batch*OH*OW) x K matrix of group `group` is written, the
// in-bounds ones from the input and the others with their channel's padding value.
void im2col_general(const std::vector<float>& in, const QLayer& q, int batch, int group,
                    const std::vector<float>& pad, std::vector<float>& cols) {
  const WindowGeom& g = q.geom;
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const int cg = q.group_in(), c0 = group * cg;
  const int k = q.reduction;
  cols.resize(size_t(batch) * os.h * os.w * k);
  for (int b = 0; b < batch; ++b) {
    const float* img = in.data() + size_t(b) * is.size();
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        float* row = cols.data() + ((size_t(b) * os.h + oy) * os.w + ox) * k;
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          for (int kx = 0; kx < g.kernel_w; ++kx) {
            const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            float* dst = row + (size_t(ky) * g.kernel_w + kx) * cg;
            if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) {
              for (int c = 0; c < cg; ++c) {
                dst[c] = pad.empty() ? 0.0f : pad[size_t(c0 + c)];
              }
              continue;
            }
            const float* src = img + (size_t(iy) * is.w + ix) * is.c + c0;
            std::copy(src, src + cg, dst);
          }
        }
      }
    }
  }
}

}  // namespace

const float* im2col_channels_last(const std::vector<float>& in, const QLayer& q, int batch,
                                  const std::vector<float>& pad, int group,
                                  std::vector<float>& cols) {
  const WindowGeom& g = q.geom;
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const bool padded = g.pad_top || g.pad_left || g.pad_bottom || g.pad_right;
  if (q.groups > 1 || g.dilation_h != 1 || g.dilation_w != 1 || (padded && !pad.empty())) {
    im2col_general(in, q, batch, group, pad, cols);
    return cols.data();
  }
  if (g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 && !padded) {
    return in.data();
  }
  const int k = q.reduction;
  const size_t size = size_t(batch) * os.h * os.w * k;
  if (padded) {
    cols.assign(size, 0.0f);  // zero padding: code 0 is the real value 0
  } else {
    cols.resize(size);
  }
  // In channels-last order one kernel row (kw x C values) is contiguous in the input and in the
  // im2col row, so each (output position, ky) is one contiguous copy of its in-bounds part.
  for (int b = 0; b < batch; ++b) {
    const float* img = in.data() + size_t(b) * is.size();
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        float* row = cols.data() + ((size_t(b) * os.h + oy) * os.w + ox) * k;
        const int x0 = ox * g.stride_w - g.pad_left;
        const int xa = std::max(x0, 0), xb = std::min(x0 + g.kernel_w, is.w);
        if (xa >= xb) {
          continue;
        }
        const int n = (xb - xa) * is.c;
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky;
          if (iy < 0 || iy >= is.h) {
            continue;
          }
          const float* src = img + (size_t(iy) * is.w + xa) * is.c;
          float* dst = row + (size_t(ky) * g.kernel_w + (xa - x0)) * is.c;
          for (int i = 0; i < n; ++i) {
            dst[i] = src[i];
          }
        }
      }
    }
  }
  return cols.data();
}

void depthwise_channels_last(const std::vector<float>& in, const QLayer& q, int batch,
                             const std::vector<float>& pad, const float* w,
                             std::vector<float>& acc) {
  const WindowGeom& g = q.geom;
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const int c_n = is.c;
  const std::vector<float> zeros(pad.empty() ? size_t(c_n) : 0, 0.0f);
  const float* pad_cell = pad.empty() ? zeros.data() : pad.data();
  acc.assign(size_t(batch) * os.h * os.w * c_n, 0.0f);
  // Channels-last: one tap of all channels is a contiguous vector in the input, the weights and
  // the output row, so the innermost loop is a vectorizable multiply-add over channels.
  for (int b = 0; b < batch; ++b) {
    const float* img = in.data() + size_t(b) * is.size();
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        float* dst = acc.data() + ((size_t(b) * os.h + oy) * os.w + ox) * c_n;
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          for (int kx = 0; kx < g.kernel_w; ++kx) {
            const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            const bool inside = iy >= 0 && iy < is.h && ix >= 0 && ix < is.w;
            const float* src = inside ? img + (size_t(iy) * is.w + ix) * c_n : pad_cell;
            const float* wt = w + (size_t(ky) * g.kernel_w + kx) * c_n;
            for (int c = 0; c < c_n; ++c) {
              dst[c] += src[c] * wt[c];
            }
          }
        }
      }
    }
  }
}

namespace {

// Calls f(b, oy, ox, c, value) for each output element with the values of its window.
template <class Reduce>
void pool_channels_last(const std::vector<float>& in, const QLayer& q, int batch,
                        std::vector<float>& out, Reduce&& reduce) {
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom g = pool_geometry(q);
  out.resize(size_t(batch) * os.size());
  for (int b = 0; b < batch; ++b) {
    const float* img = in.data() + size_t(b) * is.size();
    float* dst = out.data() + size_t(b) * os.size();
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        const PoolWindow w = pool_window(g, is, oy, ox);
        for (int c = 0; c < is.c; ++c) {
          dst[(size_t(oy) * os.w + ox) * os.c + c] =
              reduce(img, c, w.y0, w.y1, w.x0, w.x1, w.divisor, is);
        }
      }
    }
  }
}

}  // namespace

template <typename T>
void max_pool_channels_last(const T* in, const QLayer& q, int batch, T* out) {
  const Shape& is = q.in_shape;
  const Shape& os = q.out_shape;
  const WindowGeom& g = q.geom;
  const int c_n = is.c;  // a local: the stores below cannot change it (vectorizes the max)
  constexpr T kFloor = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                            : std::numeric_limits<T>::lowest();
  // Channels are contiguous. Per output row: the max over the window's input rows, a whole
  // input row (W x C values, contiguous: it vectorizes) at a time, then per output pixel the
  // max over the window's columns of that, C values at a time. A window's rows depend on oy only.
  std::vector<T> row_max(size_t(is.w) * c_n);
  for (int b = 0; b < batch; ++b) {
    const T* img = in + size_t(b) * is.size();
    for (int oy = 0; oy < os.h; ++oy) {
      const PoolWindow rows = pool_window(g, is, oy, 0);
      std::fill(row_max.begin(), row_max.end(), kFloor);
      for (int y = rows.y0; y < rows.y1; ++y) {
        const T* __restrict src = img + size_t(y) * is.w * c_n;
        T* __restrict m = row_max.data();
        for (size_t i = 0; i < row_max.size(); ++i) {
          m[i] = std::max(m[i], src[i]);
        }
      }
      for (int ox = 0; ox < os.w; ++ox) {
        T* __restrict dst = out + size_t(b) * os.size() + (size_t(oy) * os.w + ox) * c_n;
        std::fill(dst, dst + c_n, kFloor);
        const PoolWindow w = pool_window(g, is, oy, ox);
        for (int x = w.x0; x < w.x1; ++x) {
          const T* __restrict src = row_max.data() + size_t(x) * c_n;
          for (int c = 0; c < c_n; ++c) {
            dst[c] = std::max(dst[c], src[c]);
          }
        }
      }
    }
  }
}

template void max_pool_channels_last(const int32_t*, const QLayer&, int, int32_t*);

void max_pool_channels_last(const std::vector<float>& in, const QLayer& q, int batch,
                            std::vector<float>& out) {
  out.resize(size_t(batch) * q.out_shape.size());
  max_pool_channels_last(in.data(), q, batch, out.data());
}

void avg_pool_channels_last(const std::vector<float>& in, const QLayer& q, int batch, bool is_float,
                            std::vector<float>& out) {
  pool_channels_last(in, q, batch, out,
                     [is_float, &q](const float* img, int c, int ya, int yb, int xa, int xb,
                                    int window, const Shape& is) {
                       if (is_float) {
                         float sum = 0.0f;
                         for (int y = ya; y < yb; ++y) {
                           for (int x = xa; x < xb; ++x) {
                             sum += img[(size_t(y) * is.w + x) * is.c + c];
                           }
                         }
                         return sum / static_cast<float>(window);
                       }
                       int64_t sum = 0;
                       for (int y = ya; y < yb; ++y) {
                         for (int x = xa; x < xb; ++x) {
                           sum += static_cast<int64_t>(img[(size_t(y) * is.w + x) * is.c + c]);
                         }
                       }
                       return static_cast<float>(avg_pool_int(sum, window, q));
                     });
}

void residual_add_channels_last(const std::vector<float>& a, const std::vector<float>& b,
                                const QLayer& q, bool is_float, std::vector<float>& out) {
  out.resize(a.size());
  if (is_float) {
    for (size_t i = 0; i < a.size(); ++i) {
      const float v = a[i] + b[i];
      out[i] = q.add_relu && v < 0.0f ? 0.0f : v;
    }
    return;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    out[i] = static_cast<float>(
        residual_add_int(static_cast<int32_t>(a[i]), static_cast<int32_t>(b[i]), q));
  }
}

void unary_channels_last(const std::vector<float>& in, const QLayer& q, int batch, bool is_float,
                         std::vector<float>& out) {
  const int channels = q.in_shape.c;
  const size_t pixels = size_t(batch) * q.in_shape.h * q.in_shape.w;
  out.resize(in.size());
  if (is_float) {
    for (size_t p = 0; p < pixels; ++p) {
      for (int c = 0; c < channels; ++c) {
        out[p * channels + c] = activate_float(in[p * channels + c], c, q);
      }
    }
    return;
  }
  with_post_rule(q, [&](auto rule) {
    for (size_t p = 0; p < pixels; ++p) {
      for (int c = 0; c < channels; ++c) {
        const size_t i = p * channels + c;
        out[i] = static_cast<float>(
            activate_int<decltype(rule)::value>(static_cast<int32_t>(in[i]), c, q));
      }
    }
  });
}

void concat_channels_last(const std::vector<const std::vector<float>*>& ins,
                          const std::vector<int>& in_channels, const QLayer& q, int batch,
                          bool is_float, std::vector<float>& out) {
  const int oc = q.out_shape.c;
  const size_t pixels = size_t(batch) * q.out_shape.h * q.out_shape.w;
  out.resize(pixels * oc);
  for (size_t p = 0; p < pixels; ++p) {
    for (int c = 0; c < oc; ++c) {
      const ChannelSource& s = q.channel_map[size_t(c)];
      const float v = (*ins[size_t(s.input)])[p * in_channels[size_t(s.input)] + s.channel];
      out[p * oc + c] =
          is_float ? v : static_cast<float>(concat_int(static_cast<int32_t>(v), s.input, q));
    }
  }
}

void mul_channels_last(const std::vector<float>& a, const std::vector<float>& b, bool broadcast,
                       const QLayer& q, int batch, bool is_float, std::vector<float>& out) {
  const int c_count = q.out_shape.c;
  const size_t plane = size_t(q.out_shape.h) * q.out_shape.w;
  out.resize(a.size());
  for (int n = 0; n < batch; ++n) {
    for (size_t p = 0; p < plane; ++p) {
      for (int c = 0; c < c_count; ++c) {
        const size_t i = (size_t(n) * plane + p) * c_count + c;
        const float bv = b[broadcast ? size_t(n) * c_count + c : i];
        out[i] = is_float ? a[i] * bv
                          : static_cast<float>(
                                mul_int(static_cast<int32_t>(a[i]), static_cast<int32_t>(bv), q));
      }
    }
  }
}

void flatten_to_chw(const std::vector<float>& in, const Shape& s, int batch,
                    std::vector<float>& out) {
  out.resize(size_t(batch) * s.size());
  for (int b = 0; b < batch; ++b) {
    std::vector<float> one(in.begin() + size_t(b) * s.size(),
                           in.begin() + size_t(b + 1) * s.size());
    std::vector<float> chw;
    channels_last_to_chw(one, s, chw);
    std::copy(chw.begin(), chw.end(), out.begin() + size_t(b) * s.size());
  }
}

void channels_last_to_chw(const std::vector<float>& in, const Shape& s, std::vector<float>& out) {
  out.resize(s.size());
  const int hw = s.h * s.w;
  for (int p = 0; p < hw; ++p) {
    for (int c = 0; c < s.c; ++c) {
      out[size_t(c) * hw + p] = in[size_t(p) * s.c + c];
    }
  }
}

}  // namespace safsim
