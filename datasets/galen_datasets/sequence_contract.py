"""The sequence-set file layout (datasets/README.md, section 7) and its atomic writer."""

from dataclasses import dataclass

import numpy as np

from .contract import GZIP_LEVEL, SPLIT_CODES, STRING, new_contract_file, set_attribute

CONTRACT_VERSION = "sequence-set/1"
CHUNK_ROWS = 256
# What a masked sequence value holds: 0 (the training mean), or the step before's value (0 before the first observation).
UNOBSERVED = ("zero", "carried")


@dataclass
class Standardised:
    """A float32 block stored as (raw - mean) / std with training-split statistics."""

    values: np.ndarray
    names: list
    mean: np.ndarray  # float32, one per last-axis column
    std: np.ndarray


@dataclass
class StaticDescriptors:
    table: Standardised  # values [N, S]
    observed: np.ndarray  # uint8 [N, S]


@dataclass
class SequenceSet:
    sequences: Standardised  # values [N, T, F]
    mask: np.ndarray  # uint8 [N, T] (whole steps) or [N, T, M] (the first M features), 1 = observed
    labels: np.ndarray  # int64 [N]
    classes: list
    splits: dict  # name -> contract.Split
    attrs: dict
    ids: list | None = None
    times: np.ndarray | None = None  # float32 [N, T], hours
    static: StaticDescriptors | None = None
    unobserved: str = "zero"  # one of UNOBSERVED, stored as the `unobserved` attribute of /sequences

    @property
    def n_sequences(self):
        return self.sequences.values.shape[0]


def check_sequence_set(sequence_set):
    """Refuses to write a file that would break the contract; raises ValueError naming the problem."""
    sequences = sequence_set.sequences.values
    if sequences.dtype != np.float32 or sequences.ndim != 3 or sequences.shape[0] == 0:
        raise ValueError(f"sequences must be float32 [N, T, F] with N > 0, got {sequences.dtype} {sequences.shape}")
    n, t, f = sequences.shape
    _check_standardised(sequence_set.sequences, "sequences")
    mask = sequence_set.mask
    n_masked = mask.shape[2] if mask.ndim == 3 else f  # a [N, T] mask covers every feature of its steps
    if mask.dtype != np.uint8 or mask.ndim not in (2, 3) or mask.shape[:2] != (n, t) or n_masked > f:
        raise ValueError(f"mask must be uint8 [{n}, {t}] or [{n}, {t}, M <= {f}], got {mask.dtype} {mask.shape}")
    if not np.isin(mask, (0, 1)).all():
        raise ValueError("mask holds values other than 0 and 1")
    step_mask = mask if mask.ndim == 3 else mask[:, :, None]
    unobserved = np.broadcast_to(step_mask == 0, (n, t, n_masked))
    masked = sequences[:, :, :n_masked]
    if sequence_set.unobserved not in UNOBSERVED:
        raise ValueError(f"unobserved must be one of {UNOBSERVED}, got {sequence_set.unobserved!r}")
    expected = np.zeros_like(masked)
    if sequence_set.unobserved == "carried":
        expected[:, 1:] = masked[:, :-1]
    if (masked[unobserved] != expected[unobserved]).any():
        what = "0" if sequence_set.unobserved == "zero" else "the step before's value (0 at the first step)"
        raise ValueError(f"sequences must be {what} where the mask says not observed")
    labels = sequence_set.labels
    if labels.dtype != np.int64 or labels.shape != (n,):
        raise ValueError(f"labels must be int64 [{n}], got {labels.dtype} {labels.shape}")
    if labels.min() < 0 or labels.max() >= len(sequence_set.classes):
        raise ValueError(f"labels must be class indices 0..{len(sequence_set.classes) - 1}")
    if sequence_set.ids is not None and (len(sequence_set.ids) != n or len(set(sequence_set.ids)) != n):
        raise ValueError(f"ids must be {n} unique strings")
    times = sequence_set.times
    if times is not None and (times.dtype != np.float32 or times.shape != (n, t)):
        raise ValueError(f"times must be float32 [{n}, {t}], got {times.dtype} {times.shape}")
    static = sequence_set.static
    if static is not None:
        _check_standardised(static.table, "static")
        if static.table.values.ndim != 2 or static.table.values.shape[0] != n:
            raise ValueError(f"static must be float32 [{n}, S], got {static.table.values.shape}")
        if static.observed.dtype != np.uint8 or static.observed.shape != static.table.values.shape:
            raise ValueError("static_mask must be uint8 with the shape of static")
        if static.table.values[static.observed == 0].any():
            raise ValueError("static must be 0 where static_mask says not observed")
    if not sequence_set.splits:
        raise ValueError("a sequence set needs at least one split")
    for name, split in sequence_set.splits.items():
        if split.codes.dtype != np.int8 or split.codes.shape != (n,):
            raise ValueError(f"split {name} must be int8 [{n}]")
        if not np.isin(split.codes, list(SPLIT_CODES.values())).all():
            raise ValueError(f"split {name} has codes other than 0, 1, 2")


