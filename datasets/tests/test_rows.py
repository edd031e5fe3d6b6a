"""Invalid rows listed with location and reason, duplicates merged by mean, seeded random splits."""

import csv
import json

import h5py
import numpy as np
from conftest import SLICE_TARGETS

from galen_datasets import convert
from galen_datasets.library import Settings

INVALID_SMILES = "C1CC(=O"


def small_table(wheel_slice, path):
    """Five real rows, one of them repeated with another value, and one broken SMILES on line 8."""
    with open(wheel_slice / f"{SLICE_TARGETS[0]}.csv", newline="") as handle:
        records = list(csv.DictReader(handle))[:5]
    rows = [(r["smiles"], float(r["y"]) + 9.0) for r in records]
    rows += [(rows[0][0], rows[0][1] + 1.0), (INVALID_SMILES, 5.0)]
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([("smiles", "pKi"), *rows])
    return rows


def test_invalid_smiles_listed_and_duplicates_averaged(wheel_slice, tmp_path):
    rows = small_table(wheel_slice, tmp_path / "table.csv")
    settings = Settings(out_dir=tmp_path)
    [path] = convert.prepare(settings, [tmp_path / "table.csv"], "table", value_columns=["pKi"], units=["pKi"])
    report = json.loads(path.with_suffix(".report.json").read_text())
    assert report["n_input_rows"] == 7
    assert report["n_compounds"] == 5
    assert report["n_rows_merged"] == 1
    assert report["n_replicate_values_averaged"] == 1
    [invalid] = report["invalid_rows"]
    assert invalid["location"] == "table.csv:8"
    assert invalid["text"] == INVALID_SMILES
    assert "SMILES Parse Error" in invalid["reason"]
    with h5py.File(path, "r") as file:
        assert file.attrs["n_invalid_rows"] == 1
        assert np.isclose(file["assays/values"][0, 0], rows[0][1] + 0.5)


def test_random_split_is_seeded_and_records_its_seed(wheel_slice, tmp_path):
    small_table(wheel_slice, tmp_path / "table.csv")
    splits = []
    for seed, name in ((7, "a"), (7, "b")):
        [path] = convert.prepare(Settings(out_dir=tmp_path, seed=seed), [tmp_path / "table.csv"], name)
        with h5py.File(path, "r") as file:
            assert file["splits/random"].attrs["seed"] == seed
            assert "assays" not in file
            splits.append(file["splits/random"][:])
    assert np.array_equal(*splits)
