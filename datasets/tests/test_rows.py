"""Invalid rows listed with location and reason, duplicates merged by mean, seeded random splits."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from conftest import SLICE_TARGETS

from galen_datasets import convert
from galen_datasets.library import Settings, parse_value

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
    [merged] = report["merged_rows"]
    assert merged["rows"] == ["table.csv:2", "table.csv:7"]
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


PREPARE = Path(__file__).resolve().parents[1] / "prepare.py"
GOOD = "smiles,pKi\nCCO,5.0\nc1ccccc1O,6.5\n"


@pytest.mark.parametrize(
    "content, arguments, message",
    [
        (GOOD.replace("6.5", "6.5,7"), ["--value-col", "pKi"], "in.csv:3: the row has more fields than the header"),
        (GOOD.replace("6.5", "inf"), ["--value-col", "pKi"], "in.csv:3: 'inf' is not a number"),
        (GOOD.replace("6.5", "5_1"), ["--value-col", "pKi"], "in.csv:3: '5_1' is not a number"),
        (GOOD.replace("6.5", "1e999"), ["--value-col", "pKi"], "in.csv:3: '1e999' is beyond float32's range"),
        (GOOD.replace(",6.5", ""), ["--value-col", "pKi"], "in.csv:3: the row has fewer fields than the header"),
        ("smiles,pKi,comment\nCCO,5.0\n", ["--value-col", "pKi"], "in.csv:2: the row has fewer fields than the header"),
        ("smiles,pKi,pKi\nCCO,5,6\n", ["--value-col", "pKi"], "in.csv: the header names column ['pKi'] more than once"),
        ("smiles,pKi\nCCO,\n", ["--value-col", "pKi"], "in.csv: no row has a value in ['pKi']"),
        (b"\xb5\x00\x01", [], "in.csv: not UTF-8 text"),
        ("", [], "in.csv: the file is empty"),
        (None, [], "in.csv: a folder, not a file to read"),
        ("fifo", [], "in.csv: not a regular file"),
        (GOOD, ["--value-col", "pKi", "--value-col", "pKi"], "--value-col names a column twice"),
        (GOOD, ["--name", "../out"], "argument --name: '../out' is not a plain name"),
        (GOOD, ["--bits", "0"], "argument --bits: 0 is not from 1 to 65536"),
        ("smiles,name\nCCO,a\nc1ccccc1O, \n", ["--id-col", "name"], "in.csv:3: its id is empty"),
        ("smiles,name\nCCO,a\nc1ccccc1O,a\n", ["--id-col", "name"], "in.csv:3: the id 'a' also names another compound at in.csv:2"),
        (GOOD, ["--id-col", "name"], "in.csv: no column ['name']"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(tmp_path, content, arguments, message):
    source = tmp_path / "in.csv"
    if content is None:
        source.mkdir()
    elif content == "fifo":
        os.mkfifo(source)
    else:
        source.write_bytes(content if isinstance(content, bytes) else content.encode())
    name = [] if "--name" in arguments else ["--name", "x"]
    run = subprocess.run(
        [sys.executable, PREPARE, "convert", source, *name, *arguments, "--out", tmp_path / "out"],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == (2 if message.startswith("argument") else 1), run.stderr
    assert run.stderr.count("\n") == 1 and message in run.stderr, run.stderr
    assert not (tmp_path / "out" / "x.h5").exists()


def test_an_id_column_gives_the_compounds_their_own_ids(tmp_path):
    table = tmp_path / "mine.csv"
    table.write_text("smiles,code,pIC50\nCCO,EtOH-1,5.0\nc1ccccc1O,PHENOL,6.5\nOCC,EtOH-2,5.5\n")
    [path] = convert.prepare(Settings(out_dir=tmp_path), [table], "mine", value_columns=["pIC50"], id_column="code")
    report = json.loads(path.with_suffix(".report.json").read_text())
    assert report["merged_ids"] == [{"id": "EtOH-1", "also": [{"id": "EtOH-2", "location": "mine.csv:4"}]}]
    with h5py.File(path, "r") as file:
        assert list(file["ids"].asstr()[:]) == ["EtOH-1", "PHENOL"]
        assert np.allclose(file["assays/values"][:, 0], [5.25, 6.5])

    smi = tmp_path / "mine.smi"
    smi.write_text("CCO ethanol, absolute\nc1ccccc1O phenol\nC1CC(=O\n")  # a broken SMILES is listed, its missing id no matter
    [path] = convert.prepare(Settings(out_dir=tmp_path), [smi], "smi", id_column="name")
    with h5py.File(path, "r") as file:
        assert list(file["ids"].asstr()[:]) == ["ethanol, absolute", "phenol"]

    sdf = tmp_path / "mine.sdf"
    from rdkit import Chem
    with Chem.SDWriter(str(sdf)) as writer:
        for smiles, title in (("CCO", "ethanol"), ("c1ccccc1O", "phenol")):
            mol = Chem.MolFromSmiles(smiles)
            mol.SetProp("_Name", title)
            writer.write(mol)
    [path] = convert.prepare(Settings(out_dir=tmp_path), [sdf], "sdf", id_column="_Name")
    with h5py.File(path, "r") as file:
        assert list(file["ids"].asstr()[:]) == ["ethanol", "phenol"]
    with pytest.raises(ValueError, match="only id column is 'name'"):
        convert.prepare(Settings(out_dir=tmp_path), [smi], "bad", id_column="code")


def test_a_bom_and_salts_are_read_and_salts_listed(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("\ufeffsmiles,pKi\nCCO.Cl,5.0\nCCO,6.0\n", encoding="utf-8")
    [path] = convert.prepare(Settings(out_dir=tmp_path), [source], "salts", value_columns=["pKi"])
    report = json.loads(path.with_suffix(".report.json").read_text())
    assert report["n_compounds"] == 2
    assert report["multi_fragment_compounds"] == ["CCO.Cl"]


def test_an_interrupt_python_dropped_still_stops_the_move_into_place(tmp_path):
    """An interrupt that landed in a finalizer is printed and dropped by Python; the flag still stops the files
    from replacing the earlier ones."""
    from galen_datasets import contract

    def write(target):
        with contract.new_contract_file(target, "test/1", "test", {}) as file:
            file["values"] = [1.0]

    (tmp_path / "x.h5").write_text("earlier")
    contract.interrupted = True
    try:
        with pytest.raises(KeyboardInterrupt):
            contract.write_atomically(tmp_path / "x.h5", write, {"name": "x"})
    finally:
        contract.interrupted = False
    assert (tmp_path / "x.h5").read_text() == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.h5"], "no report and no temporary file"


@pytest.mark.parametrize("text", ["1.", "+2", "1E5", " 3 ", "-0", ".5", "1e+05", "3.4028235e38"])
def test_numbers_as_spreadsheets_and_numpy_write_them_are_read(text):
    assert parse_value(text, "in.csv:2") == float(text)


@pytest.mark.parametrize("text", ["", "  ", "NaN", "nan", "-nan", "+NaN"])
def test_blanks_and_nan_mean_not_measured(text):
    assert np.isnan(parse_value(text, "in.csv:2"))


def test_ctrl_c_exits_130_and_keeps_the_earlier_file(tmp_path):
    """Interrupted while reading PhysioNet's 4,000 records (about 6 s), before anything is written."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "physionet2012.h5").write_text("earlier")
    run = subprocess.Popen([sys.executable, PREPARE, "physionet2012", "--out", out], stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    run.send_signal(signal.SIGINT)
    _, errors = run.communicate(timeout=60)
    assert run.returncode == 130, errors
    assert errors.strip().splitlines()[-1].startswith("interrupted"), errors
    assert (out / "physionet2012.h5").read_text() == "earlier"
    assert sorted(p.name for p in out.iterdir()) == ["physionet2012.h5"]


def test_a_full_disk_is_one_line_and_keeps_the_earlier_file(tmp_path):
    """Files limited to 2 KiB (sh counts 512-byte blocks) fail to write as on a full disk, once SIGXFSZ is ignored."""
    source = tmp_path / "in.csv"
    source.write_text(GOOD)
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.h5").write_text("earlier")
    run = subprocess.run(
        ["sh", "-c", "ulimit -f 4; trap '' XFSZ; exec \"$@\"", "sh", sys.executable, PREPARE, "convert", source,
         "--name", "x", "--value-col", "pKi", "--out", out],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip() == f"error: {out / 'x.h5'}: File too large", run.stderr
    assert (out / "x.h5").read_text() == "earlier"
    assert sorted(p.name for p in out.iterdir()) == ["x.h5"]
