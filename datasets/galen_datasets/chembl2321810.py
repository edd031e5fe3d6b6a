"""ChEMBL assay CHEMBL2321810, the congeneric potency series of RDKit's Free-Wilson example."""

import csv
from pathlib import Path

from .library import build_library, library_attrs, parse_value, row_from_smiles, with_progress, write_prepared
from .readers import read_header
from .sources import csv_records, local_folder, open_text, package_folder
from .splits import RandomSplit

NAME = "chembl2321810"
SMILES_FILE = "CHEMBL2321810.smi"
ACTIVITY_FILE = "CHEMBL2321810_act.csv"
ASSAYS = [("CHEMBL2321810", "pIC50")]
INSTALL_HINT = "pip install rdkit"
LICENCE = "BSD-3-Clause (RDKit); activities from ChEMBL, CC BY-SA 3.0"


def read_series(smiles_path, activity_path, featurizer):
    """`SMILES name` lines joined on name to the Name,Act table; a compound without activity gets NaN."""
    if missing := [column for column in ("Name", "Act") if column not in read_header(activity_path)]:
        raise ValueError(f"{Path(activity_path).name}: no column {missing}")
    with open_text(activity_path, newline="") as handle:
        activity = {record["Name"]: record["Act"] or "" for record in csv_records(csv.DictReader(handle), activity_path)}
    with open_text(smiles_path) as handle:
        for line_number, line in enumerate(handle, start=1):
            fields = line.split()
            if fields:
                location = f"{Path(smiles_path).name}:{line_number}"
                if len(fields) < 2:
                    raise ValueError(f"{location}: expected `SMILES name`")
                value = parse_value(activity.get(fields[1], ""), location)
                yield row_from_smiles(featurizer, location, fields[0], (value,))


def prepare(settings, source=None):
    if source:
        folder = local_folder(source)
    else:
        folder = package_folder("rdkit", "Contrib", "FreeWilson", "data", install_hint=INSTALL_HINT)
    paths = [folder.file(SMILES_FILE), folder.file(ACTIVITY_FILE)]
    featurizer = settings.featurizer()
    rows = with_progress(read_series(*paths, featurizer), NAME)
    attrs = library_attrs(NAME, folder.description, paths, LICENCE, NAME)
    prepared = build_library(rows, featurizer, ASSAYS, RandomSplit(settings.seed), attrs)
    return [write_prepared(prepared, settings.out_dir / f"{NAME}.h5")]
