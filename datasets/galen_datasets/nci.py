"""RDKit's first 5,000 NCI compounds: unlabelled, for pre-training."""

from .library import build_library, library_attrs, with_progress, write_prepared
from .readers import read_smi
from .sources import local_folder, package_folder
from .splits import RandomSplit

NAME = "nci_first5k"
FILE = "first_5K.smi"
INSTALL_HINT = "pip install rdkit"
LICENCE = "BSD-3-Clause (RDKit); structures from the NCI open database"


def prepare(settings, source=None):
    folder = local_folder(source) if source else package_folder("rdkit", "Data", "NCI", install_hint=INSTALL_HINT)
    path = folder.file(FILE)
    featurizer = settings.featurizer()
    rows = with_progress(read_smi(path, featurizer), NAME)
    attrs = library_attrs(NAME, folder.description, [path], LICENCE, "nci")
    prepared = build_library(rows, featurizer, None, RandomSplit(settings.seed), attrs)
    return [write_prepared(prepared, settings.out_dir / f"{NAME}.h5")]
