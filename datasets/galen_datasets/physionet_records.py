"""One PhysioNet 2012 record (`Time,Parameter,Value` lines) into its descriptors and an hourly grid of values."""

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .sources import open_text

HEADER = "Time,Parameter,Value"
HOURS = 48
# General descriptors: the 00:00 lines. Weight is also measured later; only its first 00:00 line is the descriptor.
DESCRIPTORS = ("RecordID", "Age", "Gender", "Height", "ICUType", "Weight")
# The challenge's 36 time series and Weight, in the order of its documentation.
VARIABLES = (
    "Albumin", "ALP", "ALT", "AST", "Bilirubin", "BUN", "Cholesterol", "Creatinine", "DiasABP", "FiO2", "GCS",
    "Glucose", "HCO3", "HCT", "HR", "K", "Lactate", "Mg", "MAP", "MechVent", "Na", "NIDiasABP", "NIMAP", "NISysABP",
    "PaCO2", "PaO2", "pH", "Platelets", "RespRate", "SaO2", "SysABP", "Temp", "TroponinI", "TroponinT", "Urine", "WBC",
    "Weight",
)  # fmt: skip
COLUMN_OF = {name: column for column, name in enumerate(VARIABLES)}
SUMMED = {"Urine"}  # an output per interval: an hour holds the sum; every other variable holds the hour's last value

# What counts as not observed. -1 is the challenge's "missing"; no variable can be negative.
# 0 is a real value only for urine output (none in that interval) and Gender (female); elsewhere, for example a blood
# pressure, heart rate, temperature or weight of 0, it is a disconnected sensor or an empty entry.
ZERO_IS_A_VALUE = {"Urine", "Gender"}
# Entry and unit errors far outside what a living patient can have; left in, they would swamp the training std.
PLAUSIBLE_RANGE = {
    "pH": (6.5, 8.0),  # 1, 3 and 94 to 735 occur (pH x 100 and other slips)
    "Temp": (20.0, 45.0),  # degrees C; 0.8 to 3.6 occur, and -17.8 (0 degrees F)
    "Height": (100.0, 250.0),  # cm; 1.8 to 17.8 and 366 to 432 occur
    "Weight": (20.0, 500.0),  # kg; 0.6 and 3.4 occur
}


def missing_reason(parameter, value):
    """None for a usable value, else why it is treated as not observed: "negative", "zero" or "implausible"."""
    if value < 0:
        return "negative"
    if value == 0 and parameter not in ZERO_IS_A_VALUE:
        return "zero"
    low, high = PLAUSIBLE_RANGE.get(parameter, (-math.inf, math.inf))
    return None if low <= value <= high else "implausible"


@dataclass
class Record:
    record_id: int
    descriptors: dict  # name -> value, NaN when missing
    values: np.ndarray  # float64 [HOURS, len(VARIABLES)], NaN where the hour has no usable observation
    observations: Counter  # parameter -> time-varying observations used
    treated_as_missing: Counter  # (parameter or "<name> (descriptor)", reason) -> values dropped by missing_reason


def read_record(path):
    """Hour h holds the observations at h:00 to h:59; 48:00, the end of the window, goes into hour 47."""
    path = Path(path)
    values = np.full((HOURS, len(VARIABLES)), np.nan)
    descriptors, observations, treated_as_missing = {}, Counter(), Counter()
    previous_minutes = 0
    with open_text(path, encoding="ascii") as handle:
        if handle.readline().strip() != HEADER:
            raise ValueError(f"{path.name}:1: expected the header {HEADER!r}")
        for line_number, line in enumerate(handle, start=2):
            if not line.strip():
                continue
            location = f"{path.name}:{line_number}"
            minutes, parameter, value = _parse_line(line, location)
            if minutes < previous_minutes:
                raise ValueError(f"{location}: out of time order (the last value of an hour must be the latest)")
            previous_minutes = minutes
            reason = missing_reason(parameter, value)
            if minutes == 0 and parameter in DESCRIPTORS and parameter not in descriptors:
                descriptors[parameter] = math.nan if reason else value
                if reason:
                    treated_as_missing[f"{parameter} (descriptor)", reason] += 1
                continue
            if parameter not in COLUMN_OF:
                raise ValueError(f"{location}: unexpected parameter {parameter!r}")
            if reason:
                treated_as_missing[parameter, reason] += 1
                continue
            hour, column = min(minutes // 60, HOURS - 1), COLUMN_OF[parameter]
            if parameter in SUMMED and not math.isnan(values[hour, column]):
                values[hour, column] += value
            else:
                values[hour, column] = value
            observations[parameter] += 1
    if math.isnan(descriptors.get("RecordID", math.nan)):
        raise ValueError(f"{path.name}: no RecordID line at 00:00")
    descriptors = {name: descriptors.get(name, math.nan) for name in DESCRIPTORS}
    return Record(int(descriptors["RecordID"]), descriptors, values, observations, treated_as_missing)


def _parse_line(line, location):
    try:
        time, parameter, text = line.strip().split(",")
        hours, minutes = time.split(":")
        minutes, value = int(hours) * 60 + int(minutes), float(text)
    except ValueError:
        raise ValueError(f"{location}: expected `hh:mm,Parameter,number`, got {line.strip()!r}") from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{location}: {text!r} is not a finite number")
    if not 0 <= minutes <= HOURS * 60:
        raise ValueError(f"{location}: time {time} is outside the {HOURS} h window")
    return minutes, parameter, value
