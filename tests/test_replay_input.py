"""Replay inputs that are not text, or JSON too deep to parse, are refused in one line (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gentrace.cli.main import main


@pytest.mark.parametrize("data", [b"\xff\xfe\x00not utf-8", b"[" * 100_000],
                         ids=["not-utf8", "deeply-nested"])
def test_unreadable_json_is_refused_in_one_line(data: bytes, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cx.json"
    path.write_bytes(data)
    code = main(["replay", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("gentrace: ") and err.count("\n") == 1
