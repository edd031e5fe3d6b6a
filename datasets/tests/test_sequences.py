"""Sequence sets: ECG200 against its raw text, and PhysioNet 2012 on 50 real records, binned and checked by hand."""

import copy
import csv
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from galen_datasets import ecg200, physionet2012
from galen_datasets.contract import SPLIT_CODES
from galen_datasets.physionet_records import VARIABLES, missing_reason, read_record
from galen_datasets.sequence_contract import CHUNK_ROWS, CONTRACT_VERSION, check_sequence_set
from galen_datasets.splits import StratifiedSplit

PREPARE = Path(__file__).resolve().parents[1] / "prepare.py"
N_RECORDS = 50
V = len(VARIABLES)
HR, TEMP, URINE, GCS, HCT = (VARIABLES.index(name) for name in ("HR", "Temp", "Urine", "GCS", "HCT"))
DIAS_ABP, SYS_ABP, MAP, WEIGHT = (VARIABLES.index(name) for name in ("DiasABP", "SysABP", "MAP", "Weight"))


def prepare(*arguments):
    subprocess.run([sys.executable, str(PREPARE), *map(str, arguments)], check=True, capture_output=True, text=True)


def shared(folder):
    if not folder.is_dir():
        pytest.skip(f"no {folder} beside the repository")
    return folder


def check_sequence_file(path):
    """The layout of datasets/README.md section 6; returns N."""
    with h5py.File(path, "r") as file:
        assert file.attrs["galen_contract"] == CONTRACT_VERSION
        for key in ("producer", "created", "name", "source", "licence", "card"):
            assert isinstance(file.attrs[key], str) and file.attrs[key]
        sequences = file["sequences"]
        n, t, f = sequences.shape
        assert sequences.dtype == np.float32 and np.isfinite(sequences[:]).all()
        assert sequences.chunks[0] == min(n, CHUNK_ROWS) and sequences.compression == "gzip"
        for name in ("feature_names", "classes"):
            assert h5py.check_string_dtype(file[name].dtype).encoding == "utf-8"
        assert len(file["feature_names"]) == f
        assert file["feature_mean"].shape == file["feature_std"].shape == (f,)
        assert (file["feature_std"][:] > 0).all()
        mask = file["mask"]
        assert mask.dtype == np.uint8 and mask.shape[:2] == (n, t) and mask.ndim in (2, 3)
        labels = file["labels"][:]
        assert labels.dtype == np.int64 and labels.shape == (n,)
        assert 0 <= labels.min() and labels.max() < len(file["classes"])
        for split in file["splits"].values():
            assert split.dtype == np.int8 and split.shape == (n,)
            assert set(np.unique(split[:])) <= set(SPLIT_CODES.values())
        return n


def raw_ucr(name):
    with open(ecg200.SHARED_COPY / name) as handle:
        return np.array([[float(field) for field in line.split()] for line in handle if line.strip()])


@pytest.fixture(scope="module")
def ecg_file(tmp_path_factory):
    shared(ecg200.SHARED_COPY)
    out = tmp_path_factory.mktemp("ecg200")
    prepare("ecg200", "--out", out)
    return out / "ecg200.h5"


def test_ecg200_round_trip_against_the_raw_text(ecg_file):
    assert check_sequence_file(ecg_file) == 200
    train, test = raw_ucr("ECG200_TRAIN.txt"), raw_ucr("ECG200_TEST.txt")
    with h5py.File(ecg_file, "r") as file:
        values = file["sequences"][:, :, 0] * file["feature_std"][0] + file["feature_mean"][0]
        classes = list(file["classes"].asstr()[:])
        labels, split, ids = file["labels"][:], file["splits/ucr"][:], file["ids"].asstr()[:]
        assert file["mask"].shape == (200, 96) and (file["mask"][:] == 1).all()
        assert np.isclose(file["feature_mean"][0], train[:, 1:].mean(), atol=1e-7)
        assert np.isclose(file["feature_std"][0], train[:, 1:].std())
    assert (split[:100] == 0).all() and (split[100:] == 2).all()
    assert classes == ["normal", "myocardial infarction"]
    meaning = {1.0: "normal", -1.0: "myocardial infarction"}  # SOURCES.md: -1 = myocardial infarction
    for row, raw in [(0, train[0]), (57, train[57]), (99, train[99]), (100, test[0]), (163, test[63])]:
        np.testing.assert_allclose(values[row], raw[1:], atol=1e-5)
        assert classes[labels[row]] == meaning[raw[0]]
    assert ids[0] == "ECG200_TRAIN.txt:1" and ids[100] == "ECG200_TEST.txt:1"
    assert [(labels[split == code] == 1).sum() for code in (0, 2)] == [31, 36]


@pytest.fixture(scope="module")
def records_folder():
    return shared(physionet2012.SHARED_COPY)


@pytest.fixture(scope="module")
def first_records(records_folder):
    """The first 50 records (132539.txt to 132650.txt) built into a set, seed 0."""
    paths = sorted((records_folder / physionet2012.RECORDS).glob("*.txt"))[:N_RECORDS]
    sequence_set, _ = physionet2012.build(paths, records_folder / physionet2012.OUTCOMES, 0, {"name": "first50"})
    return paths, sequence_set


