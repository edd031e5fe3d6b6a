"""h5py side of the HDF5 benchmark.

    hdf5_h5py.py PATH [RUNS]

Writes and reads the same [1,000,000 x 256] uint8 dataset as hdf5-bench (chunks (2048, 256), gzip 4,
shuffle), RUNS times each (default 3), and prints the median rates as `figure = value unit` lines.
"""
import sys
import time

import h5py
import numpy as np

ROWS, COLUMNS, CHUNK_ROWS = 1_000_000, 256, 2048


def make_data():
    """value[i, j] = (j + 4 hash bits of i*256+j) mod 256: the same bytes as the Swift side."""
    data = np.empty((ROWS, COLUMNS), dtype=np.uint8)
    columns = np.arange(COLUMNS, dtype=np.uint64)
    for start in range(0, ROWS, 65_536):
        end = min(start + 65_536, ROWS)
        k = np.arange(start * COLUMNS, end * COLUMNS, dtype=np.uint64).reshape(end - start, COLUMNS)
        noise = ((k * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)) >> np.uint64(28)
        data[start:end] = ((columns + noise) & np.uint64(0xFF)).astype(np.uint8)
    return data


def main(path, runs):
    data = make_data()
    writes, reads = [], []
    for _ in range(runs):
        start = time.perf_counter()
        with h5py.File(path, "w") as f:
            f.create_dataset("data", data=data, chunks=(CHUNK_ROWS, COLUMNS), compression="gzip",
                             compression_opts=4, shuffle=True)
        writes.append(time.perf_counter() - start)

        start = time.perf_counter()
        with h5py.File(path, "r") as f:
            back = f["data"][...]
        reads.append(time.perf_counter() - start)
        if not np.array_equal(back, data):
            sys.exit("h5py read back different data")
    megabytes = ROWS * COLUMNS / 1e6
    print(f"h5py {h5py.version.version} on HDF5 {h5py.version.hdf5_version}")
    print(f"hdf5 write = {megabytes / sorted(writes)[runs // 2]:.1f} MB/s")
    print(f"hdf5 read = {megabytes / sorted(reads)[runs // 2]:.1f} MB/s")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 3)
