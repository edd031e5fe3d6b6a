"""From source rows to a compound library: invalid rows listed, duplicates merged, splits made, file written."""

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import rdkit

from . import __version__
from .contract import SPLIT_CODES, Assays, CompoundLibrary, Fingerprints, write_atomically, write_library
from .featurize import DEFAULT_BITS, InvalidMolecule, MorganFeaturizer
from .sources import file_digests

PROGRESS_EVERY = 10_000
INVALID_ROWS_PRINTED = 20


@dataclass(frozen=True)
class Settings:
    out_dir: Path
    n_bits: int = DEFAULT_BITS
    seed: int = 0

    def featurizer(self):
        return MorganFeaturizer(self.n_bits)


def library_attrs(name, source, paths, licence, card=None):
    """Root attributes that say what a file holds and where it came from (besides contract, producer, created)."""
    attrs = {"name": name, "source": source, "source_files": file_digests(paths), "licence": licence}
    if card:
        attrs["card"] = f"datasets/cards/{card}.md"
    return attrs


@dataclass(frozen=True)
class SourceRow:
    location: str  # "file:line" (CSV, SMI) or "file:record" (SDF), 1-based
    text: str  # the SMILES or record title as the source gives it
    values: tuple  # one float per assay, NaN where this row has no value
    split: str | None
    molecule: object | None  # featurize.Molecule
    invalid_reason: str | None = None
    name: str | None = None  # the user's own id for the compound (prepare.py convert --id-col), spaces stripped


def row_from_smiles(featurizer, location, smiles, values=(), split=None, name=None):
    try:
        return SourceRow(location, smiles, values, split, featurizer.from_smiles(smiles), name=name)
    except InvalidMolecule as error:
        return SourceRow(location, smiles, values, split, None, str(error), name)


def row_from_mol(featurizer, location, mol, text, values=(), split=None, name=None):
    try:
        return SourceRow(location, text, values, split, featurizer.from_mol(mol), name=name)
    except InvalidMolecule as error:
        return SourceRow(location, text, values, split, None, str(error), name)



NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def parse_value(text, location):
    """An empty cell (or NaN, as pandas writes it) means not measured; anything else must be a decimal number within
    float32's range (Python's float() would also take '5_1', 'inf' or '1e999')."""
    text = text.strip()
    if not text or text.lower().lstrip("+-") == "nan":
        return float("nan")
    if not NUMBER.fullmatch(text):
        raise ValueError(f"{location}: {text!r} is not a number")
    value = float(text)
    with np.errstate(over="ignore"):
        if not np.isfinite(np.float32(value)):
            raise ValueError(f"{location}: {text!r} is beyond float32's range")
    return value


def with_progress(rows, label):
    for count, row in enumerate(rows, start=1):
        if count % PROGRESS_EVERY == 0:
            print(f"[{label}] {count:,} rows read", file=sys.stderr, flush=True)
        yield row


def compound_id(canonical_smiles):
    """Stable across files and runs: the same canonical SMILES always gets the same id."""
    return "CS" + hashlib.sha256(canonical_smiles.encode("utf-8")).hexdigest()[:16].upper()


def producer():
    return f"galen_datasets {__version__} (datasets/prepare.py; RDKit {rdkit.__version__}, h5py {h5py.__version__})"


@dataclass
class Prepared:
    library: CompoundLibrary
    report: dict


