"""UCR ECG200: one heartbeat (96 samples) per series, normal or myocardial infarction, with the archive's train/test.
No PyPI wheel ships it, so it is read from a local copy."""

import math

import numpy as np

from .contract import SPLIT_CODES, Split
from .sequence_contract import SequenceSet
from .sequence_set import sequence_attrs, standardise, write_prepared_sequences
from .sources import SHARED_DATA, SourceFolder, SourceNotFound, file_digests, local_folder, open_text

NAME = "ecg200"
FILES = {"train": "ECG200_TRAIN.txt", "test": "ECG200_TEST.txt"}
LENGTH = 96
FEATURE_NAMES = ["ecg"]
CLASSES = ["normal", "myocardial infarction"]
CLASS_OF_UCR_LABEL = {1: 0, -1: 1}  # UCR's +1 is normal, -1 myocardial infarction (shared/data/SOURCES.md)
LICENCE = (
    "not stated (neither the copying repository nor the UCR archive states one); "
    "cite Dau et al., IEEE/CAA JAS 2019 (UCR archive) and Olszewski 2001 (donor)"
)
SHARED_COPY = SHARED_DATA / "ecg200"


def default_source():
    if not all((SHARED_COPY / name).is_file() for name in FILES.values()):
        raise SourceNotFound(
            f"ECG200 ships in no PyPI package; pass --source DIR with {' and '.join(FILES.values())}, "
            f"for example the project's shared copy ../shared/data/ecg200"
        )
    return SourceFolder(
        SHARED_COPY, "aashish-bidap/Heartbeat_KNN_Classifier@5e3ab884 (UCR 2015 format), copy in shared/data/ecg200"
    )


def read_ucr(path):
    """Old UCR format: one series per line, whitespace-separated, the class label (+1 or -1) first.
    Returns the series float64 [n, LENGTH], class indices int64 [n] and each row's `file:line`."""
    series, labels, locations = [], [], []
    with open_text(path, encoding="ascii") as handle:
        if not path.stat().st_size:
            raise ValueError(f"{path.name}: the file is empty")
        for line_number, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields:
                continue
            location = f"{path.name}:{line_number}"
            try:
                values = [float(field) for field in fields]
            except ValueError:
                raise ValueError(f"{location}: not all fields are numbers") from None
            if not all(map(math.isfinite, values)):
                raise ValueError(f"{location}: not all fields are finite numbers")
            if len(values) != LENGTH + 1 or values[0] not in CLASS_OF_UCR_LABEL:
                raise ValueError(f"{location}: expected a label of +1 or -1 and {LENGTH} samples")
            labels.append(CLASS_OF_UCR_LABEL[int(values[0])])
            series.append(values[1:])
            locations.append(location)
    return np.array(series), np.array(labels, dtype=np.int64), locations


def build(paths, attrs):
    """paths: {"train": path, "test": path}. Rows are the train file's, then the test file's, in file order."""
    parts = {part: read_ucr(path) for part, path in paths.items()}
    series = np.concatenate([part[0] for part in parts.values()])[:, :, None]  # [N, T, F = 1]
    codes = np.concatenate([np.full(len(part[1]), SPLIT_CODES[name], np.int8) for name, part in parts.items()])
    train = codes == SPLIT_CODES["train"]
    # UCR already z-normalised each series; one global mean and std over the training values is still stored.
    sequences = standardise(series, np.ones(series.shape, bool), FEATURE_NAMES, train)
    return SequenceSet(
        sequences=sequences,
        mask=np.ones(series.shape[:2], np.uint8),
        labels=np.concatenate([part[1] for part in parts.values()]),
        classes=CLASSES,
        splits={"ucr": Split(codes, {"method": "published"})},
        attrs=attrs,
        ids=[location for part in parts.values() for location in part[2]],
    )


def prepare(settings, source=None):
    folder = local_folder(source) if source else default_source()
    paths = {part: folder.file(name) for part, name in FILES.items()}
    attrs = sequence_attrs(NAME, folder.description, file_digests(paths.values()), LICENCE)
    return [write_prepared_sequences(build(paths, attrs), {}, settings.out_dir / f"{NAME}.h5")]
