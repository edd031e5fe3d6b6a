"""NumPy side of the TensorCore benchmark: the same shapes, timed the same way.

Prints one JSON object: {"gemm <shape>": GFLOP/s, "add": GB/s, "relu": GB/s}.
"""
import json
import sys
import time

import numpy as np


def best_seconds(fn, repeats):
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
    figures = {}
    for m, k, n in [(1024, 1024, 1024), (256, 2048, 1024)]:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        seconds = best_seconds(lambda: np.matmul(a, b), repeats)
        figures[f"gemm {m}x{k}x{n}"] = 2 * m * n * k / seconds / 1e9
    count = 16 * 1024 * 1024
    x = rng.standard_normal(count, dtype=np.float32)
    y = rng.standard_normal(count, dtype=np.float32)
    figures["add"] = 3 * 4 * count / best_seconds(lambda: x + y, repeats) / 1e9
    figures["relu"] = 2 * 4 * count / best_seconds(lambda: np.maximum(x, 0), repeats) / 1e9
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
