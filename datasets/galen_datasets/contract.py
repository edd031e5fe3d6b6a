"""The compound-library file layout (datasets/README.md is the specification) and its atomic writer."""

import json
import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import h5py
import numpy as np

CONTRACT_VERSION = "compound-library/1"
SPLIT_CODES = {"train": 0, "validation": 1, "test": 2}
CHUNK_ROWS = 4096
GZIP_LEVEL = 4

STRING = h5py.string_dtype(encoding="utf-8")


@dataclass
class Fingerprints:
    packed: np.ndarray  # uint8 [N, ceil(n_bits / 8)], most-significant bit first
    n_bits: int
    kind: str
    radius: int


@dataclass
class Assays:
    values: np.ndarray  # float32 [N, T], NaN where not measured
    names: list
    units: list | None


@dataclass
class Split:
    codes: np.ndarray  # int8 [N], values of SPLIT_CODES
    attrs: dict = field(default_factory=dict)


@dataclass
class CompoundLibrary:
    ids: list
    smiles: list
    scaffolds: list
    fingerprints: Fingerprints
    assays: Assays | None
    splits: dict
    attrs: dict

    @property
    def n_compounds(self):
        return len(self.ids)


def utc_timestamp():
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_library(library):
    """Refuses to write a file that would break the contract; raises ValueError naming the problem."""
    n = library.n_compounds
    if n == 0:
        raise ValueError("a compound library needs at least one compound")
    if len(set(library.ids)) != n:
        raise ValueError("ids are not unique")
    if len(library.smiles) != n or len(library.scaffolds) != n:
        raise ValueError("smiles and scaffolds must have one entry per compound")
    packed = library.fingerprints.packed
    if packed.dtype != np.uint8 or packed.shape != (n, (library.fingerprints.n_bits + 7) // 8):
        raise ValueError(f"fingerprints must be uint8 [{n}, ceil(n_bits/8)], got {packed.dtype} {packed.shape}")
    if library.assays is not None:
        values, names = library.assays.values, library.assays.names
        if values.dtype != np.float32 or values.shape != (n, len(names)):
            raise ValueError(f"assay values must be float32 [{n}, {len(names)}], got {values.dtype} {values.shape}")
        if library.assays.units is not None and len(library.assays.units) != len(names):
            raise ValueError("assay units must have one entry per assay")
        if np.isinf(values).any():
            raise ValueError("assay values must be finite or NaN")
    for name, split in library.splits.items():
        if split.codes.dtype != np.int8 or split.codes.shape != (n,):
            raise ValueError(f"split {name} must be int8 [{n}]")
        if not np.isin(split.codes, list(SPLIT_CODES.values())).all():
            raise ValueError(f"split {name} has codes other than 0, 1, 2")


def _row_chunks(shape):
    return (min(shape[0], CHUNK_ROWS),) + tuple(shape[1:])


def _write_rows(group, name, data, dtype, compress):
    data = np.asarray(data, dtype=object if dtype is STRING else dtype)
    options = {"compression": "gzip", "compression_opts": GZIP_LEVEL, "shuffle": True} if compress else {}
    return group.create_dataset(name, data=data, dtype=dtype, chunks=_row_chunks(data.shape), **options)


def set_attribute(node, key, value):
    """Strings become variable-length UTF-8 (a list of them a 1-D array of such), integers 64-bit signed."""
    if isinstance(value, list):
        node.attrs.create(key, np.asarray(value, dtype=object), dtype=STRING)
    elif isinstance(value, int):
        node.attrs.create(key, value, dtype=np.int64)
    else:
        node.attrs[key] = value


# Set by prepare.py's Ctrl-C handler. Python prints and drops an interrupt that lands inside a finalizer (as h5py's
# can be), and the run would go on to replace the output; the flag still stops it before any file is moved into place.
interrupted = False


def _note_only(signum, frame):
    global interrupted
    interrupted = True


def note_interrupt(signum, frame):
    _note_only(signum, frame)
    raise KeyboardInterrupt


def move_into_place(moves):
    """Renames each (temporary, path) so that the files change together or not at all: an interrupt noted earlier
    stops them all, and one that comes during the renames is only noted (Ctrl-C may reach any thread, so blocking
    the signal in this one would not hold it off) and raised once they are done."""
    if interrupted:
        raise KeyboardInterrupt
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _note_only) if in_main_thread else None
    try:
        for temporary, path in moves:
            os.replace(temporary, path)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    if interrupted:
        raise KeyboardInterrupt


def temporary_name(path):
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomically(path, write, report=None):
    """Writes the file at `path` with `write(temporary path)`, and with a report its X.report.json beside it: both
    under temporary names in the same folder, moved into place together once complete (``move_into_place``). No
    temporary name is left behind, and a failure to write names `path`, not the temporary."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    moves = [(temporary_name(path), path)]
    if report is not None:
        report_path = path.with_suffix(".report.json")
        moves.append((temporary_name(report_path), report_path))
    try:
        try:
            write(moves[0][0])
        except OSError as error:  # h5py's messages name the temporary file and run over several lines
            reason = os.strerror(error.errno) if error.errno else "HDF5 could not write it"
            raise ValueError(f"{path}: {reason}") from None
        if report is not None:
            moves[1][0].write_text(json.dumps(report, indent=1) + "\n")
        move_into_place(moves)
    finally:
        for temporary, _ in moves:
            temporary.unlink(missing_ok=True)


@contextmanager
def new_contract_file(path, contract, producer, attrs):
    """An HDF5 file for `path` (a temporary name: ``write_atomically`` moves it into place) with the root attributes
    every contract shares. It is built in memory and written whole when the block completes, so that a write that
    fails (a full disk) is an ordinary OSError: libhdf5 failing in the middle of a file makes h5py crash."""
    with h5py.File(str(path), "w", driver="core", backing_store=False) as file:
        file.attrs["galen_contract"] = contract
        file.attrs["producer"] = producer
        file.attrs["created"] = utc_timestamp()
        for key, value in attrs.items():
            set_attribute(file, key, value)
        yield file
        file.flush()
        image = file.id.get_file_image()
    Path(path).write_bytes(image)


def write_library(path, library, producer):
    """Writes the library to path (``write_atomically`` gives it a temporary one)."""
    check_library(library)
    with new_contract_file(path, CONTRACT_VERSION, producer, library.attrs) as file:
        _write_rows(file, "ids", library.ids, STRING, compress=False)
        _write_rows(file, "smiles", library.smiles, STRING, compress=False)
        _write_rows(file, "scaffolds", library.scaffolds, STRING, compress=False)

        fingerprints = _write_rows(file, "fingerprints", library.fingerprints.packed, np.uint8, compress=True)
        set_attribute(fingerprints, "n_bits", library.fingerprints.n_bits)
        set_attribute(fingerprints, "kind", library.fingerprints.kind)
        set_attribute(fingerprints, "radius", library.fingerprints.radius)

        if library.assays is not None:
            assays = file.create_group("assays")
            _write_rows(assays, "values", library.assays.values, np.float32, compress=True)
            assays.create_dataset("names", data=np.asarray(library.assays.names, dtype=object), dtype=STRING)
            if library.assays.units is not None:
                assays.create_dataset("units", data=np.asarray(library.assays.units, dtype=object), dtype=STRING)

        splits = file.create_group("splits")
        for name, split in library.splits.items():
            dataset = _write_rows(splits, name, split.codes, np.int8, compress=True)
            for key, value in split.attrs.items():
                set_attribute(dataset, key, value)
