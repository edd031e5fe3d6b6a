// Sums along rows, vectorised: Swift adds floats one at a time in order, and so would C unless
// the sum may be reordered (the same order on every run).
#include "ckernels.h"
#include "dispatch.h"

GALEN_COMPILED_TWICE(galen_row_sums, (const float *x, int64_t rows, int64_t length, float *sums),
    _Pragma("clang fp reassociate(on)")
    for (int64_t r = 0; r < rows; r++) {
        float sum = 0.0f;
        for (int64_t i = 0; i < length; i++) sum += x[r * length + i];
        sums[r] += sum;
    })

GALEN_DISPATCH(galen_row_sums, (const float *x, int64_t rows, int64_t length, float *sums), (x, rows, length, sums))
