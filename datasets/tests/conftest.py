"""A small real slice of MoleculeACE (three opioid-receptor targets that share compounds), prepared once per run."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from galen_datasets import moleculeace
from galen_datasets.sources import SHARED_DATA

PREPARE = Path(__file__).resolve().parents[1] / "prepare.py"
SLICE_TARGETS = ("CHEMBL233_Ki", "CHEMBL236_Ki", "CHEMBL237_Ki")
ANCHOR_ROWS = 100  # of the first target; the other two contribute the rows that share these compounds
EXTRA_ROWS = 40  # first rows of each other target, most of them measured on that target alone


def write_slice(source_folder, out_folder):
    """Copies the header and a few hundred real rows per target, unchanged, into out_folder."""
    out_folder.mkdir(parents=True, exist_ok=True)
    anchor_smiles = set()
    for index, target in enumerate(SLICE_TARGETS):
        with open(source_folder / f"{target}.csv", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        smiles = header.index("smiles")
        if index == 0:
            kept = rows[:ANCHOR_ROWS]
            anchor_smiles = {row[smiles] for row in kept}
        else:
            kept = [row for number, row in enumerate(rows) if number < EXTRA_ROWS or row[smiles] in anchor_smiles]
        with open(out_folder / f"{target}.csv", "w", newline="") as handle:
            csv.writer(handle).writerows([header, *kept])
    return out_folder


def prepare(*arguments):
    subprocess.run([sys.executable, str(PREPARE), *map(str, arguments)], check=True, capture_output=True, text=True)


@pytest.fixture(scope="session")
def wheel_slice(tmp_path_factory):
    return write_slice(moleculeace.default_source().path, tmp_path_factory.mktemp("wheel_slice"))


@pytest.fixture(scope="session")
def prepared_slice(wheel_slice, tmp_path_factory):
    out = tmp_path_factory.mktemp("prepared")
    prepare("moleculeace", "--source", wheel_slice, "--out", out)
    return out


@pytest.fixture(scope="session")
def shared_moleculeace():
    folder = SHARED_DATA / "moleculeace"
    if not folder.is_dir():
        pytest.skip("no shared/data/moleculeace beside the repository")
    return folder
