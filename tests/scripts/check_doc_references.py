#!/usr/bin/env python3
"""Every document the code or the docs refer to exists (issue 15: "every document the code or
docs refer to exists").

A reference is a path ending in .md written in any tracked text file (source comments, CMake,
scripts, docs), or the target of a Markdown link [text](target) in a .md file. A path resolves
against the repository root, the referring file's directory or docs/; URLs, anchors within a
page and paths of other projects (a Tock checkout's files, written with a placeholder or under
a name that is not ours) are not ours to check. Prints one line per missing document, as
FILE:LINE: missing DOC, and exits 1 if there is any.
"""
import argparse
import pathlib
import re
import subprocess
import sys

MD_PATH = re.compile(r"(?<![\w/.:-])((?:\.\./|\./)?[A-Za-z0-9_][A-Za-z0-9_./-]*\.md)\b")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
TEXT_SUFFIXES = {".md", ".h", ".cpp", ".c", ".rs", ".py", ".sh", ".cmake", ".txt", ".lua", ".toml",
                 ".json", ".in", ""}
# Documents of other projects that our text names on purpose (Tock's own docs, upstream files).
FOREIGN = {"README.md", "CONTRIBUTING.md", "CHANGELOG.md"}
# A line that names a file of a Tock checkout says so ("the Tock tree's boards/README.md").
FOREIGN_TREE = re.compile(r"Tock tree's|tock/tock")
# Installed copies of our docs (tests/scripts/install_test.sh and package_test.sh check those).
INSTALLED = ("share/doc/", "./usr/share/doc/")


def tracked_files(root):
    out = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True)
    if out.returncode == 0 and out.stdout:
        return [root / line for line in out.stdout.splitlines()]
    return [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]


def resolves(root, referrer, target):
    target = target.split("#", 1)[0]
    if not target:
        return True
    for base in (root, referrer.parent, root / "docs"):
        if (base / target).exists():
            return True
    return False


def references(path):
    text = path.read_text(errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        if FOREIGN_TREE.search(line):
            continue
        targets = set(MD_PATH.findall(line))
        if path.suffix == ".md":
            for link in MD_LINK.findall(line):
                if not re.match(r"^[a-z]+:", link) and not link.startswith("#"):
                    targets.add(link)
        for target in targets:
            yield number, target


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    root = pathlib.Path(parser.parse_args().source).resolve()
    missing = []
    for path in tracked_files(root):
        if path.suffix not in TEXT_SUFFIXES or "fixtures" in path.parts or not path.is_file():
            continue
        for number, target in references(path):
            if pathlib.PurePosixPath(target.split("#")[0]).name in FOREIGN and "/" not in target:
                continue
            if target.startswith(INSTALLED):
                continue
            if not resolves(root, path, target):
                missing.append(f"{path.relative_to(root)}:{number}: missing {target}")
    for line in missing:
        print(line)
    if missing:
        print(f"{len(missing)} reference(s) to documents that do not exist", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
