// SHA-256 compression (FIPS 180-4). Every encode and predict hashes its model file (tens of MB)
// before it starts, so the digest is on the critical path: the x86 SHA extensions do a block in
// a few dozen cycles, several times the portable loop's speed.
#include "ckernels.h"

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotate_right(uint32_t value, int count) { return (value >> count) | (value << (32 - count)); }

void galen_sha256_blocks_portable(uint32_t state[8], const uint8_t *blocks, int64_t count) {
    for (int64_t block = 0; block < count; block++) {
        const uint8_t *bytes = blocks + 64 * block;
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)bytes[4 * i] << 24 | (uint32_t)bytes[4 * i + 1] << 16 | (uint32_t)bytes[4 * i + 2] << 8 | bytes[4 * i + 3];
        for (int i = 16; i < 64; i++) {
            const uint32_t s0 = rotate_right(w[i - 15], 7) ^ rotate_right(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const uint32_t s1 = rotate_right(w[i - 2], 17) ^ rotate_right(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            const uint32_t t1 = h + (rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25)) + ((e & f) ^ (~e & g)) +
                                round_constants[i] + w[i];
            const uint32_t t2 = (rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
        state[0] += a, state[1] += b, state[2] += c, state[3] += d, state[4] += e, state[5] += f, state[6] += g, state[7] += h;
    }
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static int has_sha_extensions(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const int sha = (ebx >> 29) & 1;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    return sha && ssse3 && sse41;
}

// The instructions keep the state as two registers, (a, b, e, f) and (c, d, g, h); each
// sha256rnds2 does two rounds, so the two registers swap roles after every call.
#define FOUR_ROUNDS(message, group)                                                                 \
    {                                                                                              \
        __m128i schedule = _mm_add_epi32(message, _mm_loadu_si128((const __m128i *)&round_constants[4 * (group)])); \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, schedule);                                        \
        schedule = _mm_shuffle_epi32(schedule, 0x0E);                                              \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, schedule);                                        \
    }

__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_blocks_extensions(uint32_t state[8], const uint8_t *blocks,
                                                                                 int64_t count) {
    const __m128i big_endian = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    const __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    const __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1), efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8), cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (int64_t block = 0; block < count; block++) {
        const __m128i *bytes = (const __m128i *)(blocks + 64 * block);
        const __m128i abef_before = abef, cdgh_before = cdgh;
        // w holds four message words each, w[j % 4] the words of group j.
        __m128i w[4];
        for (int group = 0; group < 4; group++) {
            w[group] = _mm_shuffle_epi8(_mm_loadu_si128(bytes + group), big_endian);
            FOUR_ROUNDS(w[group], group)
        }
        for (int group = 4; group < 16; group++) {
            const __m128i previous = w[(group - 1) % 4], before = w[(group - 2) % 4];
            __m128i next = _mm_sha256msg1_epu32(w[group % 4], w[(group - 3) % 4]);
            next = _mm_add_epi32(next, _mm_alignr_epi8(previous, before, 4));
            w[group % 4] = _mm_sha256msg2_epu32(next, previous);
            FOUR_ROUNDS(w[group % 4], group)
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B), dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

void galen_sha256_blocks(uint32_t state[8], const uint8_t *blocks, int64_t count) {
    if (has_sha_extensions()) sha256_blocks_extensions(state, blocks, count);
    else galen_sha256_blocks_portable(state, blocks, count);
}
#else
void galen_sha256_blocks(uint32_t state[8], const uint8_t *blocks, int64_t count) {
    galen_sha256_blocks_portable(state, blocks, count);
}
#endif
