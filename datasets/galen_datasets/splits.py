"""Split rules: a source's own split carried over, or a seeded random (or class-stratified) 80/10/10 one."""

from dataclasses import dataclass

import numpy as np

from .contract import SPLIT_CODES, Split

SPLIT_LABELS = {
    "train": "train",
    "valid": "validation",
    "val": "validation",
    "validation": "validation",
    "test": "test",
}

# A compound listed in several splits (replicates, or several targets) takes the first of these,
# so that no compound that is tested anywhere is trained on anywhere.
PRIORITY = ("test", "validation", "train")

RANDOM_FRACTIONS = (0.8, 0.1, 0.1)


def split_label(text, location):
    try:
        return SPLIT_LABELS[text.strip().lower()]
    except KeyError:
        raise ValueError(f"{location}: unknown split {text!r}; expected one of {sorted(SPLIT_LABELS)}") from None


@dataclass(frozen=True)
class PublishedSplit:
    """The source's own split, read from each row; stored as /splits/<name>."""

    name: str

    def make(self, labels_per_compound):
        codes = np.array([SPLIT_CODES[_first_by_priority(labels)] for labels in labels_per_compound], dtype=np.int8)
        conflicts = sum(len(labels) > 1 for labels in labels_per_compound)
        return Split(
            codes, {"method": "published", "conflict_rule": "test > validation > train", "n_conflicts": conflicts}
        )


@dataclass(frozen=True)
class RandomSplit:
    """A seeded shuffle of the unique compounds, cut 80/10/10; stored as /splits/random."""

    seed: int
    name: str = "random"

    def make(self, labels_per_compound):
        n = len(labels_per_compound)
        n_train = round(RANDOM_FRACTIONS[0] * n)
        n_validation = round(RANDOM_FRACTIONS[1] * n)
        codes = np.full(n, SPLIT_CODES["test"], dtype=np.int8)
        order = np.random.default_rng(self.seed).permutation(n)
        codes[order[:n_train]] = SPLIT_CODES["train"]
        codes[order[n_train : n_train + n_validation]] = SPLIT_CODES["validation"]
        return Split(codes, {"method": "random", "seed": self.seed, "fractions": "0.8/0.1/0.1"})


@dataclass(frozen=True)
class StratifiedSplit:
    """Each class shuffled and cut 80/10/10 on its own, so every part keeps the class balance; /splits/stratified."""

    seed: int
    name: str = "stratified"

    def make(self, labels):
        """labels: int array [N] of class indices; classes are cut in increasing order from one seeded generator."""
        codes = np.full(len(labels), SPLIT_CODES["test"], dtype=np.int8)
        generator = np.random.default_rng(self.seed)
        for label in np.unique(labels):
            members = generator.permutation(np.flatnonzero(labels == label))
            n_train = round(RANDOM_FRACTIONS[0] * len(members))
            n_validation = round(RANDOM_FRACTIONS[1] * len(members))
            codes[members[:n_train]] = SPLIT_CODES["train"]
            codes[members[n_train : n_train + n_validation]] = SPLIT_CODES["validation"]
        attrs = {"method": "stratified", "seed": self.seed, "fractions": "0.8/0.1/0.1", "stratified_on": "labels"}
        return Split(codes, attrs)


def _first_by_priority(labels):
    if not labels:
        raise ValueError("a compound has no split label")
    return next(label for label in PRIORITY if label in labels)
