"""h5py side of Galen's HDF5 interop tests.

    h5py_interop.py write PATH   writes the reference file for Swift to read
    h5py_interop.py check PATH   checks the file Swift wrote; exits non-zero with the reason

Both files hold the same content, described once here and once in InteropTests.swift.
"""
import sys

try:
    import h5py
    import numpy as np
except ImportError as error:
    sys.exit(f"h5py_interop.py needs h5py and numpy (pip install h5py): {error}")

FLOAT32 = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
INT64 = np.array([-(2**62), -1, 0, 1, 2**62], dtype=np.int64)
UINT8 = np.arange(256, dtype=np.uint8).reshape(16, 16)
STRINGS = ["alpha", "héllo wörld", "日本語", ""]
GZIP = (np.arange(100_000) % 251).astype(np.float32).reshape(1000, 100)
STREAM = np.arange(40, dtype=np.float64).reshape(5, 8)


def write(path):
    with h5py.File(path, "w") as f:
        f["float32"] = FLOAT32
        f["int64"] = INT64
        f["uint8"] = UINT8
        f.create_dataset("strings", data=STRINGS, dtype=h5py.string_dtype())
        f.create_dataset("gzip", data=GZIP, chunks=(100, 100), compression="gzip", compression_opts=4, shuffle=True)
        f.create_dataset("stream", data=STREAM, maxshape=(None, 8), chunks=(4, 8))
        # What numpy 'S' arrays and Keras layer names look like: fixed-length, null-padded ASCII.
        f["fixed_strings"] = np.array([b"ab", b"cde", b""], dtype="S3")
        f["bool"] = np.array([True, False])
        layers = f.create_group("model/layers")
        layers.attrs["layer_names"] = np.array([b"dense", b"dense_1"])
        layers.attrs["tags"] = ["a", "ü"]
        f.attrs["name"] = "galen interop ü"
        f.attrs["version"] = 3
        f.attrs["scale"] = 0.5
        d = f["float32"]
        d.attrs["units"] = "m/s"
        d.attrs["float_scale"] = np.float32(1.5)
        d.attrs["ints"] = np.array([1, 2, 3], dtype=np.int32)
        d.attrs["doubles"] = [0.25, 0.5]


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def check(path):
    with h5py.File(path, "r") as f:
        for name, data in [("float32", FLOAT32), ("int64", INT64), ("uint8", UINT8)]:
            d = f[name]
            expect(d.dtype == data.dtype.newbyteorder("<"), f"{name} dtype {d.dtype}")
            expect(d.shape == data.shape, f"{name} shape {d.shape}")
            expect(np.array_equal(d[...], data), f"{name} values")
        s = f["strings"]
        expect(h5py.check_string_dtype(s.dtype).encoding == "utf-8", f"strings dtype {s.dtype}")
        expect(list(s.asstr()[...]) == STRINGS, f"strings {list(s.asstr()[...])}")
        g = f["gzip"]
        expect((g.compression, g.compression_opts, g.shuffle, g.chunks) == ("gzip", 4, True, (100, 100)),
               f"gzip layout {(g.compression, g.compression_opts, g.shuffle, g.chunks)}")
        expect(np.array_equal(g[...], GZIP), "gzip values")
        st = f["stream"]
        expect(st.maxshape == (None, 8) and np.array_equal(st[...], STREAM), f"stream {st.maxshape}")
        layers = f["model/layers"]
        expect(list(layers.attrs["tags"]) == ["a", "ü"], f"tags {layers.attrs['tags']}")
        expect(f.attrs["name"] == "galen interop ü", f"name {f.attrs['name']!r}")
        expect(f.attrs["version"] == 3 and f.attrs["version"].dtype == np.int64, "version")
        expect(f.attrs["scale"] == 0.5 and f.attrs["scale"].dtype == np.float64, "scale")
        a = f["float32"].attrs
        expect(a["units"] == "m/s", f"units {a['units']!r}")
        expect(a["float_scale"] == 1.5 and a["float_scale"].dtype == np.float32, "float_scale")
        expect(list(a["ints"]) == [1, 2, 3], f"ints {a['ints']}")
        expect(list(a["doubles"]) == [0.25, 0.5], f"doubles {a['doubles']}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