def build_library(rows, featurizer, assays, split, attrs):
    """assays: list of (name, unit or None), or None for an unlabelled set; split: PublishedSplit or RandomSplit."""
    n_assays = len(assays) if assays else 0
    index, molecules, labels, row_compounds, row_values, invalid, locations = {}, [], [], [], [], [], []
    names, named = [], {}  # the first name of each compound; each name's compound and where it was first given
    n_rows = 0
    for row in rows:
        n_rows += 1
        if row.molecule is None:
            invalid.append({"location": row.location, "text": row.text, "reason": row.invalid_reason})
            continue
        if row.name == "":
            raise ValueError(f"{row.location}: its id is empty")
        compound = index.setdefault(row.molecule.canonical_smiles, len(molecules))
        if compound == len(molecules):
            molecules.append(row.molecule)
            labels.append(set())
            locations.append([])
            names.append(row.name)
        if row.name is not None:
            first = named.setdefault(row.name, (compound, row.location))
            if first[0] != compound:
                raise ValueError(f"{row.location}: the id {row.name!r} also names another compound at {first[1]}")
        locations[compound].append(row.location)
        if row.split is not None:
            labels[compound].add(row.split)
        row_compounds.append(compound)
        row_values.append(row.values)

    n = len(molecules)
    if n == 0:
        raise ValueError(f"{attrs['source']}: no valid compounds in {n_rows} rows")
    canonical = [molecule.canonical_smiles for molecule in molecules]
    library_assays, n_replicates = None, 0
    if assays:
        values, counts = _mean_per_compound(row_compounds, row_values, n, n_assays)
        n_replicates = int((counts > 1).sum())
        units = [unit for _, unit in assays]
        library_assays = Assays(values, [name for name, _ in assays], None if None in units else units)
    library_split = split.make(labels)

    n_rows_merged = len(row_compounds) - n
    summary = {
        "n_input_rows": n_rows,
        "n_invalid_rows": len(invalid),
        "n_rows_merged": n_rows_merged,
        "n_replicate_values_averaged": n_replicates,
    }
    library = CompoundLibrary(
        ids=[name if name is not None else compound_id(smiles) for name, smiles in zip(names, canonical)],
        smiles=canonical,
        scaffolds=[molecule.scaffold for molecule in molecules],
        fingerprints=Fingerprints(
            packed=np.stack([molecule.packed_fingerprint for molecule in molecules]),
            n_bits=featurizer.n_bits,
            kind=featurizer.kind,
            radius=featurizer.radius,
        ),
        assays=library_assays,
        splits={split.name: library_split},
        attrs={**attrs, **summary},
    )
    report = {
        "name": attrs["name"],
        **summary,
        "n_compounds": n,
        "assays": _assay_report(library_assays),
        "splits": {split.name: _split_report(library_split)},
        "invalid_rows": invalid,
        # Rows of one file with one canonical SMILES (stereoisomers written without stereo among them), averaged.
        "merged_rows": [{"smiles": canonical[i], "rows": rows} for i, rows in enumerate(locations) if _repeats_in_a_file(rows)],
        # One compound given several ids: it keeps the first.
        "merged_ids": _merged_ids(named, names),
        # Salts and mixtures are kept whole: their counter-ions' bits are in the fingerprints.
        "multi_fragment_compounds": [smiles for smiles in canonical if "." in smiles],
    }
    return Prepared(library, report)


def _merged_ids(named, names):
    others = {}
    for name, (compound, location) in named.items():
        if names[compound] != name:
            others.setdefault(names[compound], []).append({"id": name, "location": location})
    return [{"id": kept, "also": also} for kept, also in others.items()]


def _repeats_in_a_file(locations):
    """Whether one source file holds the compound twice (a multi-task library meets a compound once per target file)."""
    files = [location.rsplit(":", 1)[0] for location in locations]
    return len(set(files)) < len(files)


def _mean_per_compound(row_compounds, row_values, n, n_assays):
    values = np.asarray(row_values, dtype=np.float64).reshape(-1, n_assays)
    measured = ~np.isnan(values)
    sums = np.zeros((n, n_assays))
    counts = np.zeros((n, n_assays), dtype=np.int64)
    np.add.at(sums, row_compounds, np.where(measured, values, 0.0))
    np.add.at(counts, row_compounds, measured)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    return means.astype(np.float32), counts


def _assay_report(assays):
    if assays is None:
        return []
    measured = (~np.isnan(assays.values)).sum(axis=0)
    units = assays.units or [None] * len(assays.names)
    return [
        {"name": name, "unit": unit, "n_measured": int(count)}
        for name, unit, count in zip(assays.names, units, measured)
    ]


def _split_report(split):
    counts = {label: int((split.codes == code).sum()) for label, code in SPLIT_CODES.items()}
    return {**counts, **split.attrs}


def write_prepared(prepared, path):
    """Writes the .h5 file and its .report.json beside it, and says what happened on stderr."""
    path = Path(path)
    report = {**prepared.report, "file": path.name}
    write_atomically(path, lambda target: write_library(target, prepared.library, producer()), report)
    _print_summary(report, path)
    return path


def _print_summary(report, path):
    print(
        f"[{report['name']}] {report['n_input_rows']:,} rows -> {report['n_compounds']:,} compounds "
        f"({report['n_invalid_rows']} invalid, {report['n_rows_merged']:,} rows merged into earlier compounds, "
        f"{report['n_replicate_values_averaged']} replicate values averaged) -> {path}",
        file=sys.stderr,
    )
    if report["merged_ids"]:
        print(f"  {len(report['merged_ids'])} compounds were given more than one id and keep their first", file=sys.stderr)
    for row in report["invalid_rows"][:INVALID_ROWS_PRINTED]:
        text = row["text"] if len(row["text"]) <= 80 else row["text"][:77] + "..."
        print(f"  invalid {row['location']}: {text!r}: {row['reason']}", file=sys.stderr)
    hidden = len(report["invalid_rows"]) - INVALID_ROWS_PRINTED
    if hidden > 0:
        print(f"  ... {hidden} more invalid rows in {path.with_suffix('.report.json')}", file=sys.stderr)
