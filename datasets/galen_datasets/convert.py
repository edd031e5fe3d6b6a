"""Any CSV, TSV, SMI or SDF files of SMILES (and measured values) into one compound library."""

from itertools import chain
from pathlib import Path

from .library import build_library, library_attrs, with_progress, write_prepared
from .readers import read_any, require_regular_file
from .splits import PublishedSplit, RandomSplit

SOURCE_SPLIT_NAME = "source"


def prepare(
    settings, files, name, smiles_column="smiles", value_columns=(), units=(), split_column=None, licence="not stated",
    id_column=None,
):
    """A split column becomes /splits/source; without one, a seeded random 80/10/10 split /splits/random. An id
    column gives the compounds the user's own ids (unique per compound; a compound given several keeps the first)
    instead of ids made from their canonical SMILES."""
    if units and len(units) != len(value_columns):
        raise ValueError(f"{len(units)} units for {len(value_columns)} value columns")
    if len(set(value_columns)) != len(value_columns):
        raise ValueError(f"--value-col names a column twice: {list(value_columns)}")
    paths = [Path(file).resolve() for file in files]
    for path in paths:
        require_regular_file(path)
    featurizer = settings.featurizer()
    rows = chain.from_iterable(read_any(path, featurizer, smiles_column, value_columns, split_column, id_column) for path in paths)
    assays = list(zip(value_columns, units or [None] * len(value_columns))) or None
    split = PublishedSplit(SOURCE_SPLIT_NAME) if split_column else RandomSplit(settings.seed)
    source = "local files " + ", ".join(str(path) for path in paths)
    attrs = library_attrs(name, source, paths, licence)
    prepared = build_library(with_progress(rows, name), featurizer, assays, split, attrs)
    if empty := [assay["name"] for assay in prepared.report["assays"] if assay["n_measured"] == 0]:
        raise ValueError(f"{', '.join(path.name for path in paths)}: no row has a value in {empty} (a misspelled SD property?)")
    return [write_prepared(prepared, settings.out_dir / f"{name}.h5")]
