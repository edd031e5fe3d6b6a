#!/usr/bin/env python3
"""Runs the Markdown notebooks: every code block in order, each output checked against the notebook.

    python3 notebooks-md/run.py                  # all notebooks and the README, small settings (CI)
    python3 notebooks-md/run.py --full 03-*.md   # the settings as written, numbers within tolerance
    python3 notebooks-md/run.py --update         # full run that rewrites the outputs and plots shown

A notebook is Markdown. Fenced blocks tagged `bash` run in bash, `python` blocks share one namespace
per notebook (like a Jupyter kernel), and a block with `file=PATH` in its tag is written to PATH
instead of run; any other tag is not run, and an output block after it is an error. A block tagged
`output` right after a block is what that block printed on standard output (--update fills it, so
start with an empty one). Comments steer the runner:

    <!-- quick: "--epochs 150" -> "--epochs 2" -->   small settings for CI, applied to every block
    <!-- tolerance: 0.1 -->                           relative tolerance for numbers in --full runs
    <!-- skip: why -->                               the next block is not run

With small settings only the shape of each output is checked: the same lines with the same words,
numbers where the notebook has numbers (a line `...` stands for any number of lines); a quick
setting that no block contains is an error, so that rewording a command cannot silently turn CI's
small run into a full one. Blocks run
from a scratch folder that looks like the repository root (`datasets/`, `Benchmarks/`,
`Package.swift` and `Sources/` are linked into it), with Galen's release build on PATH; plots are written to
`notebooks-md/images/` there and copied into the repository by --update.
"""

import argparse
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPOSITORY / "notebooks-md"
SCRATCH = REPOSITORY / ".build" / "notebooks"
LINKED = ("datasets", "Package.swift", "Sources", "Benchmarks")
FENCE = re.compile(r"^(`{3,})(.*)$")
QUICK = re.compile(r'<!--\s*quick:\s*"(.*?)"\s*->\s*"(.*?)"\s*-->')
TOLERANCE = re.compile(r"<!--\s*tolerance:\s*([0-9.]+)\s*-->")
SKIP = re.compile(r"<!--\s*skip\b.*-->")
NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
DEFAULT_TOLERANCE = 0.05


class Block:
    def __init__(self, language, attributes, code, line, skipped):
        self.language, self.attributes, self.code, self.line, self.skipped = language, attributes, code, line, skipped
        self.output = None  # the Block tagged `output` that follows, if any


class NotebookFailure(Exception):
    pass


def parse(text):
    """The notebook's code blocks (with their expected outputs), quick substitutions and tolerance."""
    lines = text.split("\n")
    blocks, substitutions, tolerance = [], QUICK.findall(text), DEFAULT_TOLERANCE
    if match := TOLERANCE.search(text):
        tolerance = float(match.group(1))
    skip_next, previous_end, index = False, None, 0
    while index < len(lines):
        line = lines[index]
        if SKIP.search(line):
            skip_next = True
        fence = FENCE.match(line)
        if not fence:
            index += 1
            continue
        start, closing = index, fence.group(1)
        tag = fence.group(2).split()
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == closing), None)
        if end is None:
            raise NotebookFailure(f"line {start + 1}: a code block is never closed")
        block = Block(tag[0] if tag else "", dict(t.split("=", 1) for t in tag[1:] if "=" in t),
                      "\n".join(lines[start + 1:end]), start + 1, skip_next)
        block.span = (start, end)
        follows_previous = previous_end is not None and all(not l.strip() for l in lines[previous_end + 1:start])
        if block.language == "output":
            if not follows_previous or not blocks or blocks[-1].output is not None:
                raise NotebookFailure(f"line {start + 1}: an output block must follow the block that prints it")
            blocks[-1].output = block
        else:
            blocks.append(block)
            skip_next = False
        previous_end, index = end, end + 1
    return blocks, substitutions, tolerance


def prepare_scratch(name):
    """An empty scratch folder (but for `example/`, whose Swift build is kept to save minutes)."""
    scratch = SCRATCH / name
    scratch.mkdir(parents=True, exist_ok=True)
    for entry in scratch.iterdir():
        if entry.is_symlink() or entry.is_file():
            entry.unlink()
        elif entry.name != "example":
            shutil.rmtree(entry)
    for entry in LINKED:
        (scratch / entry).symlink_to(REPOSITORY / entry)
    (scratch / "notebooks-md" / "images").mkdir(parents=True)
    return scratch


