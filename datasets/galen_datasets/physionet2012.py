"""PhysioNet/CinC Challenge 2012, set A: the first 48 h of 4,000 ICU stays and whether the patient died in hospital.
No PyPI wheel ships it, so it is read from a local copy."""

import csv
import hashlib
import sys
from collections import Counter

import numpy as np

from .contract import SPLIT_CODES
from .physionet_records import HOURS, VARIABLES, read_record
from .sequence_contract import SequenceSet, Standardised, StaticDescriptors
from .sequence_set import indicators, sequence_attrs, side_by_side, standardise, write_prepared_sequences
from .sources import SHARED_DATA, SourceFolder, SourceNotFound, csv_records, file_digests, local_folder, open_text
from .splits import StratifiedSplit

NAME = "physionet2012"
RECORDS = "set-a"
OUTCOMES = "Outcomes-a.txt"
LABEL_COLUMN = "In-hospital_death"
CLASSES = ["survived", "died"]
HOURS_SINCE_CAP = float(HOURS)  # beyond any real gap (at most 47 h): the variable has not been observed yet
STANDARDISED_STATIC = ["Age", "Gender", "Height", "Weight"]  # Gender too, so that a missing one reads as the mean
ICU_TYPES = {1: "CCU", 2: "CSRU", 3: "MICU", 4: "SICU"}  # coronary care, cardiac surgery recovery, medical, surgical
PROGRESS_EVERY = 500
LICENCE = (
    "not stated in the copying repository; PhysioNet lists the challenge as Open Access, recalled as Open Data "
    "Commons Attribution License v1.0 (verify); cite Silva et al., CinC 2012, and Goldberger et al., Circulation 2000"
)
SHARED_COPY = SHARED_DATA / "physionet2012"


def default_source():
    if not (SHARED_COPY / OUTCOMES).is_file():
        raise SourceNotFound(
            f"PhysioNet 2012 ships in no PyPI package; pass --source DIR with {RECORDS}/ and {OUTCOMES}, "
            f"for example the project's shared copy ../shared/data/physionet2012"
        )
    return SourceFolder(
        SHARED_COPY,
        "AbdelrahmanManz/ICU-Mortality-Predictor@df183eb9 (PhysioNet 2012 set A), copy in shared/data/physionet2012",
    )


def record_paths(folder):
    paths = sorted((folder.path / RECORDS).glob("*.txt"))
    if not paths:
        raise SourceNotFound(f"no {RECORDS}/*.txt in {folder.path} ({folder.description})")
    return paths


def records_digest(paths):
    """One source_files entry for the whole folder (4,000 entries would not fit an HDF5 attribute): the SHA-256 of
    the `<name> sha256:<hex>` lines of its files, in name order, each ending in a newline."""
    lines = "".join(f"{line}\n" for line in file_digests(paths))
    return f"{RECORDS}/*.txt ({len(paths)} files) sha256:{hashlib.sha256(lines.encode()).hexdigest()}"


def read_outcomes(path):
    """RecordID -> In-hospital_death (0 or 1)."""
    with open_text(path, encoding="ascii", newline="") as handle:
        reader = csv.DictReader(handle)
        if LABEL_COLUMN not in (reader.fieldnames or []) or "RecordID" not in reader.fieldnames:
            raise ValueError(f"{path.name}: needs the columns RecordID and {LABEL_COLUMN}")
        outcomes = {}
        for row in csv_records(reader, path):
            if row[LABEL_COLUMN] not in ("0", "1"):
                raise ValueError(f"{path.name}:{reader.line_num}: {LABEL_COLUMN} is {row[LABEL_COLUMN]!r}, not 0 or 1")
            record_id = (row["RecordID"] or "").strip()
            if not record_id.isdigit():
                raise ValueError(f"{path.name}:{reader.line_num}: RecordID {record_id!r} is not a number")
            if int(record_id) in outcomes:
                raise ValueError(f"{path.name}:{reader.line_num}: RecordID {record_id} has a row already")
            outcomes[int(record_id)] = int(row[LABEL_COLUMN])
    return outcomes


def read_records(paths):
    records = []
    for count, path in enumerate(paths, start=1):
        records.append(read_record(path))
        if count % PROGRESS_EVERY == 0 or count == len(paths):
            print(f"[{NAME}] {count:,}/{len(paths):,} records read", file=sys.stderr, flush=True)
    return records


