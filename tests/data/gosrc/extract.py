"""Write the extracts of a Go release's runtime source that the design edits touch.

    .venv/bin/python tests/data/gosrc/extract.py GOROOT VERSION

Writes ``tests/data/gosrc/<VERSION>/<file>``: for every file a design edit of
``checker/runtime/patches.py`` or an upstream fix of ``checker/runtime/upstream.py``
touches, the top-level functions and types (with their doc comments) that hold an
anchor, verbatim, so ``tests/test_runtime_patches.py`` can check every edit against
the real text without a toolchain.  GOROOT needs only ``src/runtime``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from gentrace.runtime.patches import DESIGN_ORDER, NotApplicable, PatchError, patch_for  # noqa: E402
from gentrace.runtime.upstream import UPSTREAM  # noqa: E402

HEADER = ("// Extract of go{version} src/runtime/{file}: the functions gentrace's design edits\n"
          "// touch, verbatim. Copyright The Go Authors; BSD-style license: https://go.dev/LICENSE\n\n"
          "package runtime\n")


def chunks(text: str) -> list[str]:
    """Top-level functions and types of a Go file, each with the comment lines right above it."""
    lines = text.splitlines(keepends=True)
    starts = []
    for i, ln in enumerate(lines):
        if ln.startswith("func ") or ln.startswith("type ") and ln.rstrip().endswith("{"):
            j = i
            while j > 0 and lines[j - 1].startswith("//"):
                j -= 1
            starts.append(j)
    out = []
    for k, s in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        body = "".join(lines[s:end])
        close = body.find("\n}\n")
        out.append(body[:close + 3] if close >= 0 else body)
    return out


def extract(goroot: Path, version: str, dest: Path) -> list[Path]:
    anchors: dict[str, list[str]] = {}
    for name in DESIGN_ORDER:
        p = patch_for(name, version)
        if isinstance(p, NotApplicable):
            continue
        for e in p.edits:
            anchors.setdefault(e.file, []).append(e.anchor)
    for f in UPSTREAM.values():
        try:
            fix = f.fix(version)
        except PatchError:  # not affected
            continue
        for e in fix.edits:
            anchors.setdefault(e.file, []).append(e.anchor)
    written = []
    for file, want in sorted(anchors.items()):
        text = (goroot / "src" / "runtime" / file).read_text()
        keep = [c for c in chunks(text) if any(a in c for a in want)]
        out = dest / version / file
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(HEADER.format(version=version, file=file) + "".join("\n" + c for c in keep))
        written.append(out)
    return written


if __name__ == "__main__":
    for path in extract(Path(sys.argv[1]), sys.argv[2], Path(__file__).parent):
        print(path, path.stat().st_size)
