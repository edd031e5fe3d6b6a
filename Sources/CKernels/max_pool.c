// Max pooling over [planes, height, width] inputs. A comparison per cell is all the work, so the
// loop overhead decides the speed: Swift's was 11 % of a CNN training step. The AVX2 variant does
// the usual 2×2 window eight outputs at a time (dispatch.h picks it when the processor can).
#include "ckernels.h"
#include "dispatch.h"

// The first maximum in row-major order; a NaN beats any number, and of several NaNs the last wins.
#define CONSIDER(index)                                                                             \
    {                                                                                              \
        const float value = x[index];                                                              \
        const int better = value > best || value != value;                                         \
        best = better ? value : best;                                                              \
        best_index = better ? (index) : best_index;                                                \
    }

#define MAX_POOL                                                                                    \
    for (int64_t plane = plane_begin; plane < plane_end; plane++) {                                \
        const int64_t base = plane * height * width;                                               \
        float *out = output + plane * out_height * out_width;                                      \
        int64_t *won = winners + plane * out_height * out_width;                                   \
        for (int64_t oy = 0; oy < out_height; oy++) {                                              \
            const int64_t top = oy * stride_y - pad_top;                                           \
            const int64_t y0 = top > 0 ? top : 0;                                                  \
            const int64_t y1 = top + kernel_height < height ? top + kernel_height : height;        \
            for (int64_t ox = 0; ox < out_width; ox++) {                                           \
                const int64_t left = ox * stride_x - pad_left;                                     \
                const int64_t x0 = left > 0 ? left : 0;                                            \
                const int64_t x1 = left + kernel_width < width ? left + kernel_width : width;      \
                int64_t best_index = base + y0 * width + x0;                                       \
                float best = x[best_index];                                                        \
                if (y1 - y0 == 2 && x1 - x0 == 2) {                                                \
                    const int64_t first = best_index;                                              \
                    CONSIDER(first + 1)                                                            \
                    CONSIDER(first + width)                                                        \
                    CONSIDER(first + width + 1)                                                    \
                } else {                                                                           \
                    for (int64_t y = y0; y < y1; y++)                                              \
                        for (int64_t column = x0; column < x1; column++) CONSIDER(base + y * width + column) \
                }                                                                                  \
                out[oy * out_width + ox] = best;                                                   \
                won[oy * out_width + ox] = best_index;                                             \
            }                                                                                      \
        }                                                                                          \
    }

#define MAX_POOL_PARAMETERS                                                                         \
    (const float *restrict x, int64_t plane_begin, int64_t plane_end, int64_t height, int64_t width, \
     int64_t kernel_height, int64_t kernel_width, int64_t stride_y, int64_t stride_x, int64_t pad_top, \
     int64_t pad_left, int64_t out_height, int64_t out_width, float *restrict output, int64_t *restrict winners)

#if defined(__x86_64__)
#include <immintrin.h>

// The usual 2×2 window with stride 2 and no padding, eight outputs at a time: the even and odd
// columns of the two input rows are the four candidates, compared in the scalar loop's order.
__attribute__((target("avx2,fma")))
static int64_t max_pool_2x2_row(const float *restrict row, int64_t row_index, int64_t width, int64_t out_width,
                                float *restrict out, int64_t *restrict won) {
    int64_t ox = 0;
    for (; ox + 8 <= out_width; ox += 8) {
        const float *top = row + 2 * ox, *bottom = top + width;
        const __m256 top_low = _mm256_loadu_ps(top), top_high = _mm256_loadu_ps(top + 8);
        const __m256 bottom_low = _mm256_loadu_ps(bottom), bottom_high = _mm256_loadu_ps(bottom + 8);
        // shuffle_ps works within 128-bit lanes; permute4x64 puts the eight outputs back in order.
        const __m256 candidates[4] = {
            _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(top_low, top_high, 0x88)), 0xD8)),
            _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(top_low, top_high, 0xDD)), 0xD8)),
            _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(bottom_low, bottom_high, 0x88)), 0xD8)),
            _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(bottom_low, bottom_high, 0xDD)), 0xD8)),
        };
        const int32_t offsets[4] = {0, 1, (int32_t)width, (int32_t)width + 1};
        __m256 best = candidates[0];
        __m256i offset = _mm256_setzero_si256();
        for (int candidate = 1; candidate < 4; candidate++) {
            const __m256 value = candidates[candidate];
            const __m256 better = _mm256_or_ps(_mm256_cmp_ps(value, best, _CMP_GT_OQ), _mm256_cmp_ps(value, value, _CMP_UNORD_Q));
            best = _mm256_blendv_ps(best, value, better);
            offset = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(offset),
                                                          _mm256_castsi256_ps(_mm256_set1_epi32(offsets[candidate])), better));
        }
        _mm256_storeu_ps(out + ox, best);
        const __m256i first = _mm256_add_epi64(_mm256_set1_epi64x(row_index + 2 * ox), _mm256_setr_epi64x(0, 2, 4, 6));
        _mm256_storeu_si256((__m256i *)(won + ox),
                            _mm256_add_epi64(first, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(offset))));
        _mm256_storeu_si256((__m256i *)(won + ox + 4),
                            _mm256_add_epi64(_mm256_add_epi64(first, _mm256_set1_epi64x(8)),
                                             _mm256_cvtepi32_epi64(_mm256_extracti128_si256(offset, 1))));
    }
    return ox;
}

__attribute__((target("avx2,fma")))
static void galen_max_pool_avx2 MAX_POOL_PARAMETERS {
    if (kernel_height == 2 && kernel_width == 2 && stride_y == 2 && stride_x == 2 && pad_top == 0 && pad_left == 0
        && 2 * out_height <= height && 2 * out_width <= width) {
        for (int64_t plane = plane_begin; plane < plane_end; plane++) {
            for (int64_t oy = 0; oy < out_height; oy++) {
                const int64_t row_index = plane * height * width + 2 * oy * width;
                float *out = output + (plane * out_height + oy) * out_width;
                int64_t *won = winners + (plane * out_height + oy) * out_width;
                for (int64_t ox = max_pool_2x2_row(x + row_index, row_index, width, out_width, out, won); ox < out_width; ox++) {
                    const int64_t first = row_index + 2 * ox;
                    int64_t best_index = first;
                    float best = x[first];
                    CONSIDER(first + 1)
                    CONSIDER(first + width)
                    CONSIDER(first + width + 1)
                    out[ox] = best;
                    won[ox] = best_index;
                }
            }
        }
        return;
    }
    MAX_POOL
}
#endif

static void galen_max_pool_portable MAX_POOL_PARAMETERS { MAX_POOL }

GALEN_DISPATCH(galen_max_pool, MAX_POOL_PARAMETERS,
               (x, plane_begin, plane_end, height, width, kernel_height, kernel_width, stride_y, stride_x, pad_top,
                pad_left, out_height, out_width, output, winners))
