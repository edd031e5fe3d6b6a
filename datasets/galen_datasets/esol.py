"""ESOL (Delaney): measured aqueous solubility. No PyPI wheel ships it, so it is read from a local copy."""

from .library import build_library, library_attrs, with_progress, write_prepared
from .readers import read_table
from .sources import SHARED_DATA, SourceFolder, SourceNotFound, local_folder
from .splits import RandomSplit

NAME = "esol"
FILE = "delaney.csv"
VALUE_COLUMN = "logp"  # misnamed in chemprop's copy: it is the measured log10 solubility in mol/L
ASSAYS = [("logS", "log10(mol/L)")]
LICENCE = (
    "MIT (chemprop repository, which redistributes the MoleculeNet curation); cite Delaney 2004 and Wu et al. 2018"
)
SHARED_COPY = SHARED_DATA / "esol"


def default_source():
    if not (SHARED_COPY / FILE).is_file():
        raise SourceNotFound(
            f"ESOL ships in no PyPI package; pass --source DIR with {FILE} (chemprop's data/{FILE}), "
            f"for example the project's shared copy ../shared/data/esol"
        )
    return SourceFolder(SHARED_COPY, f"chemprop/chemprop@b83635bc data/{FILE}, copy in shared/data/esol")


def prepare(settings, source=None):
    folder = local_folder(source) if source else default_source()
    path = folder.file(FILE)
    featurizer = settings.featurizer()
    rows = with_progress(read_table(path, featurizer, "smiles", [VALUE_COLUMN]), NAME)
    attrs = library_attrs(NAME, folder.description, [path], LICENCE, NAME)
    prepared = build_library(rows, featurizer, ASSAYS, RandomSplit(settings.seed), attrs)
    return [write_prepared(prepared, settings.out_dir / f"{NAME}.h5")]
