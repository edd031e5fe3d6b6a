#!/usr/bin/env python3
"""Every Galen benchmark, side by side with its reference, in one command.

    python3 Benchmarks/run.py [--runs 3] [--only tensorcore hdf5 dae encode cnn lstm] [--no-reference]

Builds Galen and the benchmark package in release, then runs each benchmark `--runs` times, alternating
Galen's side with the reference's (NumPy for GEMM and elementwise ops, h5py for HDF5 I/O, PyTorch for the
models when `import torch` works; PyTorch is optional and never needed by CI), and prints a Markdown table:
median and min-max of each figure, and the ratio Galen/reference of the medians.

Every benchmark prints `figure = value unit` lines; that is the whole protocol between this script and them.
Before each of Galen's runs a core check times single-threaded NumPy products of [256×256] matrices for 0.4 s, one
process alone and then two started together; the last column gives, over the group's runs, the range of the one's
GFLOP/s and of the two's work over the one's (about 2 when the virtual machine's two cores are two physical cores,
about 1 when the host runs them on one core's two hardware threads, which share its multiply-add units; single tries,
so about ±0.1 of noise). It is a snapshot of a shared host, taken just before the run; empty without NumPy.
The encode benchmark runs `galen encode` end to end (HDF5 in and out) on 1,000,000 and 4,000,000 compounds made by
repeating real MoleculeACE fingerprints (reference/repeat_library.py), and also reports its peak RSS.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPOSITORY = BENCHMARKS.parent
BINARIES = BENCHMARKS / ".build" / "release"
GALEN = REPOSITORY / ".build" / "release" / "galen"
REFERENCE = BENCHMARKS / "reference"
FIGURE = re.compile(r"^(.+?) = ([0-9.]+) (\S+)$")
ENCODE_SIZES = (1_000_000, 4_000_000)


CORE_CHECK = r"""
import sys, time
import numpy as np
matrix = np.ones((256, 256), np.float32)
for _ in range(20):
    matrix @ matrix
print("ready", flush=True)
start = float(sys.stdin.readline())
while time.time() < start:
    pass
start, products = time.perf_counter(), 0
while time.perf_counter() - start < 0.4:
    matrix @ matrix
    products += 1
