"""NumPy side of the TensorCore benchmark: the same shapes, timed the same way.

Prints `figure = value unit` lines, as tensorcore-bench does.
"""
import sys
import time

import numpy as np


def median_seconds(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rng = np.random.default_rng(0)
    for m, k, n in [(1024, 1024, 1024), (256, 2048, 1024)]:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        seconds = median_seconds(lambda: np.matmul(a, b), repeats)
        print(f"sgemm {m}x{k}x{n} = {2 * m * n * k / seconds / 1e9:.1f} GFLOP/s")
    count = 16 * 1024 * 1024
    x = rng.standard_normal(count, dtype=np.float32)
    y = rng.standard_normal(count, dtype=np.float32)
    print(f"add 16M floats = {3 * 4 * count / median_seconds(lambda: x + y, repeats) / 1e9:.1f} GB/s")
    print(f"relu 16M floats = {2 * 4 * count / median_seconds(lambda: np.maximum(x, 0), repeats) / 1e9:.1f} GB/s")


if __name__ == "__main__":
    main()
