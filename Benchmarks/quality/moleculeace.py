"""Galen's DAE + efficacy head on the 30 MoleculeACE targets, next to the paper's ECFP baselines.

Trains one model per target (or one multi-task model for all 30 with --multitask) on the published
training split, with a validation part carved from it for early stopping, and prints the validation
RMSE per target. Test RMSE is printed only with --report-test: choose settings on validation, then
report test once.

    python3 Benchmarks/quality/moleculeace.py [--report-test] [--multitask] [--pretrain FILE] [-- galen train options]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def paper_baselines(results_csv):
    """Test RMSE of MLP and SVM on ECFP per target, from MoleculeACE_results.csv."""
    baselines = {}
    with open(results_csv) as f:
        for row in csv.DictReader(f):
            if row["descriptor"] == "ECFP" and row["algorithm"] in ("MLP", "SVM"):
                baselines.setdefault(row["dataset"], {})[row["algorithm"]] = float(row["rmse"])
    return baselines


def galen(binary, *arguments):
    result = subprocess.run([binary, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"galen {' '.join(arguments)} failed: {result.stderr.strip().splitlines()[-1:]}")
    return result.stdout


def evaluate(binary, model, library, part):
    report = json.loads(galen(binary, "evaluate", "--model", model, "--library", library, "--split", part, "--json"))
    return {task["task"]: task["rmse"] for task in report["tasks"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--galen", default=os.path.join(ROOT, ".build/release/galen"))
    parser.add_argument("--prepared", default=os.path.join(ROOT, "datasets/prepared"))
    parser.add_argument("--results", default=os.path.join(ROOT, "../shared/data/moleculeace/MoleculeACE_results.csv"))
    parser.add_argument("--targets", nargs="*", help="target file stems (default: all 30)")
    parser.add_argument("--multitask", action="store_true", help="one model for all targets, from moleculeace_multitask.h5")
    parser.add_argument("--pretrain", help="an unlabelled library for the reconstruction objective")
    parser.add_argument("--report-test", action="store_true", help="also score the test part (do not tune on it)")
    parser.add_argument("--json", help="write the per-target figures here")
    parser.add_argument("train_options", nargs=argparse.REMAINDER, help="after --: options for galen train")
    args = parser.parse_args()
    extra = [option for option in args.train_options if option != "--"]
    if args.pretrain:
        extra += ["--pretrain", args.pretrain]

    folder = os.path.join(args.prepared, "moleculeace")
    targets = args.targets or sorted(name[:-3] for name in os.listdir(folder) if name.endswith(".h5"))
    baselines = paper_baselines(args.results)
    work = tempfile.mkdtemp(prefix="galen-moleculeace-")
    figures = {}
    start = time.time()
    if args.multitask:
        model = os.path.join(work, "multitask.h5")
        print(f"training one model on {len(targets)} targets ...", file=sys.stderr, flush=True)
        galen(args.galen, "train", "--library", os.path.join(args.prepared, "moleculeace_multitask.h5"),
              "--tasks", *targets, "--split", "moleculeace", "--out", model, *extra)
    for target in targets:
        library = os.path.join(folder, target + ".h5")
        if not args.multitask:
            model = os.path.join(work, target + ".h5")
            galen(args.galen, "train", "--library", library, "--out", model, *extra)
        # A multi-task model's validation part was carved from the multi-task library.
        validation_library = os.path.join(args.prepared, "moleculeace_multitask.h5") if args.multitask else library
        entry = {"validation": evaluate(args.galen, model, validation_library, "validation")[target]}
        if args.report_test:
            entry["test"] = evaluate(args.galen, model, library, "test")[target]
        figures[target] = entry
        print(f"{target}: " + ", ".join(f"{k} {v:.3f}" for k, v in entry.items()), file=sys.stderr, flush=True)

    columns = ["validation"] + (["test", "MLP+ECFP", "SVM+ECFP"] if args.report_test else [])
    print("| target | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    rows = []
    for target in targets:
        row = [figures[target]["validation"]]
        if args.report_test:
            row += [figures[target]["test"], baselines[target]["MLP"], baselines[target]["SVM"]]
        rows.append(row)
        print(f"| {target} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    means = [sum(r[i] for r in rows) / len(rows) for i in range(len(columns))]
    print(f"| **mean of {len(rows)}** | " + " | ".join(f"**{v:.3f}**" for v in means) + " |")
    print(f"({time.time() - start:.0f} s; galen train options: {' '.join(extra) or 'defaults'})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"options": extra, "multitask": args.multitask, "targets": figures}, f, indent=1)


if __name__ == "__main__":
    main()