def hours_since_observed(observed):
    """Whole hours since the variable's last observed hour: 0 in an observed hour, HOURS_SINCE_CAP before the first."""
    steps = np.arange(observed.shape[1])[None, :, None]
    last_seen = np.maximum.accumulate(np.where(observed, steps, -1), axis=1)
    return np.where(last_seen >= 0, steps - last_seen, HOURS_SINCE_CAP)


def carried_forward(block, observed):
    """Each variable's last observed value carried into the hours after it (the recurrence then sees the patient's
    current state, and `<var>_hours_since` says how old it is); 0, the training mean, before the first."""
    values = block.values.copy()
    for hour in range(1, values.shape[1]):
        values[:, hour] = np.where(observed[:, hour], values[:, hour], values[:, hour - 1])
    return Standardised(values, block.names, block.mean, block.std)


def static_descriptors(records, train):
    """Age, Gender, Height and Weight at admission, standardised; then ICUType one-hot, kept 0/1 (an unknown type
    would be four 0s, masked; set A has none)."""
    raw = np.array([[record.descriptors[name] for name in STANDARDISED_STATIC] for record in records])
    icu_type = np.array([[record.descriptors["ICUType"] == code for code in ICU_TYPES] for record in records])
    icu_known = icu_type.any(axis=1, keepdims=True)
    table = side_by_side(
        [
            standardise(raw, ~np.isnan(raw), STANDARDISED_STATIC, train),
            indicators(icu_type, [f"ICUType_{name}" for name in ICU_TYPES.values()]),
        ]
    )
    observed = np.concatenate([~np.isnan(raw), np.repeat(icu_known, len(ICU_TYPES), axis=1)], axis=1)
    return StaticDescriptors(table, observed.astype(np.uint8))


def build(paths, outcomes_path, seed, attrs):
    """The set from these record files, in the order given; returns it and the report's details."""
    records = read_records(paths)
    outcomes = read_outcomes(outcomes_path)
    unlabelled = [record.record_id for record in records if record.record_id not in outcomes]
    if unlabelled:
        raise ValueError(f"{outcomes_path.name} has no row for RecordID {unlabelled[:5]}")
    labels = np.array([outcomes[record.record_id] for record in records], dtype=np.int64)
    splitter = StratifiedSplit(seed)
    split = splitter.make(labels)
    train = split.codes == SPLIT_CODES["train"]  # every statistic below comes from these rows only

    values = np.stack([record.values for record in records])  # [N, HOURS, V], NaN = not observed
    observed = ~np.isnan(values)
    hours_since = hours_since_observed(observed)
    sequences = side_by_side(
        [
            carried_forward(standardise(values, observed, VARIABLES, train), observed),
            indicators(observed, [f"{name}_observed" for name in VARIABLES]),
            standardise(hours_since, np.ones_like(observed), [f"{name}_hours_since" for name in VARIABLES], train),
        ]
    )
    sequence_set = SequenceSet(
        sequences=sequences,
        mask=observed.astype(np.uint8),
        labels=labels,
        classes=CLASSES,
        splits={splitter.name: split},
        attrs=attrs,
        ids=[str(record.record_id) for record in records],
        times=np.broadcast_to(np.arange(HOURS, dtype=np.float32), (len(records), HOURS)).copy(),
        static=static_descriptors(records, train),
        unobserved="carried",
    )
    return sequence_set, _details(records, observed)


def _details(records, observed):
    observations, dropped = Counter(), Counter()
    for record in records:
        observations.update(record.observations)
        dropped.update(record.treated_as_missing)
    treated_as_missing = {}
    for (parameter, reason), count in sorted(dropped.items()):
        treated_as_missing.setdefault(parameter, {})[reason] = count
    hours_observed = observed.mean(axis=(0, 1))
    return {
        "n_records": len(records),
        "n_observations_used": sum(observations.values()),
        "variables": {
            name: {"observations": observations[name], "fraction_of_hours_observed": round(float(share), 4)}
            for name, share in zip(VARIABLES, hours_observed)
        },
        "treated_as_missing": treated_as_missing,
    }


def prepare(settings, source=None):
    folder = local_folder(source) if source else default_source()
    outcomes_path = folder.file(OUTCOMES)
    paths = record_paths(folder)
    source_files = [*file_digests([outcomes_path]), records_digest(paths)]
    attrs = sequence_attrs(NAME, folder.description, source_files, LICENCE)
    sequence_set, details = build(paths, outcomes_path, settings.seed, attrs)
    return [write_prepared_sequences(sequence_set, details, settings.out_dir / f"{NAME}.h5")]