print(products / (time.perf_counter() - start))
"""


def core_check():
    """(GFLOP/s of one single-threaded process alone, two at once over one alone), or None when a copy fails."""
    def rates(copies):
        environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        processes = [subprocess.Popen([sys.executable, "-c", CORE_CHECK], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True, env=environment) for _ in range(copies)]
        try:
            if not all(process.stdout.readline().strip() == "ready" for process in processes):
                raise ValueError("a copy did not get ready")  # NumPy missing, for one
            start = f"{time.time() + 0.05}\n"  # every copy has imported NumPy and warmed up: they start together
            for process in processes:
                process.stdin.write(start)
                process.stdin.flush()
            return [float(process.communicate(timeout=10)[0]) for process in processes]
        except (OSError, ValueError, subprocess.TimeoutExpired):
            for process in processes:
                process.kill()
                process.wait()
            return None
    alone, together = rates(1), rates(2)
    if alone is None or together is None:
        return None
    return alone[0] * 2 * 256 ** 3 / 1e9, sum(together) / alone[0]


def run(command, **options):
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, **options)
    if result.returncode != 0:
        sys.exit(f"benchmarks: {' '.join(map(str, command))} failed\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result.stdout


def figures(output):
    """{figure: (value, unit)} from `figure = value unit` lines; other lines are commentary."""
    found = {}
    for line in output.splitlines():
        if match := FIGURE.match(line.strip()):
            found[match[1]] = (float(match[2]), match[3])
    return found


def peak_rss_run(command):
    """Runs command; returns (seconds, peak resident set size in MiB) of that process alone."""
    start = time.perf_counter()
    process = subprocess.Popen([str(part) for part in command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmarks: {' '.join(map(str, command))} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


class Encode:
    """`galen encode` end to end; the model and the large libraries are made once in the work folder."""

    def __init__(self, work):
        self.work = work
        self.model = work / "encoder-2048-1024-256.h5"

    def prepare(self):
        if not self.model.exists():
            print("  training a 2048-1024-256 encoder for one epoch", file=sys.stderr, flush=True)
            run([GALEN, "train", "--library", REPOSITORY / "datasets/prepared/moleculeace/CHEMBL2835_Ki.h5",
                 "--hidden", 1024, "--latent", 256, "--epochs", 1, "--out", self.model])
        for rows in ENCODE_SIZES:
            if not self.library(rows).exists():
                print(f"  making a {rows:,}-compound library", file=sys.stderr, flush=True)
                run([sys.executable, REFERENCE / "repeat_library.py",
                     REPOSITORY / "datasets/prepared/moleculeace_multitask.h5", rows, self.library(rows)])

    def library(self, rows):
        return self.work / f"library-{rows}.h5"

    def __call__(self):
        lines = []
        for rows in ENCODE_SIZES:
            seconds, rss = peak_rss_run([GALEN, "encode", "--model", self.model, "--library", self.library(rows),
                                         "--out", self.work / "embeddings.h5", "--overwrite"])
            lines += [f"encode {rows // 1_000_000}M = {rows / seconds:.0f} compounds/s",
                      f"encode {rows // 1_000_000}M peak RSS = {rss:.0f} MiB"]
        (self.work / "embeddings.h5").unlink(missing_ok=True)
        return "\n".join(lines)


def torch_available():
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


def groups(work, with_torch):
    """name -> (Galen's side, reference name, reference side or None); each side returns benchmark output."""
    python = lambda *arguments: (lambda: run([sys.executable, *arguments]))
    binary = lambda name, *arguments: (lambda: run([BINARIES / name, *arguments]))
    torch = lambda model: python(REFERENCE / "torch_models.py", model) if with_torch else None
    hdf5_file = work / "hdf5-bench.h5"
    return {
        "tensorcore": (binary("tensorcore-bench"), "NumPy", python(REFERENCE / "tensorcore_numpy.py")),
        "hdf5": (binary("hdf5-bench", hdf5_file), "h5py", python(REFERENCE / "hdf5_h5py.py", hdf5_file)),
        "dae": (binary("dae-bench"), "PyTorch", torch("dae")),
        "encode": (Encode(work), "PyTorch in memory", torch("encode")),
        "cnn": (binary("cnn-bench"), "PyTorch", torch("cnn")),
        "lstm": (binary("lstm-bench"), "PyTorch", torch("lstm")),
    }


def summary(values):
    return statistics.median(values), min(values), max(values)


def number(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(results):
    rows = ["| figure | unit | Galen median | Galen min–max | reference | reference median | reference min–max "
            "| Galen/reference | core checks, min–max: GFLOP/s of one; two over one |", "|---|---|---|---|---|---|---|---|---|"]
    for reference_name, galen, reference, checks in results:
        taken = [check for check in checks if check]
        alone, together = zip(*taken) if taken else ((), ())
        check = f"{min(alone):.0f}–{max(alone):.0f}; {min(together):.2f}–{max(together):.2f}" if taken else ""
        for figure, (values, unit) in galen.items():
            median, low, high = summary(values)
            # The in-memory PyTorch encoder is the reference for every encode speed row (not for memory).
            key = "encode in memory" if figure.startswith("encode") and unit == "compounds/s" else figure
            other = reference.get(key)
            cells = [figure, unit, number(median), f"{number(low)}–{number(high)}"]
            if other:
                other_median, other_low, other_high = summary(other[0])
                cells += [reference_name, number(other_median), f"{number(other_low)}–{number(other_high)}",
                          f"{median / other_median:.2f}"]
            else:
                cells += ["", "", "", ""]
            cells.append(check)
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of each side, alternating (default 3)")
    parser.add_argument("--only", nargs="+", choices=["tensorcore", "hdf5", "dae", "encode", "cnn", "lstm"])
    parser.add_argument("--no-reference", action="store_true", help="Galen's side only")
    parser.add_argument("--work", type=Path, default=Path("/tmp/galen-benchmarks"),
                        help="folder for the large libraries and files (default /tmp/galen-benchmarks)")
    arguments = parser.parse_args()
    arguments.work.mkdir(parents=True, exist_ok=True)

    print("building Galen and the benchmarks in release", file=sys.stderr, flush=True)
    run(["swift", "build", "-c", "release", "--product", "galen"], cwd=REPOSITORY)
    run(["swift", "build", "-c", "release", "--package-path", BENCHMARKS])
    with_torch = not arguments.no_reference and torch_available()
    chosen = {name: group for name, group in groups(arguments.work, with_torch).items()
              if not arguments.only or name in arguments.only}

    results, blas = [], ""
    for name, (galen_side, reference_name, reference_side) in chosen.items():
        if arguments.no_reference:
            reference_side = None
        if isinstance(galen_side, Encode):
            galen_side.prepare()
        galen, reference, checks = {}, {}, []
        for number_of_run in range(1, arguments.runs + 1):
            for side, collected in ((galen_side, galen), (reference_side, reference)):
                if side is None:
                    continue
                if side is galen_side:
                    checks.append(core_check())
                output = side()
                blas = next((line for line in output.splitlines() if line.startswith("BLAS: ")), blas)
                for figure, (value, unit) in figures(output).items():
                    collected.setdefault(figure, ([], unit))[0].append(value)
            print(f"{name}: run {number_of_run} of {arguments.runs} done", file=sys.stderr, flush=True)
        results.append((reference_name, galen, reference, checks))

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"{datetime.date.today()}: {os.cpu_count()} cores of {cpu}, {platform.system()} {platform.release()}; "
          f"{arguments.runs} runs of each side, alternating; {blas or 'BLAS: see tensorcore-bench'}")
    if not with_torch and not arguments.no_reference:
        print("PyTorch is not installed here (`pip install torch`), so the model rows have no reference.")
    print(table(results))


if __name__ == "__main__":
    main()