def run_block(block, code, scratch, namespace, environment):
    """Runs one block and returns what it printed on standard output."""
    if "file" in block.attributes:
        path = scratch / block.attributes["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code + "\n")
        return ""
    if block.language == "bash":
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=scratch, env=environment,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise NotebookFailure(f"exit status {result.returncode}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        return result.stdout
    if block.language == "python":
        captured, directory = io.StringIO(), os.getcwd()
        try:
            os.chdir(scratch)
            with contextlib.redirect_stdout(captured):
                exec(compile(code, f"block at line {block.line}", "exec"), namespace)
        except BaseException:  # SystemExit too: a block must not end the runner
            raise NotebookFailure(captured.getvalue()[-3000:] + traceback.format_exc(limit=-3))
        finally:
            os.chdir(directory)
        return captured.getvalue()
    return None  # not executable (text, swift shown for reading, ...)


def skeleton(line):
    """The line with numbers as # and runs of spaces as one, so that realigned table columns still match."""
    return re.sub(r"\s+", " ", NUMBER.sub("#", line)).strip()


def numbers_agree(expected, actual, tolerance):
    for a, b in zip(NUMBER.findall(expected), NUMBER.findall(actual)):
        x, y = float(a.replace(",", "")), float(b.replace(",", ""))
        if abs(x - y) > tolerance * max(abs(x), abs(y)) + 0.01:
            return False
    return True


def mismatch(expected, actual, full, tolerance):
    """None if actual has the expected shape (and, in full runs, numbers), else a description."""
    want = expected.rstrip("\n").split("\n") if expected.strip() else []
    have = actual.rstrip("\n").split("\n") if actual.strip() else []

    def matches(i, j):
        if i == len(want):
            return j == len(have)
        if want[i].strip() == "...":
            return any(matches(i + 1, k) for k in range(j, len(have) + 1))
        return (j < len(have) and skeleton(want[i]) == skeleton(have[j])
                and (not full or numbers_agree(want[i], have[j], tolerance)) and matches(i + 1, j + 1))

    if matches(0, 0):
        return None
    return "output differs from the notebook\n--- notebook\n" + "\n".join(want) + "\n--- this run\n" + "\n".join(have)


def run_notebook(path, full, update):
    text = path.read_text()
    blocks, substitutions, tolerance = parse(text)
    scratch = prepare_scratch(path.stem)
    environment = dict(os.environ)
    namespace = {"__name__": "__notebook__"}
    actual_outputs, substituted = [], set()
    for block in blocks:
        if block.skipped:
            continue
        code = block.code
        if not full:
            for old, new in substitutions:
                if old in code:
                    substituted.add(old)
                    code = code.replace(old, new)
        try:
            printed = run_block(block, code, scratch, namespace, environment)
        except NotebookFailure as failure:
            raise NotebookFailure(f"{path.name}, block at line {block.line}: {failure}") from None
        if printed is None:
            if block.output is not None:
                raise NotebookFailure(f"{path.name}, block at line {block.line}: an output block follows a "
                                      f"'{block.language}' block, which the runner cannot run")
            continue
        done = f"wrote {block.attributes['file']}" if "file" in block.attributes else f"{block.language} ok"
        print(f"  line {block.line}: {done}", flush=True)
        if update:
            actual_outputs.append((block, printed))
        elif block.output is not None:
            problem = mismatch(block.output.code, printed, full, tolerance)
            if problem:
                raise NotebookFailure(f"{path.name}, block at line {block.line}: {problem}")
    if not full and (unused := [old for old, _ in substitutions if old not in substituted]):
        raise NotebookFailure(f"{path.name}: quick settings that no block contains: {unused}")
    if update:
        rewrite(path, text, actual_outputs)
        images = scratch / "notebooks-md" / "images"
        for image in images.iterdir():
            (NOTEBOOKS / "images").mkdir(exist_ok=True)
            shutil.copy2(image, NOTEBOOKS / "images" / image.name)


def rewrite(path, text, actual_outputs):
    """Puts each block's new output into its output block; a block without one stays without."""
    lines = text.split("\n")
    for block, printed in sorted(actual_outputs, key=lambda pair: -pair[0].span[0]):
        if block.output is not None:
            start, end = block.output.span
            lines[start + 1:end] = printed.rstrip("\n").split("\n") if printed.strip() else []
    path.write_text("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks-md/*.md and README.md")
    parser.add_argument("--full", action="store_true", help="the settings as written; numbers within tolerance")
    parser.add_argument("--update", action="store_true", help="full run that rewrites outputs and plots")
    arguments = parser.parse_args()
    os.environ["MPLBACKEND"] = "Agg"  # python blocks run in this process and must not open windows
    # Python blocks run here too, and programs they start should find galen as bash blocks do.
    os.environ["PATH"] = f"{REPOSITORY / '.build' / 'release'}:{os.environ['PATH']}"
    notebooks = arguments.notebooks or sorted(p for p in NOTEBOOKS.glob("*.md") if p.name != "README.md") + [
        REPOSITORY / "README.md"]
    build = subprocess.run(["swift", "build", "-c", "release", "--product", "galen"], cwd=REPOSITORY,
                           capture_output=True, text=True)
    if build.returncode != 0:
        sys.exit(f"notebooks: swift build failed\n{build.stdout[-3000:]}{build.stderr[-3000:]}")
    failures = 0
    for notebook in notebooks:
        notebook = notebook.resolve()
        print(os.path.relpath(notebook, REPOSITORY), flush=True)
        try:
            run_notebook(notebook, arguments.full or arguments.update, arguments.update)
        except NotebookFailure as failure:
            failures += 1
            print(f"FAILED {failure}", file=sys.stderr, flush=True)
    print(f"notebooks: {len(notebooks) - failures} of {len(notebooks)} ran as shown")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
