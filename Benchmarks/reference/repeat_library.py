"""Makes a large compound library for the encode benchmark by repeating real fingerprints.

    repeat_library.py SOURCE.h5 ROWS OUT.h5

Rows are the source's fingerprints in order, repeated until ROWS; ids get a repeat suffix so they
stay unique. Written in blocks, so memory stays small for millions of rows.
"""
import sys

import h5py
import numpy as np

source_path, rows, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with h5py.File(source_path, "r") as source, h5py.File(out_path, "w") as out:
    fingerprints = source["fingerprints"][:]
    ids = source["ids"].asstr()[:]
    n, width = fingerprints.shape
    out.attrs["galen_contract"] = "compound-library/1"
    out.attrs["producer"] = "Benchmarks/reference/repeat_library.py"
    out.attrs["created"] = "benchmark"
    chunk = 4096
    data = out.create_dataset("fingerprints", (rows, width), dtype=np.uint8, chunks=(chunk, width))
    data.attrs["n_bits"] = source["fingerprints"].attrs["n_bits"]
    names = out.create_dataset("ids", (rows,), dtype=h5py.string_dtype(), chunks=(chunk,))
    for start in range(0, rows, 65536):
        index = np.arange(start, min(start + 65536, rows))
        data[start:start + len(index)] = fingerprints[index % n]
        names[start:start + len(index)] = [f"{ids[i % n]}-{i // n}" for i in index]
