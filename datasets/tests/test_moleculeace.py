import csv

import h5py
import numpy as np
from conftest import SLICE_TARGETS, prepare, write_slice
from rdkit import Chem, DataStructs, rdBase
from rdkit.Chem import AllChem

from galen_datasets.contract import SPLIT_CODES


def source_rows(folder):
    """(target, smiles, pX, split) for every row of the slice, pX = y + 9 as the wheel's y is -log10(nM)."""
    for target in SLICE_TARGETS:
        with open(folder / f"{target}.csv", newline="") as handle:
            for record in csv.DictReader(handle):
                yield target, record["smiles"], float(record["y"]) + 9.0, record["split"]


def canonical(smiles):
    return Chem.MolToSmiles(Chem.MolFromSmiles(smiles))


def read(path, *names):
    with h5py.File(path, "r") as file:
        return [file[name].asstr()[:] if file[name].dtype.kind == "O" else file[name][:] for name in names]


def test_slice_is_a_few_hundred_rows_with_shared_compounds(wheel_slice):
    rows = list(source_rows(wheel_slice))
    assert 200 <= len(rows) <= 600
    assert len({canonical(smiles) for _, smiles, _, _ in rows}) < len(rows)


def test_fingerprints_equal_moleculeace_featurization(wheel_slice, prepared_slice):
    smiles, packed = read(prepared_slice / "moleculeace_multitask.h5", "smiles", "fingerprints")
    row_of = {value: row for row, value in enumerate(smiles)}
    bits = np.unpackbits(packed, axis=1)
    with rdBase.BlockLogs():  # the old call warns that it is deprecated
        for _, source_smiles, _, _ in source_rows(wheel_slice):
            expected = AllChem.GetMorganFingerprintAsBitVect(Chem.MolFromSmiles(source_smiles), 2, nBits=2048)
            array = np.zeros(2048, dtype=np.uint8)
            DataStructs.ConvertToNumpyArray(expected, array)
            assert np.array_equal(bits[row_of[canonical(source_smiles)]], array)


def test_multitask_matrix_has_a_value_exactly_where_measured(wheel_slice, prepared_slice):
    smiles, names, units, values = read(
        prepared_slice / "moleculeace_multitask.h5", "smiles", "assays/names", "assays/units", "assays/values"
    )
    assert list(names) == list(SLICE_TARGETS)
    assert list(units) == ["pKi"] * 3
    expected = np.full(values.shape, np.nan, dtype=np.float32)
    row_of = {value: row for row, value in enumerate(smiles)}
    for target, source_smiles, px, _ in source_rows(wheel_slice):
        expected[row_of[canonical(source_smiles)], SLICE_TARGETS.index(target)] = px
    assert np.array_equal(values, expected, equal_nan=True)
    assert (~np.isnan(values)).sum(axis=1).max() > 1  # some compounds are measured on several targets


def test_splits_carried_over_and_test_wins_across_targets(wheel_slice, prepared_slice):
    smiles, split = read(prepared_slice / "moleculeace_multitask.h5", "smiles", "splits/moleculeace")
    tested_anywhere = set()
    for target in SLICE_TARGETS:
        target_smiles, target_split = read(
            prepared_slice / "moleculeace" / f"{target}.h5", "smiles", "splits/moleculeace"
        )
        expected = {canonical(s): SPLIT_CODES[label] for t, s, _, label in source_rows(wheel_slice) if t == target}
        assert [expected[s] for s in target_smiles] == list(target_split)
        tested_anywhere |= {s for s, code in expected.items() if code == SPLIT_CODES["test"]}
    expected_multitask = [SPLIT_CODES["test"] if s in tested_anywhere else SPLIT_CODES["train"] for s in smiles]
    assert list(split) == expected_multitask
    with h5py.File(prepared_slice / "moleculeace_multitask.h5", "r") as file:
        conflicts = file["splits/moleculeace"].attrs["n_conflicts"]
    assert 0 < conflicts < len(smiles)


def test_ids_are_the_same_for_a_compound_in_every_file(prepared_slice):
    ids, smiles = read(prepared_slice / "moleculeace_multitask.h5", "ids", "smiles")
    id_of = dict(zip(smiles, ids))
    for target in SLICE_TARGETS:
        target_ids, target_smiles = read(prepared_slice / "moleculeace" / f"{target}.h5", "ids", "smiles")
        assert [id_of[s] for s in target_smiles] == list(target_ids)


def test_pX_column_of_newer_csvs_gives_the_same_values(shared_moleculeace, prepared_slice, tmp_path):
    write_slice(shared_moleculeace, tmp_path / "slice")
    prepare("moleculeace", "--source", tmp_path / "slice", "--out", tmp_path / "out")
    wheel = read(prepared_slice / "moleculeace_multitask.h5", "ids", "assays/values", "splits/moleculeace")
    newer = read(tmp_path / "out" / "moleculeace_multitask.h5", "ids", "assays/values", "splits/moleculeace")
    assert list(wheel[0]) == list(newer[0])
    assert np.array_equal(wheel[1], newer[1], equal_nan=True)
    assert np.array_equal(wheel[2], newer[2])
