"""MoleculeACE: 30 ChEMBL potency sets with the paper's train/test split, one file each and one multi-task library."""

from dataclasses import replace
from itertools import chain

from .library import build_library, library_attrs, with_progress, write_prepared
from .readers import read_header, read_table
from .sources import local_folder, package_folder
from .splits import PublishedSplit

INSTALL_HINT = "pip install --no-deps MoleculeACE==3.0.0"
LICENCE = "MIT (MoleculeACE, (c) 2022 Derek van Tilborg); bioactivities from ChEMBL, CC BY-SA 3.0"
PX_COLUMN = "y [pEC50/pKi]"  # only in MoleculeACE's newer CSVs (GitHub); the PyPI wheel has `y` alone
SPLIT = PublishedSplit("moleculeace")
MULTITASK_NAME = "moleculeace_multitask"


def default_source():
    return package_folder("MoleculeACE", "Data", "benchmark_data", install_hint=INSTALL_HINT)


def target_paths(folder, targets=None):
    available = {path.stem: path for path in sorted(folder.path.glob("CHEMBL*.csv"))}
    if not available:
        raise ValueError(f"no CHEMBL*.csv in {folder.path}")
    unknown = sorted(set(targets or ()) - set(available))
    if unknown:
        raise ValueError(f"unknown MoleculeACE targets {unknown}; available: {sorted(available)}")
    return [available[stem] for stem in sorted(targets)] if targets else list(available.values())


def unit_of(target):
    """File stems are CHEMBL<id>_Ki or CHEMBL<id>_EC50."""
    return "pKi" if target.endswith("_Ki") else "pEC50"


def read_target(path, featurizer):
    """Values in pX = -log10(value in M): the pX column when present, else the wheel's y (= -log10 nM) + 9."""
    header = read_header(path)
    if PX_COLUMN in header:
        return read_table(path, featurizer, "smiles", [PX_COLUMN], "split")
    rows = read_table(path, featurizer, "smiles", ["y"], "split")
    return (replace(row, values=(row.values[0] + 9.0,)) for row in rows)


def prepare(settings, source=None, targets=None):
    folder = local_folder(source) if source else default_source()
    paths = target_paths(folder, targets)
    featurizer = settings.featurizer()
    tagged_rows = chain.from_iterable(((path.stem, row) for row in read_target(path, featurizer)) for path in paths)
    rows_by_target = {path.stem: [] for path in paths}
    for target, row in with_progress(tagged_rows, "moleculeace"):
        rows_by_target[target].append(row)

    written = []
    for path in paths:
        target = path.stem
        attrs = library_attrs(target, folder.description, [path], LICENCE, "moleculeace")
        prepared = build_library(rows_by_target[target], featurizer, [(target, unit_of(target))], SPLIT, attrs)
        written.append(write_prepared(prepared, settings.out_dir / "moleculeace" / f"{target}.h5"))

    targets = list(rows_by_target)
    wide_rows = (
        replace(row, values=_one_hot_value(column, len(targets), row.values[0]))
        for column, target in enumerate(targets)
        for row in rows_by_target[target]
    )
    attrs = library_attrs(MULTITASK_NAME, folder.description, paths, LICENCE, "moleculeace")
    assays = [(target, unit_of(target)) for target in targets]
    prepared = build_library(wide_rows, featurizer, assays, SPLIT, attrs)
    written.append(write_prepared(prepared, settings.out_dir / f"{MULTITASK_NAME}.h5"))
    return written


def _one_hot_value(column, n_columns, value):
    values = [float("nan")] * n_columns
    values[column] = value
    return tuple(values)
