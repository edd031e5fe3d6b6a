"""Steps shared by the sequence sets: training-split statistics, standardisation, and writing the file and report."""

import sys
from pathlib import Path

import h5py
import numpy as np

from . import __version__
from .contract import SPLIT_CODES, write_atomically
from .sequence_contract import Standardised, write_sequence_set


def train_statistics(values, observed, train):
    """Mean and population std (float64) of each last-axis column over the observed cells of the training rows.
    A column never observed in training gets mean 0 and std 1, and a constant one std 1, so neither divides by 0."""
    columns = values.shape[-1]
    cells = values[train].reshape(-1, columns)
    seen = observed[train].reshape(-1, columns)
    counts = seen.sum(axis=0)
    mean = np.divide(np.where(seen, cells, 0.0).sum(axis=0), counts, out=np.zeros(columns), where=counts > 0)
    squares = np.where(seen, (cells - mean) ** 2, 0.0).sum(axis=0)
    std = np.sqrt(np.divide(squares, counts, out=np.zeros(columns), where=counts > 0))
    std[std == 0] = 1.0
    return mean, std


def standardise(values, observed, names, train):
    """(raw - mean) / std with training statistics where observed, 0 (the training mean) elsewhere."""
    mean, std = train_statistics(values, observed, train)
    stored = np.where(observed, (values - mean) / std, 0.0).astype(np.float32)
    return Standardised(stored, list(names), mean.astype(np.float32), std.astype(np.float32))


def indicators(values, names):
    """0/1 columns stored as they are; mean 0 and std 1 recorded so raw = stored * std + mean holds for every column."""
    columns = values.shape[-1]
    return Standardised(
        values.astype(np.float32), list(names), np.zeros(columns, np.float32), np.ones(columns, np.float32)
    )


def side_by_side(blocks):
    """Blocks joined along their last axis (the features)."""
    return Standardised(
        np.concatenate([block.values for block in blocks], axis=-1),
        [name for block in blocks for name in block.names],
        np.concatenate([block.mean for block in blocks]),
        np.concatenate([block.std for block in blocks]),
    )


def sequence_attrs(name, source, source_files, licence):
    return {
        "name": name,
        "source": source,
        "source_files": source_files,
        "licence": licence,
        "card": f"datasets/cards/{name}.md",
    }


def producer():
    return f"galen_datasets {__version__} (datasets/prepare.py; numpy {np.__version__}, h5py {h5py.__version__})"


def class_counts(labels, split, classes):
    """{part: {class name: count}} for each part of one split."""
    return {
        part: {name: int(((split.codes == code) & (labels == index)).sum()) for index, name in enumerate(classes)}
        for part, code in SPLIT_CODES.items()
    }


def write_prepared_sequences(sequence_set, details, path):
    """Writes the .h5 file and its .report.json beside it, and prints the counts per split and class on stderr."""
    path = Path(path)
    splits = {
        name: {**split.attrs, "counts": class_counts(sequence_set.labels, split, sequence_set.classes)}
        for name, split in sequence_set.splits.items()
    }
    report = {
        "name": sequence_set.attrs["name"],
        "file": path.name,
        "shape": list(sequence_set.sequences.values.shape),
        "splits": splits,
        **details,
    }
    write_atomically(path, lambda target: write_sequence_set(target, sequence_set, producer()), report)

    n, steps, features = report["shape"]
    print(f"[{report['name']}] sequences [N, T, F] = [{n:,}, {steps}, {features}] -> {path}", file=sys.stderr)
    for name, split in splits.items():
        parts = ", ".join(
            f"{part} {sum(counts.values()):,} ({', '.join(f'{count:,} {label}' for label, count in counts.items())})"
            for part, counts in split["counts"].items()
            if sum(counts.values())
        )
        print(f"  split {name}: {parts}", file=sys.stderr)
    return path
