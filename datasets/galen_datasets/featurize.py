"""RDKit chemistry: parsing with a captured reason for failures, canonical SMILES, scaffolds, Morgan bits."""

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from rdkit import Chem, rdBase
from rdkit.Chem import rdFingerprintGenerator
from rdkit.Chem.Scaffolds import MurckoScaffold

MORGAN_RADIUS = 2
DEFAULT_BITS = 2048

_RDKIT_TIMESTAMP = re.compile(r"^\[\d\d:\d\d:\d\d\] ")


class InvalidMolecule(Exception):
    """A record RDKit cannot turn into a molecule; the message is RDKit's reason."""


class _MessageCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(_RDKIT_TIMESTAMP.sub("", record.getMessage()).strip())


@contextmanager
def captured_rdkit_messages():
    """Routes RDKit's warnings and errors into a list instead of stderr, for the duration of the block."""
    rdBase.LogToPythonLogger()
    logger = logging.getLogger("rdkit")
    saved_handlers, saved_propagate = logger.handlers[:], logger.propagate
    collector = _MessageCollector()
    logger.handlers = [collector]
    logger.propagate = False
    try:
        yield collector.messages
    finally:
        logger.handlers, logger.propagate = saved_handlers, saved_propagate


def failure_reason(messages, fallback):
    errors = [message for message in messages if message]
    return "; ".join(errors) if errors else fallback


@dataclass(frozen=True)
class Molecule:
    canonical_smiles: str
    scaffold: str
    packed_fingerprint: np.ndarray


# Beyond these RDKit's scaffold step takes seconds to minutes a molecule (a 2,000-atom chain: 11 s); no drug-like
# molecule or peptide comes near them.
MAX_SMILES_LENGTH = 10_000
MAX_HEAVY_ATOMS = 1_000


class MorganFeaturizer:
    """Morgan (ECFP4-like) bits from RDKit's generator API; equal to GetMorganFingerprintAsBitVect(mol, 2, n_bits)."""

    kind = "morgan"

    def __init__(self, n_bits=DEFAULT_BITS, radius=MORGAN_RADIUS):
        self.n_bits = n_bits
        self.radius = radius
        self._generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)

    def from_smiles(self, smiles):
        if len(smiles) > MAX_SMILES_LENGTH:
            raise InvalidMolecule(f"SMILES of {len(smiles):,} characters, more than {MAX_SMILES_LENGTH:,}")
        with captured_rdkit_messages() as messages:
            mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            raise InvalidMolecule(failure_reason(messages, "RDKit could not parse the SMILES"))
        return self.from_mol(mol)

    def from_mol(self, mol):
        if mol.GetNumAtoms() == 0:
            raise InvalidMolecule("no atoms")
        if mol.GetNumHeavyAtoms() > MAX_HEAVY_ATOMS:
            raise InvalidMolecule(f"{mol.GetNumHeavyAtoms():,} heavy atoms, more than {MAX_HEAVY_ATOMS:,}")
        bits = self._generator.GetFingerprintAsNumPy(mol).astype(np.uint8)
        return Molecule(
            canonical_smiles=Chem.MolToSmiles(mol),
            scaffold=MurckoScaffold.MurckoScaffoldSmiles(mol=mol),
            packed_fingerprint=np.packbits(bits),
        )
