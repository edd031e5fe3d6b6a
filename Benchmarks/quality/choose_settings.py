"""Choose settings on validation data, then score the test part once.

Each candidate is a list of `galen ... train` options. Every candidate is scored on validation data:
the stored validation part, or (for the sequence sets, whose validation parts are small: ECG200's is 10
sequences carved from 100) the mean over K cross-validation folds of the training and validation rows.
The best candidate is then trained on the stored split and scored on its test part once.

    python3 Benchmarks/quality/choose_settings.py breastmnist
    python3 Benchmarks/quality/choose_settings.py ecg200
    python3 Benchmarks/quality/choose_settings.py physionet2012
    python3 Benchmarks/quality/choose_settings.py esol       # and freesolv: RMSE, lowest wins
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PREPARED = os.path.join(ROOT, "datasets/prepared")

# The fully convolutional network of Wang et al. (2017): three convolution blocks, global average pooling.
FCN = ["--layers", "0", "--convolution", "128", "256", "128", "--pooling", "mean"]

DRUG_CANDIDATES = [
    ["--split", "random"],
    ["--split", "random", "--hidden", "512", "--latent", "64", "--head", "64", "--dropout", "0.1"],
    ["--split", "random", "--hidden", "2048", "--latent", "256", "--dropout", "0.3", "--learning-rate", "0.0005"],
]

# verb, data file, metric to maximise on validation, cross-validation folds (0: the validation part), candidates.
TASKS = {
    "breastmnist": ("image", "breastmnist.h5", "rocAUC", 0, [
        ["--model", "cnn"],
        ["--model", "cnn", "--augment"],
        ["--model", "resnet"],
        ["--model", "resnet", "--augment"],
        ["--model", "cnn", "--ensemble", "5"],
        ["--model", "cnn", "--augment", "--ensemble", "5"],
    ]),
    "ecg200": ("sequence", "ecg200.h5", "accuracy", 5, [
        ["--cell", "gru", "--hidden", "64", "--learning-rate", "0.003", "--patience", "20"],
        ["--cell", "lstm", "--hidden", "64", "--bidirectional", "--pooling", "mean", "--learning-rate", "0.003", "--patience", "20"],
        FCN + ["--learning-rate", "0.003", "--patience", "20"],
        FCN + ["--learning-rate", "0.003", "--patience", "20", "--ensemble", "5"],
        ["--convolution", "128", "256", "128", "--cell", "gru", "--hidden", "64", "--pooling", "mean", "--learning-rate", "0.003", "--patience", "20"],
    ]),
    "physionet2012": ("sequence", "physionet2012.h5", "rocAUC", 5, [
        ["--cell", "gru", "--hidden", "64"],
        ["--cell", "lstm", "--hidden", "64"],
        ["--cell", "gru", "--hidden", "64", "--bidirectional", "--pooling", "mean"],
        ["--cell", "gru", "--hidden", "64", "--ensemble", "5"],
    ]),
    # The drug-discovery verbs (no verb word) on the sets' stored seeded random split.
    "esol": ("", "esol.h5", "rmse", 0, DRUG_CANDIDATES),
    "freesolv": ("", "freesolv.h5", "rmse", 0, DRUG_CANDIDATES),
}
# Metrics where lower is better.
LOWER_IS_BETTER = {"rmse"}


def galen(binary, *arguments):
    result = subprocess.run([binary, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"galen {' '.join(arguments)} failed: {result.stderr.strip().splitlines()[:1]}")
    return result.stdout


def fold_file(data, folds, seed, path):
    """A copy of `data` without its test rows, with splits fold1..foldK: fold k is the test part of
    split foldk, every other row trains (galen carves its early-stopping part from those)."""
    with h5py.File(data, "r") as source:
        (name,) = list(source["splits"])
        keep = np.flatnonzero(source["splits"][name][:] != 2)
        labels = source["labels"][:][keep]
        rows = len(source["labels"])
        generator = np.random.default_rng(seed)
        fold = np.empty(len(keep), np.int64)
        for label in np.unique(labels):  # stratified: each class dealt round-robin after a shuffle
            members = generator.permutation(np.flatnonzero(labels == label))
            fold[members] = (np.arange(len(members)) + generator.integers(folds)) % folds
        with h5py.File(path, "w") as target:
            target.attrs.update(source.attrs)
            for key, dataset in source.items():
                if key == "splits":
                    continue
                values = dataset[()]
                if dataset.shape and dataset.shape[0] == rows:
                    values = values[keep]
                target.create_dataset(key, data=values).attrs.update(dataset.attrs)
            for k in range(folds):
                target.create_dataset(f"splits/fold{k + 1}", data=np.where(fold == k, 2, 0).astype(np.int8))
    return [f"fold{k + 1}" for k in range(folds)]


def train(args, verb, data, model, *options):
    words = [verb, "train", "--data", data] if verb else ["train", "--library", data]
    galen(args.galen, *words, "--seed", args.seed, "--out", model, "--overwrite", *options)


def evaluate(args, verb, data, model, part):
    """The evaluate report of `part`; for a compound library, its one task's."""
    words = [verb, "evaluate", "--model", model, "--data", data] if verb else ["evaluate", "--model", model, "--library", data]
    report = json.loads(galen(args.galen, *words, "--split", part, "--json"))
    return report if verb else report["tasks"][0]


