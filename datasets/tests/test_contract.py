"""Every file the pipeline writes opens with plain h5py and follows datasets/README.md."""

import h5py
import numpy as np
import pytest

from galen_datasets import chembl2321810, esol, freesolv, nci, solubility
from galen_datasets.contract import CHUNK_ROWS, CONTRACT_VERSION
from galen_datasets.library import Settings
from galen_datasets.sources import SHARED_DATA

ROW_DATASETS = ("ids", "smiles", "scaffolds", "fingerprints")


def check_contract_file(path):
    with h5py.File(path, "r") as file:
        assert file.attrs["galen_contract"] == CONTRACT_VERSION
        for key in ("producer", "created", "name", "source", "licence"):
            assert isinstance(file.attrs[key], str) and file.attrs[key]
        ids = file["ids"].asstr()[:]
        n = len(ids)
        assert len(set(ids)) == n
        for name in ROW_DATASETS:
            dataset = file[name]
            assert dataset.shape[0] == n
            assert dataset.chunks[0] == min(n, CHUNK_ROWS)
        for name in ("ids", "smiles", "scaffolds"):
            assert h5py.check_string_dtype(file[name].dtype).encoding == "utf-8"
            file[name].asstr()[:]
        fingerprints = file["fingerprints"]
        n_bits = int(fingerprints.attrs["n_bits"])
        assert fingerprints.dtype == np.uint8
        assert fingerprints.shape == (n, (n_bits + 7) // 8)
        assert fingerprints.attrs["kind"] == "morgan"
        assert fingerprints.attrs["radius"] == 2
        assert np.unpackbits(fingerprints[:], axis=1).any(axis=1).all()
        if "assays" in file:
            values = file["assays/values"][:]
            names = file["assays/names"].asstr()[:]
            assert values.dtype == np.float32 and values.shape == (n, len(names))
            assert not np.isinf(values).any()
            assert len(file["assays/units"].asstr()[:]) == len(names)
        assert len(file["splits"]) >= 1
        for split in file["splits"].values():
            assert split.dtype == np.int8 and split.shape == (n,)
            assert set(np.unique(split[:])) <= {0, 1, 2}


@pytest.mark.parametrize("module", [freesolv, solubility, chembl2321810, nci], ids=lambda module: module.__name__)
def test_wheel_sources_write_contract_files(module, tmp_path):
    for path in module.prepare(Settings(out_dir=tmp_path, n_bits=1024)):
        check_contract_file(path)


def test_esol_from_the_shared_copy(tmp_path):
    if not (SHARED_DATA / "esol").is_dir():
        pytest.skip("no shared/data/esol beside the repository")
    [path] = esol.prepare(Settings(out_dir=tmp_path))
    check_contract_file(path)
    with h5py.File(path, "r") as file:
        assert file.attrs["n_input_rows"] == 1128
        assert len(file["ids"]) == 1117


def test_moleculeace_files_follow_the_contract(prepared_slice):
    paths = sorted(prepared_slice.rglob("*.h5"))
    assert len(paths) == 4
    for path in paths:
        check_contract_file(path)
