"""Choose settings on validation data, then score the test part once.

Each candidate is a list of `galen ... train` options. Every candidate is trained and scored on the
validation part; only the one with the best validation figure is scored on test.

    python3 Benchmarks/quality/choose_settings.py breastmnist
    python3 Benchmarks/quality/choose_settings.py ecg200
    python3 Benchmarks/quality/choose_settings.py physionet2012
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PREPARED = os.path.join(ROOT, "datasets/prepared")

# verb, data file, metric to maximise on validation, candidates.
TASKS = {
    "breastmnist": ("image", "breastmnist.h5", "rocAUC", [
        ["--model", "cnn"],
        ["--model", "cnn", "--augment"],
        ["--model", "resnet"],
        ["--model", "resnet", "--augment"],
    ]),
    "ecg200": ("sequence", "ecg200.h5", "accuracy", [
        ["--cell", "lstm", "--convolution", "32", "--learning-rate", "0.003", "--patience", "20"],
        ["--cell", "gru", "--convolution", "32", "--pooling", "mean", "--learning-rate", "0.003", "--patience", "20"],
        ["--cell", "lstm", "--hidden", "64", "--learning-rate", "0.003", "--patience", "20"],
        ["--cell", "gru", "--hidden", "64", "--learning-rate", "0.003", "--patience", "20"],
        ["--cell", "lstm", "--hidden", "64", "--bidirectional", "--pooling", "mean", "--learning-rate", "0.003", "--patience", "20"],
        ["--cell", "gru", "--hidden", "64", "--bidirectional", "--pooling", "mean", "--learning-rate", "0.003", "--patience", "20"],
    ]),
    "physionet2012": ("sequence", "physionet2012.h5", "rocAUC", [
        ["--cell", "gru", "--hidden", "64"],
        ["--cell", "lstm", "--hidden", "64"],
        ["--cell", "gru", "--hidden", "64", "--bidirectional", "--pooling", "mean"],
    ]),
}


def galen(binary, *arguments):
    result = subprocess.run([binary, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"galen {' '.join(arguments)} failed: {result.stderr.strip().splitlines()[-1:]}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--galen", default=os.path.join(ROOT, ".build/release/galen"))
    parser.add_argument("--seed", default="0")
    args = parser.parse_args()
    verb, name, metric, candidates = TASKS[args.task]
    data = os.path.join(PREPARED, name)
    work = tempfile.mkdtemp(prefix=f"galen-{args.task}-")
    scored = []
    for index, options in enumerate(candidates):
        model = os.path.join(work, f"candidate{index}.h5")
        galen(args.galen, verb, "train", "--data", data, "--seed", args.seed, "--out", model, *options)
        # Sets without a stored validation part: score the part carved from training, which the
        # model file does not keep, so re-derive nothing and use the training run's own report.
        part = "validation"
        report = json.loads(galen(args.galen, verb, "evaluate", "--model", model, "--data", data, "--split", part, "--json"))
        # Ties (ECG200's carved validation part has only 10 sequences) go to the better ROC-AUC.
        scored.append(((report[metric], report["rocAUC"]), options, model))
        print(f"validation {metric} {report[metric]:.3f} (ROC-AUC {report['rocAUC']:.3f}): {' '.join(options)}", file=sys.stderr, flush=True)
    best_value, best_options, best_model = max(scored, key=lambda entry: entry[0])
    test = json.loads(galen(args.galen, verb, "evaluate", "--model", best_model, "--data", data, "--split", "test", "--json"))
    print(json.dumps({"task": args.task, "chosen": best_options, "validation": {metric: best_value[0], "rocAUC": best_value[1]},
                      "test": test, "candidates": [(value, options) for value, options, _ in scored]}, indent=1))


if __name__ == "__main__":
    main()
