#!/usr/bin/env python3
"""The stage order of checker/ (issue 28; docs/design.md "Stages").

A file of a stage may include only from its own stage and the stages listed before it.
The order is read from docs/design.md's numbered list under "## Stages", so the document
and the check cannot disagree. Each include that goes up the order is printed as
FILE:LINE with both stages, and the test fails; so does a folder of checker/lib that the
list does not name, a list item that names no folder, and a quoted include that names no
stage. Usage: layering_test.py SOURCE_DIR
"""
import re
import sys
from pathlib import Path

SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cc", ".inc", ".def"}
INCLUDE = re.compile(r'^\s*#\s*(?:include|include_next|import)\s*([<"])([^>"]+)[>"]')
STAGE_ITEM = re.compile(r"^(\d+)\.\s+\*\*([a-z_]+)/\*\*")


def stage_order(design):
    """[(number, name)] from the numbered items right under "## Stages"."""
    lines = design.read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index("## Stages")
    except ValueError:
        sys.exit(f"{design}: no '## Stages' section")
    order = []
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        m = STAGE_ITEM.match(line)
        if m:
            order.append((int(m.group(1)), m.group(2)))
    return order


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
    design, checker = root / "docs" / "design.md", root / "checker"
    order = stage_order(design)
    problems = []
    if [n for n, _ in order] != list(range(1, len(order) + 1)) or len({s for _, s in order}) != len(order):
        problems.append(f"{design}: the '## Stages' items must be numbered 1, 2, ... with one folder each: {order}")
    rank = {name: n for n, name in order}
    # A stage is a folder of the library (checker/lib/NAME) or a program beside it (checker/NAME).
    folders = {}
    for _, name in order:
        folder = checker / "lib" / name if (checker / "lib" / name).is_dir() else checker / name
        if folder.is_dir():
            folders[name] = folder
        else:
            problems.append(f"{design}: stage '{name}' has no folder checker/lib/{name}/ or checker/{name}/")
    for folder in sorted(p for p in (checker / "lib").iterdir() if p.is_dir()):
        if folder.name not in rank:
            problems.append(f"{folder.relative_to(root)}/: not in the stage order of docs/design.md")

    includes = 0
    for stage, folder in sorted(folders.items(), key=lambda item: rank[item[0]]):
        for path in sorted(p for p in folder.rglob("*") if p.suffix in SOURCE_SUFFIXES):
            shown = path.relative_to(root)
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                quoted, target = m.group(1) == '"', m.group(2)
                first = target.split("/", 1)[0]
                if first in rank and (checker / "lib" / target).is_file():
                    to = first
                elif quoted and (path.parent / target).is_file():
                    to = stage  # beside the file: a program's own header
                elif quoted:
                    problems.append(f"{shown}:{number}: #include \"{target}\" names no stage folder "
                                    f"(includes in checker/ are written 'stage/file.h')")
                    continue
                else:
                    continue  # a system or library header
                includes += 1
                if rank[to] > rank[stage]:
                    problems.append(f"{shown}:{number}: {stage} (stage {rank[stage]}) includes \"{target}\" "
                                    f"from {to} (stage {rank[to]}), which comes after it in docs/design.md's "
                                    f"stage order")
    if problems:
        print("\n".join(problems))
        print(f"layering: {len(problems)} problem(s)")
        return 1
    print(f"layering: {includes} includes of checker/ follow the order of {len(order)} stages: "
          + " -> ".join(name for _, name in order))
    return 0


if __name__ == "__main__":
    sys.exit(main())
