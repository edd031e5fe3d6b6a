"""Rows out of CSV, SMI and SDF files, each parsed by RDKit and located by file and line (or record)."""

import csv
import stat
from pathlib import Path

from rdkit import Chem

from .featurize import captured_rdkit_messages, failure_reason
from .library import SourceRow, parse_value, row_from_mol, row_from_smiles
from .sources import csv_records, open_text
from .splits import split_label

DELIMITERS = {".csv": ",", ".tsv": "\t"}
# What --id-col names in an SMI file (the field after the SMILES) and in an SDF file (the record's title, as RDKit calls it).
SMI_NAME_FIELD = "name"
SDF_TITLE = "_Name"


def require_regular_file(path):
    """Refuses a missing path, a folder, or a named pipe (reading one would wait for a writer for ever)."""
    try:
        mode = Path(path).stat().st_mode
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path}: {'a folder' if stat.S_ISDIR(mode) else 'not a regular file'}, not a file to read")


def read_header(path):
    """The column names of a CSV file."""
    with open_text(path, newline="") as handle:
        try:
            header = next(csv.reader(handle), None)
        except csv.Error as error:
            raise ValueError(f"{Path(path).name}:1: {error}") from None
    if header is None:
        raise ValueError(f"{Path(path).name}: the file is empty")
    return header


def read_table(path, featurizer, smiles_column, value_columns=(), split_column=None, id_column=None):
    """CSV (or TSV) with a header; an empty value cell means not measured."""
    path = Path(path)
    with open_text(path, newline="") as handle:
        reader = csv.DictReader(handle, delimiter=DELIMITERS.get(path.suffix.lower(), ","))
        try:
            header = reader.fieldnames
        except csv.Error as error:
            raise ValueError(f"{path.name}:1: {error}") from None
        if header is None:
            raise ValueError(f"{path.name}: the file is empty")
        wanted = [smiles_column, *value_columns] + [column for column in (split_column, id_column) if column]
        missing = [column for column in wanted if column not in header]
        if missing:
            raise ValueError(f"{path.name}: no column {missing}; its columns are {header}")
        if repeated := sorted({column for column in wanted if header.count(column) > 1}):
            raise ValueError(f"{path.name}: the header names column {repeated} more than once")
        for record in csv_records(reader, path):
            location = f"{path.name}:{reader.line_num}"
            if None in record.values() or None in record:
                raise ValueError(f"{location}: the row has {'more' if None in record else 'fewer'} fields than the header")
            values = tuple(parse_value(record[column], location) for column in value_columns)
            split = split_label(record[split_column], location) if split_column else None
            name = record[id_column].strip() if id_column else None
            yield row_from_smiles(featurizer, location, record[smiles_column].strip(), values, split, name)


def read_smi(path, featurizer, with_names=False):
    """One `SMILES [name]` per line, no header, no values (unlabelled); the names are the ids `with_names`."""
    path = Path(path)
    with open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            fields = line.split(maxsplit=1)
            if fields and not fields[0].startswith("#"):
                location = f"{path.name}:{line_number}"
                name = (fields[1].strip() if len(fields) > 1 else "") if with_names else None
                yield row_from_smiles(featurizer, location, fields[0], name=name)


def read_sdf(path, featurizer, value_properties=(), split_property=None, id_property=None):
    """Values, split and id from SD properties (the id may be the title, `_Name`); a record RDKit cannot read is
    listed with RDKit's reason."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise ValueError(f"{path.name}: the file is empty")
    supplier = Chem.SDMolSupplier(str(path))
    for record in range(len(supplier)):
        location = f"{path.name}:record {record + 1}"
        with captured_rdkit_messages() as messages:
            mol = supplier[record]
        if mol is None:
            reason = failure_reason(messages, "RDKit could not read the record")
            yield SourceRow(location, "", (), None, None, reason)
            continue
        try:
            values = tuple(
                parse_value(mol.GetProp(name) if mol.HasProp(name) else "", location) for name in value_properties
            )
            if split_property and not mol.HasProp(split_property):
                raise ValueError(f"{location}: no SD property {split_property!r}")
            split = split_label(mol.GetProp(split_property), location) if split_property else None
            title = mol.GetProp(SDF_TITLE)
            if id_property and not mol.HasProp(id_property):
                raise ValueError(f"{location}: no SD property {id_property!r}")
            name = mol.GetProp(id_property).strip() if id_property else None
        except UnicodeDecodeError:
            raise ValueError(f"{location}: a property or the title is not UTF-8 text") from None
        yield row_from_mol(featurizer, location, mol, title, values, split, name)


def read_any(path, featurizer, smiles_column="smiles", value_columns=(), split_column=None, id_column=None):
    """By extension: .csv/.tsv tables, .smi lists, .sdf records (value, split and id columns are SD properties)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in DELIMITERS:
        return read_table(path, featurizer, smiles_column, value_columns, split_column, id_column)
    if suffix == ".sdf":
        return read_sdf(path, featurizer, value_columns, split_column, id_column)
    if suffix == ".smi":
        if value_columns or split_column:
            raise ValueError(f"{Path(path).name}: SMI files carry no values or splits")
        if id_column not in (None, SMI_NAME_FIELD):
            raise ValueError(f"{Path(path).name}: an SMI file's only id column is {SMI_NAME_FIELD!r}, the name after each SMILES")
        return read_smi(path, featurizer, with_names=id_column is not None)
    raise ValueError(f"{Path(path).name}: expected .csv, .tsv, .smi or .sdf")
