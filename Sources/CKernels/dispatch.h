// Swift compiles for plain SSE2 on x86-64 unless told otherwise, and a package cannot pass -mavx2
// to its dependants without unsafe flags. So each kernel is compiled twice, once for AVX2 with FMA
// and once portably, and the processor picks at run time.
#ifndef GALEN_DISPATCH_H
#define GALEN_DISPATCH_H

#if defined(__x86_64__)
static inline int galen_has_avx2_fma(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

// The public kernel `name parameters`, calling name##_avx2 or name##_portable with `arguments`.
#define GALEN_DISPATCH(name, parameters, arguments)                                                 \
    void name parameters {                                                                         \
        if (galen_has_avx2_fma()) name##_avx2 arguments;                                           \
        else name##_portable arguments;                                                            \
    }

// One body as both variants, for kernels whose AVX2 speed comes from the compiler alone.
#define GALEN_COMPILED_TWICE(name, parameters, ...)                                                 \
    __attribute__((target("avx2,fma"))) static void name##_avx2 parameters { __VA_ARGS__ }         \
    static void name##_portable parameters { __VA_ARGS__ }
#else
#define GALEN_DISPATCH(name, parameters, arguments) void name parameters { name##_portable arguments; }
#define GALEN_COMPILED_TWICE(name, parameters, ...) static void name##_portable parameters { __VA_ARGS__ }
#endif

#endif
