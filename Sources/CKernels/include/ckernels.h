#ifndef GALEN_CKERNELS_H
#define GALEN_CKERNELS_H

#include <stdint.h>

/// out[r, :] = sum over row r's entries k of value_k * weights[column_k, :], for rows
/// row_begin..<row_end of a compressed-sparse-rows matrix (values NULL means every value is 1).
/// weights is [?, width] and out [rows, width], both row-major.
void galen_gather_sum(int64_t row_begin, int64_t row_end, const int64_t *row_starts, const int32_t *columns,
                      const float *values, const float *weights, int64_t width, float *out);

#endif