def validation_score(args, verb, data, metric, options, model):
    """(metric, ROC-AUC) on the stored validation part, or their means over the folds."""
    if not args.folds:
        train(args, verb, data, model, *options)
        report = evaluate(args, verb, data, model, "validation")
        return report[metric], report.get("rocAUC")
    reports = []
    for split in args.fold_splits:
        train(args, verb, args.fold_data, model, "--split", split, *options)
        reports.append(evaluate(args, verb, args.fold_data, model, "test"))
    return tuple(float(np.mean([report[key] for report in reports])) for key in (metric, "rocAUC"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--galen", default=os.path.join(ROOT, ".build/release/galen"))
    parser.add_argument("--seed", default="0")
    parser.add_argument("--data", help="the prepared set (default: the task's file in datasets/prepared)")
    parser.add_argument("--folds", type=int, default=None, help="cross-validation folds over training and validation rows (default: the task's)")
    parser.add_argument("--candidate", action="append", help="train options of a candidate, in quotes (repeat; default: the task's list)")
    parser.add_argument("--validation-only", action="store_true", help="score the candidates and stop: no test figure")
    args = parser.parse_args()
    verb, name, metric, folds, candidates = TASKS[args.task]
    candidates = [shlex.split(text) for text in args.candidate] if args.candidate else candidates
    args.folds = folds if args.folds is None else args.folds
    if args.folds and not verb:
        parser.error("--folds is for the image and sequence sets")
    data = args.data or os.path.join(PREPARED, name)
    work = tempfile.mkdtemp(prefix=f"galen-{args.task}-")
    if args.folds:
        args.fold_data = os.path.join(work, "folds.h5")
        args.fold_splits = fold_file(data, args.folds, int(args.seed), args.fold_data)
    scored = []
    for index, options in enumerate(candidates):
        value = validation_score(args, verb, data, metric, options, os.path.join(work, "candidate.h5"))
        scored.append((value, options))
        auc = "" if value[1] is None else f" (ROC-AUC {value[1]:.3f})"
        print(f"validation {metric} {value[0]:.3f}{auc}: {' '.join(options)}", file=sys.stderr, flush=True)
    # Ties go to the better ROC-AUC.
    sign = -1 if metric in LOWER_IS_BETTER else 1
    best_value, best_options = max(scored, key=lambda entry: (sign * entry[0][0], entry[0][1] or 0))
    if args.validation_only:
        print(json.dumps({"task": args.task, "folds": args.folds, "chosen": best_options, "candidates": scored}, indent=1))
        return
    model = os.path.join(work, "chosen.h5")
    train(args, verb, data, model, *best_options)
    test = evaluate(args, verb, data, model, "test")
    print(json.dumps({"task": args.task, "folds": args.folds, "chosen": best_options,
                      "validation": {metric: best_value[0], "rocAUC": best_value[1]},
                      "test": test, "candidates": scored}, indent=1))


if __name__ == "__main__":
    main()