def _check_standardised(block, label):
    columns = block.values.shape[-1]
    if block.values.dtype != np.float32 or not np.isfinite(block.values).all():
        raise ValueError(f"{label} must be finite float32")
    if len(block.names) != columns or block.mean.shape != (columns,) or block.std.shape != (columns,):
        raise ValueError(f"{label}: names, mean and std need one entry per column ({columns})")
    if block.mean.dtype != np.float32 or block.std.dtype != np.float32 or not (block.std > 0).all():
        raise ValueError(f"{label}: mean and std must be float32, std > 0")


def _write_rows(group, name, data, dtype, compress):
    data = np.asarray(data, dtype=object if dtype is STRING else dtype)
    chunks = (min(data.shape[0], CHUNK_ROWS),) + data.shape[1:]
    options = {"compression": "gzip", "compression_opts": GZIP_LEVEL, "shuffle": True} if compress else {}
    return group.create_dataset(name, data=data, dtype=dtype, chunks=chunks, **options)


def _write_small(group, name, data, dtype):
    return group.create_dataset(name, data=np.asarray(data, dtype=object if dtype is STRING else dtype), dtype=dtype)


def write_sequence_set(path, sequence_set, producer):
    """Writes the set to path (``write_atomically`` gives it a temporary one)."""
    check_sequence_set(sequence_set)
    with new_contract_file(path, CONTRACT_VERSION, producer, sequence_set.attrs) as file:
        sequences = sequence_set.sequences
        set_attribute(_write_rows(file, "sequences", sequences.values, np.float32, compress=True), "unobserved", sequence_set.unobserved)
        _write_small(file, "feature_names", sequences.names, STRING)
        _write_small(file, "feature_mean", sequences.mean, np.float32)
        _write_small(file, "feature_std", sequences.std, np.float32)
        _write_rows(file, "mask", sequence_set.mask, np.uint8, compress=True)
        _write_rows(file, "labels", sequence_set.labels, np.int64, compress=True)
        _write_small(file, "classes", sequence_set.classes, STRING)
        if sequence_set.ids is not None:
            _write_rows(file, "ids", sequence_set.ids, STRING, compress=False)
        if sequence_set.times is not None:
            _write_rows(file, "times", sequence_set.times, np.float32, compress=True)
        if sequence_set.static is not None:
            table = sequence_set.static.table
            _write_rows(file, "static", table.values, np.float32, compress=True)
            _write_rows(file, "static_mask", sequence_set.static.observed, np.uint8, compress=True)
            _write_small(file, "static_names", table.names, STRING)
            _write_small(file, "static_mean", table.mean, np.float32)
            _write_small(file, "static_std", table.std, np.float32)

        splits = file.create_group("splits")
        for name, split in sequence_set.splits.items():
            dataset = _write_rows(splits, name, split.codes, np.int8, compress=True)
            for key, value in split.attrs.items():
                set_attribute(dataset, key, value)
