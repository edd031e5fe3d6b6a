"""Ensembles on a few MoleculeACE targets: does the mean of K members beat one model on test, and does the
members' spread rank the errors (Spearman between |error| and spread)?

    python3 Benchmarks/quality/ensemble.py [--members 5] [--targets ...]

Member 1 of an ensemble is trained with the run's own seed, so it is the single model the ensemble is compared with.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def spearman(a, b):
    def ranks(x):
        order = np.argsort(x, kind="stable")
        r = np.empty(len(x))
        r[order] = np.arange(len(x))
        # average ranks of ties
        for value in np.unique(x):
            tied = x == value
            r[tied] = r[tied].mean()
        return r
    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--galen", default=os.path.join(ROOT, ".build/release/galen"))
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--targets", nargs="*", default=["CHEMBL2835_Ki", "CHEMBL2047_EC50", "CHEMBL4616_EC50"])
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="galen-ensemble-")
    print("| target | single test RMSE | ensemble test RMSE | Spearman(abs error, spread) |")
    print("|---|---|---|---|")
    for target in args.targets:
        library = os.path.join(ROOT, "datasets/prepared/moleculeace", target + ".h5")
        results = {}
        for members in (1, args.members):
            model = os.path.join(work, f"{target}-{members}.h5")
            predictions = os.path.join(work, f"{target}-{members}-p.h5")
            subprocess.run([args.galen, "train", "--library", library, "--ensemble", str(members), "--out", model],
                           check=True, capture_output=True)
            subprocess.run([args.galen, "predict", "--model", model, "--library", library, "--out", predictions],
                           check=True, capture_output=True)
            with h5py.File(predictions) as p, h5py.File(library) as f:
                test = f["splits/moleculeace"][:] == 2
                truth = f["assays/values"][:, 0][test]
                values = p["predictions/values"][:, 0][test]
                spread = p["predictions/spread"][:, 0][test] if "predictions/spread" in p else None
            results[members] = (float(np.sqrt(np.mean((values - truth) ** 2))), spread, np.abs(values - truth))
        single, ensemble = results[1][0], results[args.members][0]
        rho = spearman(results[args.members][2], results[args.members][1])
        print(f"| {target} | {single:.3f} | {ensemble:.3f} | {rho:.3f} |", flush=True)
    print(f"({args.members} members; galen train defaults)")


if __name__ == "__main__":
    main()
