"""`check --out DIR` where DIR cannot be created is refused in one line, before the search."""

from __future__ import annotations

from pathlib import Path

import pytest
from gentrace.cli.main import main


def test_out_below_a_file_is_refused_in_one_line(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "file"
    f.write_text("")
    code = main(["check", "--design", "legacy", "--out", str(f / "cx")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err
    assert err.startswith("gentrace: ") and err.count("\n") == 1
