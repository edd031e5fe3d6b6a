// The gate passes of one LSTM or GRU step: for each of `hidden` units, three or four logistic or
// tanh evaluations and a few products. libm's expf is a call per element, so these run here,
// through an exp the compiler can vectorise (AVX2 when the processor has it, see dispatch.h).
#include "ckernels.h"
#include "dispatch.h"

#include <string.h>

// e^x to within 2 ulp over [-87, 88] (Cephes' expf: x = n ln 2 + r, a degree-6 polynomial in r,
// then 2^n by building the exponent bits); NaN stays NaN. Branch-free so that loops over it vectorise.
static inline float exp_approx(float input) {
    const int is_nan = input != input;
    float x = is_nan ? 0.0f : input;  // converting NaN to an integer below would be undefined
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float n = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
    const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return is_nan ? input : p * scale;
}

static inline float logistic(float x) { return 1.0f / (1.0f + exp_approx(-x)); }

static inline float hyperbolic_tangent(float x) {
    const float clipped = x < -15.0f ? -15.0f : (x > 15.0f ? 15.0f : x);
    return 1.0f - 2.0f / (exp_approx(2.0f * clipped) + 1.0f);
}

#define LSTM_CELL                                                                                   \
    for (int64_t j = 0; j < hidden; j++) {                                                         \
        gates[j] = logistic(inputs[j] + bias[j] + gates[j]);                                       \
        gates[hidden + j] = logistic(inputs[hidden + j] + bias[hidden + j] + gates[hidden + j]);   \
        gates[2 * hidden + j] = hyperbolic_tangent(inputs[2 * hidden + j] + bias[2 * hidden + j] + gates[2 * hidden + j]); \
        gates[3 * hidden + j] = logistic(inputs[3 * hidden + j] + bias[3 * hidden + j] + gates[3 * hidden + j]); \
    }                                                                                              \
    if (carry) {                                                                                   \
        memcpy(c_next, c_previous, hidden * sizeof(float));                                        \
        memcpy(h_next, h_previous, hidden * sizeof(float));                                        \
        return;                                                                                    \
    }                                                                                              \
    for (int64_t j = 0; j < hidden; j++) {                                                         \
        c_next[j] = gates[hidden + j] * c_previous[j] + gates[j] * gates[2 * hidden + j];          \
        cell_tanh[j] = hyperbolic_tangent(c_next[j]);                                              \
        h_next[j] = gates[3 * hidden + j] * cell_tanh[j];                                          \
    }

#define GRU_CELL                                                                                    \
    for (int64_t j = 0; j < hidden; j++) {                                                         \
        const float r = logistic(inputs[j] + bias[j] + projections[j]);                            \
        const float z = logistic(inputs[hidden + j] + bias[hidden + j] + projections[hidden + j]); \
        const float n = hyperbolic_tangent(inputs[2 * hidden + j] + bias[2 * hidden + j] + r * projections[2 * hidden + j]); \
        gates[j] = r;                                                                              \
        gates[hidden + j] = z;                                                                     \
        gates[2 * hidden + j] = n;                                                                 \
        h_next[j] = carry ? h_previous[j] : (1.0f - z) * n + z * h_previous[j];                    \
    }

// Backward through one LSTM step for one sequence; `dh` holds the gradient reaching h from the step
// after (on a carried step it receives dL/dh in full), `dc` the cell's; d_bias sums the gate gradients.
#define LSTM_CELL_BACKWARD                                                                          \
    if (carry) {                                                                                   \
        for (int64_t j = 0; j < hidden; j++) {                                                     \
            dh[j] += upstream[j];                                                                  \
            d_gates[j] = d_gates[hidden + j] = d_gates[2 * hidden + j] = d_gates[3 * hidden + j] = 0; \
        }                                                                                          \
        return;                                                                                    \
    }                                                                                              \
    for (int64_t j = 0; j < hidden; j++) {                                                         \
        const float i = gates[j], f = gates[hidden + j], g = gates[2 * hidden + j], o = gates[3 * hidden + j]; \
        const float gradient = upstream[j] + dh[j];                                                \
        const float dcell = dc[j] + gradient * o * (1.0f - cell_tanh[j] * cell_tanh[j]);          \
        d_gates[j] = dcell * g * i * (1.0f - i);                                                   \
        d_gates[hidden + j] = dcell * c_previous[j] * f * (1.0f - f);                              \
        d_gates[2 * hidden + j] = dcell * i * (1.0f - g * g);                                      \
        d_gates[3 * hidden + j] = gradient * cell_tanh[j] * o * (1.0f - o);                        \
        dc[j] = dcell * f;                                                                         \
    }                                                                                              \
    for (int64_t j = 0; j < 4 * hidden; j++) d_bias[j] += d_gates[j];

