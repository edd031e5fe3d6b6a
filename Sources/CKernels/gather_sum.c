// Sums of weight rows for sparse rows, with a hand-written AVX2 variant and a portable one (dispatch.h).
#include "ckernels.h"
#include "dispatch.h"

#include <stddef.h>

// For each row: clear its output, then add each entry's scaled weight row with ACCUMULATE, which
// sees `target`, `source`, `scale` and `width`.
#define GATHER_ROWS(ACCUMULATE)                                                                     \
    for (int64_t row = row_begin; row < row_end; row++) {                                          \
        float *target = out + row * width;                                                         \
        for (int64_t column = 0; column < width; column++) target[column] = 0;                     \
        for (int64_t entry = row_starts[row]; entry < row_starts[row + 1]; entry++) {             \
            const float *source = weights + (int64_t)columns[entry] * width;                       \
            const float scale = values ? values[entry] : 1.0f;                                     \
            ACCUMULATE                                                                             \
        }                                                                                          \
    }

#if defined(__x86_64__)
#include <immintrin.h>

// Each row's output (a few kilobytes) stays in L1 while the weight rows of its entries stream
// through, eight lanes at a time with fused multiply-adds.
__attribute__((target("avx2,fma")))
static void galen_gather_sum_avx2(int64_t row_begin, int64_t row_end, const int64_t *row_starts, const int32_t *columns,
                            const float *values, const float *weights, int64_t width, float *out) {
    const int64_t lanes = width / 8 * 8;
    GATHER_ROWS(
        const __m256 factor = _mm256_set1_ps(scale);
        for (int64_t column = 0; column < lanes; column += 8) {
            _mm256_storeu_ps(target + column,
                             _mm256_fmadd_ps(factor, _mm256_loadu_ps(source + column), _mm256_loadu_ps(target + column)));
        }
        for (int64_t column = lanes; column < width; column++) target[column] += scale * source[column];
    )
}
#endif

static void galen_gather_sum_portable(int64_t row_begin, int64_t row_end, const int64_t *row_starts, const int32_t *columns,
                                const float *values, const float *weights, int64_t width, float *out) {
    GATHER_ROWS(for (int64_t column = 0; column < width; column++) target[column] += scale * source[column];)
}

GALEN_DISPATCH(galen_gather_sum,
               (int64_t row_begin, int64_t row_end, const int64_t *row_starts, const int32_t *columns, const float *values,
                const float *weights, int64_t width, float *out),
               (row_begin, row_end, row_starts, columns, values, weights, width, out))