def raw_of(sequence_set, row, feature):
    """A stored feature back on its raw scale."""
    block = sequence_set.sequences
    return block.values[row, :, feature] * block.std[feature] + block.mean[feature]


def test_hourly_bins_of_one_record_checked_by_hand(records_folder, first_records):
    # 132539.txt: 00:07 HR 73, GCS 15, Temp 35.1, Urine 900; 00:37 HR 77, Temp 35.6, Urine 60;
    # 01:37 HR 60, Urine 30; 02:37 HR 62, Urine 170; 03:08 HCT 33.7; 03:37 HR 80, GCS 15, Temp 37.8, Urine 60;
    # 04:37 HR 74 and no urine. Descriptors: Age 54, Gender 0, Height -1, ICUType 4, Weight -1.
    record = read_record(records_folder / "set-a" / "132539.txt")
    assert record.record_id == 132539
    np.testing.assert_array_equal(record.values[:5, HR], [77, 60, 62, 80, 74])  # the last value in the hour
    np.testing.assert_array_equal(record.values[:5, URINE], [960, 30, 170, 60, np.nan])  # summed
    np.testing.assert_array_equal(record.values[:5, TEMP], [35.6, np.nan, np.nan, 37.8, np.nan])
    assert record.descriptors["Age"] == 54 and record.descriptors["Gender"] == 0 and record.descriptors["ICUType"] == 4
    assert np.isnan(record.descriptors["Height"]) and np.isnan(record.descriptors["Weight"])

    paths, sequence_set = first_records
    row = paths.index(records_folder / "set-a" / "132539.txt")
    assert sequence_set.ids[row] == "132539"
    np.testing.assert_allclose(raw_of(sequence_set, row, HR)[:5], [77, 60, 62, 80, 74], rtol=1e-5)
    np.testing.assert_array_equal(sequence_set.mask[row, :5, TEMP], [1, 0, 0, 1, 0])
    np.testing.assert_array_equal(sequence_set.sequences.values[row, :5, V + TEMP], [1, 0, 0, 1, 0])  # Temp_observed
    np.testing.assert_allclose(raw_of(sequence_set, row, TEMP)[:5], [35.6, 35.6, 35.6, 37.8, 37.8], rtol=1e-5)  # carried
    assert (sequence_set.sequences.values[row, :3, HCT] == 0).all()  # before the first observation: 0, the training mean
    np.testing.assert_allclose(raw_of(sequence_set, row, 2 * V + TEMP)[:5], [0, 1, 2, 0, 1], atol=1e-5)
    np.testing.assert_allclose(raw_of(sequence_set, row, 2 * V + GCS)[:5], [0, 1, 2, 0, 1], atol=1e-5)
    np.testing.assert_allclose(raw_of(sequence_set, row, 2 * V + HCT)[:5], [48, 48, 48, 0, 1], atol=1e-5)
    assert sequence_set.sequences.names[HR : 3 * V : V] == ["HR", "HR_observed", "HR_hours_since"]
    static = sequence_set.static
    icu_types = ["ICUType_CCU", "ICUType_CSRU", "ICUType_MICU", "ICUType_SICU"]
    assert static.table.names == ["Age", "Gender", "Height", "Weight", *icu_types]
    np.testing.assert_array_equal(static.observed[row], [1, 1, 0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(static.table.values[row, 4:], [0, 0, 0, 1])
    assert np.isclose(static.table.values[row, 0] * static.table.std[0] + static.table.mean[0], 54)


def test_sentinels_and_the_end_of_the_window(records_folder):
    # 132584.txt: DiasABP 0 at 01:14 and 01:29, 8 at 01:44; MAP 95 at 01:29, 13 at 01:44; only DiasABP 0 and
    # SysABP 0 in hour 4. A pressure of 0 is not an observation.
    record = read_record(records_folder / "set-a" / "132584.txt")
    assert record.values[1, DIAS_ABP] == 8 and record.values[1, SYS_ABP] == 19 and record.values[1, MAP] == 13
    assert np.isnan(record.values[4, DIAS_ABP]) and np.isnan(record.values[4, SYS_ABP])
    assert (
        record.treated_as_missing["DiasABP", "zero"] == 3
        and record.treated_as_missing["Height (descriptor)", "negative"] == 1
    )
    # 132577.txt: 47:00 HR 96, Urine 250; 48:00 HR 88, Temp 37.7, Urine 280 (48:00 goes into hour 47).
    # Weight 66.3 at 00:00 is the admission descriptor, the next Weight line is at 02:00.
    record = read_record(records_folder / "set-a" / "132577.txt")
    assert record.values[47, HR] == 88 and record.values[47, URINE] == 530 and record.values[47, TEMP] == 37.7
    assert record.descriptors["Weight"] == 66.3
    assert np.isnan(record.values[0, WEIGHT]) and record.values[2, WEIGHT] == 66.3


def test_what_counts_as_missing():
    assert missing_reason("Height", -1) == "negative" and missing_reason("Temp", -17.8) == "negative"
    assert missing_reason("DiasABP", 0) == "zero" and missing_reason("Weight", 0) == "zero"
    assert missing_reason("Urine", 0) is None and missing_reason("Gender", 0) is None
    assert missing_reason("pH", 735) == "implausible" and missing_reason("Height", 431.8) == "implausible"
    assert missing_reason("pH", 7.35) is None and missing_reason("HR", 300) is None


def test_statistics_come_from_training_rows_only(first_records):
    paths, sequence_set = first_records
    values = np.stack([read_record(path).values for path in paths])
    train = sequence_set.splits["stratified"].codes == SPLIT_CODES["train"]
    hr_train, hr_all = values[train][:, :, HR], values[:, :, HR]
    assert np.isclose(sequence_set.sequences.mean[HR], np.nanmean(hr_train))
    assert np.isclose(sequence_set.sequences.std[HR], np.nanstd(hr_train))
    assert not np.isclose(sequence_set.sequences.mean[HR], np.nanmean(hr_all))
    hours_since = physionet2012.hours_since_observed(~np.isnan(values))
    assert np.isclose(sequence_set.sequences.mean[2 * V + HR], hours_since[train][:, :, HR].mean())
    assert np.isclose(sequence_set.sequences.std[2 * V + HR], hours_since[train][:, :, HR].std())
    ages = np.array([read_record(path).descriptors["Age"] for path in paths])
    assert np.isclose(sequence_set.static.table.mean[0], ages[train].mean())
    # MechVent is always 1 when recorded: std 1, so its value feature is 0 and MechVent_observed carries it.
    mech_vent = VARIABLES.index("MechVent")
    assert sequence_set.sequences.std[mech_vent] == 1 and not sequence_set.sequences.values[:, :, mech_vent].any()


def test_labels_are_joined_from_the_outcomes_file(records_folder, first_records):
    _, sequence_set = first_records
    with open(records_folder / physionet2012.OUTCOMES, newline="") as handle:
        died = {row["RecordID"]: int(row["In-hospital_death"]) for row in csv.DictReader(handle)}
    assert [died[record_id] for record_id in sequence_set.ids] == sequence_set.labels.tolist()
    assert sequence_set.classes == ["survived", "died"] and 0 < sequence_set.labels.sum() < N_RECORDS


def test_stratified_split_sizes(records_folder, first_records):
    _, sequence_set = first_records
    labels, codes = sequence_set.labels, sequence_set.splits["stratified"].codes
    for label in (0, 1):
        n = (labels == label).sum()
        counts = [(codes[labels == label] == code).sum() for code in (0, 1, 2)]
        assert counts == [round(0.8 * n), round(0.1 * n), n - round(0.8 * n) - round(0.1 * n)]
    all_labels = np.array(list(physionet2012.read_outcomes(records_folder / physionet2012.OUTCOMES).values()))
    split = StratifiedSplit(0).make(all_labels)
    assert [(split.codes == code).sum() for code in (0, 1, 2)] == [3200, 400, 400]
    assert [(all_labels[split.codes == code] == 1).sum() for code in (0, 1, 2)] == [443, 55, 56]
    assert (StratifiedSplit(1).make(all_labels).codes != split.codes).any()
    assert (StratifiedSplit(0).make(all_labels).codes == split.codes).all()


def test_prepare_physionet2012_from_a_source_folder(records_folder, first_records, tmp_path):
    paths, _ = first_records
    source = tmp_path / "source"
    (source / "set-a").mkdir(parents=True)
    for path in paths:
        (source / "set-a" / path.name).symlink_to(path)
    (source / physionet2012.OUTCOMES).symlink_to(records_folder / physionet2012.OUTCOMES)
    prepare("physionet2012", "--source", source, "--out", tmp_path, "--seed", 3)
    path = tmp_path / "physionet2012.h5"
    assert check_sequence_file(path) == N_RECORDS
    with h5py.File(path, "r") as file:
        assert file["sequences"].shape == (N_RECORDS, 48, 3 * V) and file["mask"].shape == (N_RECORDS, 48, V)
        assert file["splits/stratified"].attrs["seed"] == 3
        assert file["sequences"].attrs["unobserved"] == "carried"
        assert file["static"].shape == file["static_mask"].shape == (N_RECORDS, 8)
        np.testing.assert_array_equal(file["times"][0], np.arange(48))
        assert file.attrs["source_files"][1].startswith("set-a/*.txt (50 files) sha256:")


def test_the_contract_checks_what_unobserved_values_hold(first_records):
    sequence_set = copy.deepcopy(first_records[1])
    check_sequence_set(sequence_set)
    row, hour = np.argwhere(sequence_set.mask[:, 1:, TEMP] == 0)[0] + (0, 1)
    sequence_set.sequences.values[row, hour, TEMP] += 1  # no longer the hour before's value
    with pytest.raises(ValueError, match="the step before's value"):
        check_sequence_set(sequence_set)
    sequence_set.sequences.values[row, hour, TEMP] -= 1
    sequence_set.unobserved = "zero"
    with pytest.raises(ValueError, match="must be 0 where the mask says not observed"):
        check_sequence_set(sequence_set)