// Backward through one GRU step for one sequence: `dh` holds the gradient reaching h from the step
// after; d_inputs receives d(x·W_ih + b_ih), d_projections d(h·W_hh + b_hh), and `direct` z ⊙ dL/dh,
// the part of dL/dh_{t-1} that does not pass through W_hh; d_bias and d_recurrent_bias sum d_inputs
// and d_projections.
#define GRU_CELL_BACKWARD                                                                           \
    for (int64_t j = 0; j < hidden; j++) {                                                         \
        const float gradient = upstream[j] + dh[j];                                                \
        if (carry) {                                                                               \
            direct[j] = gradient;                                                                  \
            d_inputs[j] = d_inputs[hidden + j] = d_inputs[2 * hidden + j] = 0;                     \
            d_projections[j] = d_projections[hidden + j] = d_projections[2 * hidden + j] = 0;      \
            continue;                                                                              \
        }                                                                                          \
        const float r = gates[j], z = gates[hidden + j], n = gates[2 * hidden + j];               \
        const float dn = gradient * (1.0f - z) * (1.0f - n * n);                                   \
        const float dz = gradient * (h_previous[j] - n) * z * (1.0f - z);                          \
        const float dr = dn * projections[2 * hidden + j] * r * (1.0f - r);                        \
        d_inputs[j] = d_projections[j] = dr;                                                       \
        d_inputs[hidden + j] = d_projections[hidden + j] = dz;                                     \
        d_inputs[2 * hidden + j] = dn;                                                             \
        d_projections[2 * hidden + j] = dn * r;                                                    \
        direct[j] = gradient * z;                                                                  \
    }                                                                                              \
    if (carry) return;                                                                             \
    for (int64_t j = 0; j < 3 * hidden; j++) {                                                     \
        d_bias[j] += d_inputs[j];                                                                  \
        d_recurrent_bias[j] += d_projections[j];                                                   \
    }

#define LSTM_CELL_PARAMETERS                                                                        \
    (const float *restrict inputs, const float *restrict bias, float *restrict gates, const float *restrict c_previous, \
     const float *restrict h_previous, float *restrict c_next, float *restrict h_next, float *restrict cell_tanh, \
     int64_t hidden, int carry)
#define GRU_CELL_PARAMETERS                                                                         \
    (const float *restrict inputs, const float *restrict bias, const float *restrict projections, float *restrict gates, \
     const float *restrict h_previous, float *restrict h_next, int64_t hidden, int carry)
#define LSTM_BACKWARD_PARAMETERS                                                                    \
    (const float *restrict upstream, float *restrict dh, float *restrict dc, const float *restrict gates, \
     const float *restrict cell_tanh, const float *restrict c_previous, float *restrict d_gates, float *restrict d_bias, \
     int64_t hidden, int carry)
#define GRU_BACKWARD_PARAMETERS                                                                     \
    (const float *restrict upstream, const float *restrict dh, const float *restrict gates,              \
     const float *restrict projections, const float *restrict h_previous, float *restrict d_inputs,       \
     float *restrict d_projections, float *restrict direct, float *restrict d_bias, float *restrict d_recurrent_bias,   \
     int64_t hidden, int carry)

GALEN_COMPILED_TWICE(galen_lstm_cell, LSTM_CELL_PARAMETERS, LSTM_CELL)
GALEN_DISPATCH(galen_lstm_cell, LSTM_CELL_PARAMETERS,
               (inputs, bias, gates, c_previous, h_previous, c_next, h_next, cell_tanh, hidden, carry))

GALEN_COMPILED_TWICE(galen_gru_cell, GRU_CELL_PARAMETERS, GRU_CELL)
GALEN_DISPATCH(galen_gru_cell, GRU_CELL_PARAMETERS, (inputs, bias, projections, gates, h_previous, h_next, hidden, carry))

GALEN_COMPILED_TWICE(galen_lstm_cell_backward, LSTM_BACKWARD_PARAMETERS, LSTM_CELL_BACKWARD)
GALEN_DISPATCH(galen_lstm_cell_backward, LSTM_BACKWARD_PARAMETERS,
               (upstream, dh, dc, gates, cell_tanh, c_previous, d_gates, d_bias, hidden, carry))

GALEN_COMPILED_TWICE(galen_gru_cell_backward, GRU_BACKWARD_PARAMETERS, GRU_CELL_BACKWARD)
GALEN_DISPATCH(galen_gru_cell_backward, GRU_BACKWARD_PARAMETERS,
               (upstream, dh, gates, projections, h_previous, d_inputs, d_projections, direct, d_bias, d_recurrent_bias, hidden, carry))
