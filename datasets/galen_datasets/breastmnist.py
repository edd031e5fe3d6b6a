"""BreastMNIST (MedMNIST v2): breast ultrasound images, 28x28, malignant vs normal-or-benign, into an image set."""

import sys
from pathlib import Path

import h5py
import numpy as np

from . import __version__
from .contract import STRING, new_contract_file, write_atomically
from .sources import SHARED_DATA, SourceNotFound, file_digests, local_folder

CONTRACT = "image-set/1"
CLASSES = ["malignant", "normal or benign"]  # MedMNIST's label 0 and 1
PARTS = {"train": 0, "val": 1, "test": 2}


def default_source():
    """The shared copy, or MedMNIST's own download through the `medmnist` package where there is internet."""
    folder = SHARED_DATA / "breastmnist"
    if (folder / "BreastMNIST.npz").is_file():
        return local_folder(folder), "BreastMNIST.npz"
    try:
        import medmnist  # noqa: F401  (optional: only for machines with internet)
    except ImportError:
        raise SourceNotFound(f"{folder}/BreastMNIST.npz not found and the medmnist package is not installed")
    from medmnist import BreastMNIST

    dataset = BreastMNIST(split="train", download=True)
    path = Path(dataset.root) / "breastmnist.npz"
    return local_folder(path.parent), path.name


def prepare(out_dir, source=None):
    if source is None:
        folder, name = default_source()
    else:
        folder = local_folder(source)
        name = next((n for n in ("BreastMNIST.npz", "breastmnist.npz") if (folder.path / n).is_file()), "BreastMNIST.npz")
    npz_path = folder.file(name)
    data = np.load(npz_path)
    if missing := [key for part in PARTS for key in (f"{part}_images", f"{part}_labels") if key not in data.files]:
        raise ValueError(f"{npz_path}: no {missing} in the archive")
    parts = [data[f"{part}_images"] for part in PARTS]
    if any(part.dtype != np.uint8 for part in parts):
        raise ValueError(f"{npz_path}: images are {', '.join(sorted({str(part.dtype) for part in parts}))}, expected uint8")
    images = np.concatenate(parts)
    labels = np.concatenate([data[f"{part}_labels"].reshape(-1) for part in PARTS]).astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= len(CLASSES)):
        raise ValueError(f"{npz_path}: labels must be class indices 0..{len(CLASSES) - 1}")
    split = np.concatenate([np.full(len(data[f"{part}_labels"]), code, dtype=np.int8) for part, code in PARTS.items()])
    path = Path(out_dir) / "breastmnist.h5"
    attrs = {
        "name": "breastmnist",
        "source": folder.description,
        "source_files": file_digests([npz_path]),
        "licence": "CC BY 4.0 (MedMNIST); source images: Al-Dhabyani et al., Data in Brief 2020 (BUSI)",
        "card": "datasets/cards/breastmnist.md",
    }
    write_atomically(path, lambda target: write_image_set(target, images, labels, split, attrs))
    counts = {part: int((split == code).sum()) for part, code in PARTS.items()}
    print(f"breastmnist: {len(labels)} images {images.shape[1:]}, split {counts}", file=sys.stderr)
    return [path]


def write_image_set(path, images, labels, split, attrs):
    """Writes an image set to path (``write_atomically`` gives it a temporary one)."""
    producer = f"galen_datasets {__version__} (datasets/prepare.py; h5py {h5py.__version__})"
    with new_contract_file(path, CONTRACT, producer, attrs) as f:
        rows = min(len(labels), 1024)
        f.create_dataset("images", data=images, chunks=(rows,) + images.shape[1:], compression="gzip",
                         compression_opts=4, shuffle=True)
        f.create_dataset("labels", data=labels, chunks=(rows,))
        f.create_dataset("classes", data=np.array(CLASSES, dtype=object), dtype=STRING)
        f.create_dataset("splits/medmnist", data=split, chunks=(rows,))
