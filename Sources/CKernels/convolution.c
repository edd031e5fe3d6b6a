// Direct 2-D convolution of one image, for layers whose windows hold few inputs (C·kH·kW small:
// a first layer on grey or colour images). There im2col and a matrix product spend more time
// moving data than multiplying: the unfolded matrix is written and read, the product packs it
// again and clears its output first; for 32 filters of 3×3 on 64×64 grey images that took 5.1 ms
// a batch of 32 forward. Here each run of output columns is summed in registers from a
// zero-padded copy of the input, one multiply-add per kernel tap.
#include "ckernels.h"
#include "dispatch.h"

enum { conv_span = 64 };

// Output columns first..<first + span of one output row, the sums in a local array across every
// tap and stored once: with a constant span and stride (the callers' full spans at stride 1) the
// array lives in vector registers.
static inline __attribute__((always_inline)) void conv_row_span(const galen_conv_shape *s, const float *padded, const float *filters,
                                                                int64_t o, int64_t oy, int64_t first, int64_t span, int64_t stride_x,
                                                                float start, float *row) {
    float sums[conv_span];
    for (int64_t j = 0; j < span; j++) sums[j] = start;
    for (int64_t c = 0; c < s->channels; c++) {
        for (int64_t ty = 0; ty < s->kernel_height; ty++) {
            const float *line = padded + (c * s->padded_height + oy * s->stride_y + ty * s->dilation_y) * s->padded_width + first * stride_x;
            const float *weights = filters + ((o * s->channels + c) * s->kernel_height + ty) * s->kernel_width;
            for (int64_t tx = 0; tx < s->kernel_width; tx++) {
                const float *source = line + tx * s->dilation_x, weight = weights[tx];
                for (int64_t j = 0; j < span; j++) sums[j] += weight * source[j * stride_x];
            }
        }
    }
    for (int64_t j = 0; j < span; j++) row[first + j] = sums[j];
}

GALEN_COMPILED_TWICE(galen_conv_direct,
                     (const galen_conv_shape *s, const float *padded, const float *filters, const float *bias, float *out),
    for (int64_t o = 0; o < s->outputs; o++) {
        const float start = bias ? bias[o] : 0.0f;
        for (int64_t oy = 0; oy < s->out_height; oy++) {
            float *row = out + (o * s->out_height + oy) * s->out_width;
            int64_t first = 0;
            if (s->stride_x == 1) {
                for (; first + conv_span <= s->out_width; first += conv_span) conv_row_span(s, padded, filters, o, oy, first, conv_span, 1, start, row);
            }
            for (; first < s->out_width; first += conv_span) {
                const int64_t left = s->out_width - first;
                conv_row_span(s, padded, filters, o, oy, first, left < conv_span ? left : conv_span, s->stride_x, start, row);
            }
        }
    })

GALEN_DISPATCH(galen_conv_direct, (const galen_conv_shape *s, const float *padded, const float *filters, const float *bias, float *out),
               (s, padded, filters, bias, out))

// Each filter tap's gradient is a dot product of the upstream plane with the shifted input; the
// sum may be reordered so that it is vectorised (the same order on every run).
GALEN_COMPILED_TWICE(galen_conv_direct_backward,
                     (const galen_conv_shape *s, const float *padded, const float *filters, const float *upstream,
                      float *filter_gradient, float *padded_gradient),
    _Pragma("clang fp reassociate(on)")
    for (int64_t o = 0; o < s->outputs; o++) {
        for (int64_t c = 0; c < s->channels; c++) {
            for (int64_t ty = 0; ty < s->kernel_height; ty++) {
                for (int64_t tx = 0; tx < s->kernel_width; tx++) {
                    const int64_t tap = ((o * s->channels + c) * s->kernel_height + ty) * s->kernel_width + tx;
                    const float weight = filters[tap];
                    float sum = 0.0f;
                    for (int64_t oy = 0; oy < s->out_height; oy++) {
                        const int64_t at = (c * s->padded_height + oy * s->stride_y + ty * s->dilation_y) * s->padded_width + tx * s->dilation_x;
                        const float *line = padded + at, *d = upstream + (o * s->out_height + oy) * s->out_width;
                        if (filter_gradient) {
                            for (int64_t ox = 0; ox < s->out_width; ox++) sum += d[ox] * line[ox * s->stride_x];
                        }
                        if (padded_gradient) {
                            float *target = padded_gradient + at;
                            for (int64_t ox = 0; ox < s->out_width; ox++) target[ox * s->stride_x] += weight * d[ox];
                        }
                    }
                    if (filter_gradient) filter_gradient[tap] += sum;
                }
            }
        }
    })

GALEN_DISPATCH(galen_conv_direct_backward,
               (const galen_conv_shape *s, const float *padded, const float *filters, const float *upstream, float *filter_gradient,
                float *padded_gradient),
               (s, padded, filters, upstream, filter_gradient, padded_gradient))

GALEN_COMPILED_TWICE(galen_row_sums, (const float *x, int64_t rows, int64_t length, float *sums),
    _Pragma("clang fp reassociate(on)")
    for (int64_t r = 0; r < rows; r++) {
        float sum = 0.0f;
        for (int64_t i = 0; i < length; i++) sum += x[r * length + i];
        sums[r] += sum;
    })

GALEN_DISPATCH(galen_row_sums, (const float *x, int64_t rows, int64_t length, float *sums), (x, rows, length, sums))
