#ifndef GALEN_CKERNELS_H
#define GALEN_CKERNELS_H

#include <stdint.h>

/// The width of the column tiles galen_pack_column_tiles makes.
#define GALEN_GATHER_TILE_COLUMNS 64

/// Rearranges weights [inputs, width] (row-major) so that each run of GALEN_GATHER_TILE_COLUMNS
/// columns (the last may be narrower) is one contiguous row-major [inputs, tile width] block, the
/// block of columns from c starting at packed + inputs * c; tiles tile_begin..<tile_end.
void galen_pack_column_tiles(const float *weights, int64_t inputs, int64_t width, int64_t tile_begin, int64_t tile_end,
                             float *packed);

/// out[r, :] = sum over row r's entries k of value_k * weights[column_k, :] (+ bias), for rows
/// row_begin..<row_end of a compressed-sparse-rows matrix (values NULL means every value is 1,
/// bias NULL no bias; the bias is added after the sum). The weights [inputs, width] come packed
/// by galen_pack_column_tiles; out is [rows, width], row-major.
void galen_gather_sum(int64_t row_begin, int64_t row_end, const int64_t *row_starts, const int32_t *columns,
                      const float *values, const float *packed, int64_t inputs, int64_t width, const float *bias, float *out);

/// Asks the processor to start loading the cache lines of `bytes` from `address`: for rows a
/// later call reads that lie too far apart for the hardware prefetcher to guess (one row per
/// sequence of a batch-major [B, T, H] array).
static inline void galen_prefetch(const void *address, int64_t bytes) {
    const uintptr_t end = (uintptr_t)address + (uintptr_t)bytes;
    for (uintptr_t line = (uintptr_t)address & ~(uintptr_t)63; line < end; line += 64) __builtin_prefetch((const void *)line, 0);
}

/// One LSTM step's gates and states for one sequence: the gate pre-activations (input, forget,
/// cell, output; 4 * hidden) are `inputs` (x·W_ih) plus `bias` plus `gates` (h·W_hh), and
/// `gates` receives their activations; unless `carry`,
/// c_next = f * c_previous + i * g, cell_tanh = tanh(c_next), h_next = o * cell_tanh; with
/// `carry` (a masked step) c and h are copied forward.
void galen_lstm_cell(const float *inputs, const float *bias, float *gates, const float *c_previous, const float *h_previous, float *c_next, float *h_next,
                     float *cell_tanh, int64_t hidden, int carry);

/// One GRU step for one sequence: r, z from inputs + bias + projections, n = tanh(inputs_n +
/// bias_n + r * projections_n) into `gates` (3 * hidden), and h_next = (1 - z) * n + z *
/// h_previous, or h_previous when `carry`.
void galen_gru_cell(const float *inputs, const float *bias, const float *projections, float *gates, const float *h_previous, float *h_next,
                    int64_t hidden, int carry);

/// Backward through one LSTM step for one sequence. `dh` holds the gradient reaching h_t from the
/// step after; `dc` is dL/dc_t in and dL/dc_{t-1} out; d_gates receives the 4 * hidden
/// pre-activation gradients, which are added to d_bias. A `carry` step's gates get zeros, `dh`
/// receives dL/dh_t (upstream added) and `dc` passes through unchanged.
void galen_lstm_cell_backward(const float *upstream, float *dh, float *dc, const float *gates, const float *cell_tanh,
                              const float *c_previous, float *d_gates, float *d_bias, int64_t hidden, int carry);

/// Backward through one GRU step for one sequence. `dh` holds the gradient reaching h_t from the
/// step after (read only); d_inputs receives d(x·W_ih + b_ih) and d_projections d(h·W_hh + b_hh),
/// 3 * hidden each, added to d_bias and d_recurrent_bias; `direct` receives the part of
/// dL/dh_{t-1} that does not pass through W_hh.
void galen_gru_cell_backward(const float *upstream, const float *dh, const float *gates, const float *projections,
                             const float *h_previous, float *d_inputs, float *d_projections, float *direct, float *d_bias,
                             float *d_recurrent_bias, int64_t hidden, int carry);

/// Max pooling of planes plane_begin..<plane_end of x [planes, height, width] into output
/// [planes, out_height, out_width]; winners receives the index into x of each window's maximum
/// (the first in row-major order; a NaN beats any number, the last of several NaNs wins). Windows are clipped to the input, so padding never
/// wins; every window must hold at least one input cell.
void galen_max_pool(const float *x, int64_t plane_begin, int64_t plane_end, int64_t height, int64_t width,
                    int64_t kernel_height, int64_t kernel_width, int64_t stride_y, int64_t stride_x, int64_t pad_top,
                    int64_t pad_left, int64_t out_height, int64_t out_width, float *output, int64_t *winners);

/// SHA-256 (FIPS 180-4) compression of `count` whole 64-byte blocks into `state` (eight words,
/// a, b, ..., h); padding is the caller's. Uses the x86 SHA extensions when the processor has them.
void galen_sha256_blocks(uint32_t state[8], const uint8_t *blocks, int64_t count);

/// The same without the SHA extensions, on any processor (tests compare the two).
void galen_sha256_blocks_portable(uint32_t state[8], const uint8_t *blocks, int64_t count);

#endif
