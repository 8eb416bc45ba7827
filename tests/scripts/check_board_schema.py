#!/usr/bin/env python3
"""Checks docs/board.schema.json with an independent validator (python3-jsonschema) and checks
that tockctl agrees: every catalog board, every file `tockctl config init` writes, and every
example in docs/board-config.md. The schema must also reject the structurally bad fixtures in
tests/fixtures/config/bad listed in SCHEMA_REJECTS.

Examples in the docs are fenced ```json blocks preceded by a marker line:
  <!-- example: NAME.json -->          a complete file: schema-valid and `config validate` exit 0
  <!-- example-invalid: NAME.json -->  a file tockctl must reject; the next ```text block is the
                                       whole output of `tockctl config validate NAME.json`
                                       (prose may come between the two blocks)
                                       (stdout then stderr), run in a directory holding the file.
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import jsonschema

MARKER = re.compile(r"^<!-- (example|example-invalid): ([A-Za-z0-9_.-]+\.json) -->$")


def run_tockctl(binary, source, args, cwd=None):
    env = dict(os.environ, NO_COLOR="1", TOCKCTL_DATA_DIR=str(source))
    return subprocess.run([binary] + args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def fenced_block(lines, start, language, prose_allowed=False):
    """Returns (text, index after the block) of the ```language block at start (after blank
    lines, or after any prose when prose_allowed)."""
    i = start
    while i < len(lines) and lines[i].strip() != "```" + language and (
            lines[i].strip() == "" or (prose_allowed and not lines[i].startswith("```")
                                       and not MARKER.match(lines[i].strip()))):
        i += 1
    if i >= len(lines) or lines[i].strip() != "```" + language:
        raise ValueError(f"line {i + 1}: expected a ```{language} block")
    end = lines.index("```", i + 1)
    return "\n".join(lines[i + 1:end]) + "\n", end + 1


def doc_examples(doc_path):
    lines = doc_path.read_text().split("\n")
    examples = []
    for i, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if not m:
            continue
        text, after = fenced_block(lines, i + 1, "json")
        expected = None
        if m.group(1) == "example-invalid":
            expected, _ = fenced_block(lines, after, "text", prose_allowed=True)
        examples.append((m.group(2), text, expected, i + 1))
    return examples


class Checker:
    def __init__(self, args):
        self.binary = str(pathlib.Path(args.tockctl).resolve())
        self.source = pathlib.Path(args.source)
        schema = json.loads((self.source / "docs" / "board.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        self.validator = jsonschema.Draft202012Validator(schema)
        self.failures = []

    def fail(self, what):
        self.failures.append(what)

    def schema_valid(self, path, document):
        errors = sorted(self.validator.iter_errors(document), key=lambda e: list(e.path))
        for e in errors:
            pointer = "/" + "/".join(str(p) for p in e.path)
            self.fail(f"{path}: schema: {pointer}: {e.message[:300]}")
        return not errors

    def tockctl_valid(self, paths):
        r = run_tockctl(self.binary, self.source, ["config", "validate"] + [str(p) for p in paths])
        if r.returncode != 0:
            self.fail(f"tockctl config validate exit {r.returncode}:\n{r.stdout}{r.stderr}")

    def check_catalog(self):
        boards = sorted((self.source / "boards").glob("*.json"))
        if len(boards) < 20:
            self.fail(f"only {len(boards)} catalog boards found")
        for path in boards:
            self.schema_valid(path, json.loads(path.read_text()))
        self.tockctl_valid(boards)
        return [p.stem for p in boards]

    def check_templates(self, names, tmp):
        made = []
        for name in names:
            out = tmp / f"{name}.json"
            r = run_tockctl(self.binary, self.source, ["config", "init", name, "-o", str(out)])
            if r.returncode != 0:
                self.fail(f"config init {name}: exit {r.returncode}: {r.stderr}")
                continue
            self.schema_valid(out, json.loads(out.read_text()))
            made.append(out)
        if made:
            self.tockctl_valid(made)
        return len(made)

    def check_docs(self, tmp):
        examples = doc_examples(self.source / "docs" / "board-config.md")
        for name, text, expected, line in examples:
            where = f"docs/board-config.md:{line} ({name})"
            path = tmp / name
            path.write_text(text)
            document = json.loads(text)
            r = run_tockctl(self.binary, self.source, ["config", "validate", name], cwd=tmp)
            if expected is None:
                self.schema_valid(where, document)
                if r.returncode != 0:
                    self.fail(f"{where}: tockctl config validate exit {r.returncode}:\n{r.stdout}{r.stderr}")
            elif r.stdout + r.stderr != expected or r.returncode != 3:
                self.fail(f"{where}: expected exit 3 and\n{expected}got exit {r.returncode} and\n"
                          f"{r.stdout}{r.stderr}")
        return len(examples)


# Bad fixtures whose problems are structural: the schema alone must reject each of them.
SCHEMA_REJECTS = [
    "address-on-can", "empty-names", "huge-number", "unknown-backend", "ethernet-mtu-out-of-range", "ieee802154-mtu-over-127", "interface-names",
    "kind-specific-keys-on-wrong-kind", "malformed-addresses", "malformed-board",
    "missing-board-and-format-2", "missing-required-keys", "not-an-object", "openthread-on-ethernet",
    "sections-of-wrong-type", "tock-udp-in-userspace", "unknown-enum-values",
    "unknown-keys-everywhere", "wrong-types-and-ranges",
]


def check_schema_rejects(checker):
    bad = checker.source / "tests" / "fixtures" / "config" / "bad"
    for name in SCHEMA_REJECTS:
        document = json.loads((bad / f"{name}.json").read_text())
        if checker.validator.is_valid(document):
            checker.fail(f"{name}.json: the schema accepts it, but it is structurally wrong")
    return len(SCHEMA_REJECTS)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tockctl", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    checker = Checker(args)
    with tempfile.TemporaryDirectory(prefix="tockctl-schema-") as tmp:
        tmp = pathlib.Path(tmp)
        names = checker.check_catalog()
        (tmp / "init").mkdir()
        (tmp / "docs").mkdir()
        made = checker.check_templates(names, tmp / "init")
        examples = checker.check_docs(tmp / "docs")
    rejected = check_schema_rejects(checker)
    for f in checker.failures:
        print("FAIL: " + f)
    print(f"{len(names)} catalog boards, {made} init files, {examples} doc examples, "
          f"{rejected} structurally bad fixtures; {len(checker.failures)} failures")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
