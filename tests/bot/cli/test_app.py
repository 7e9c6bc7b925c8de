"""The console script's error contract: one line on stderr, exit code 2, never a traceback."""

from __future__ import annotations

import pytest

from bot.cli import main


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):
    monkeypatch.setattr("sys.argv", ["chorus", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["launch"], "Missing argument 'survey'"),
        (
            ["launch", "student-belonging", "--roster-size", "abc"],
            "Invalid value for '--roster-size'",
        ),
        (["no-such-command"], "No such command 'no-such-command'"),
        (["close", "--bogus"], "No such option"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(monkeypatch, capsys, tmp_path, args, expected):
    monkeypatch.setenv("CHORUS_DATA_DIR", str(tmp_path))
    code, _out, err = run_main(monkeypatch, capsys, *args)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert "--help" in lines[0]
    assert "Traceback" not in err


def test_help_exits_zero(monkeypatch, capsys):
    code, out, _err = run_main(monkeypatch, capsys, "--help")
    assert code == 0
    assert "launch" in out and "report" in out


def test_bare_command_group_shows_help(monkeypatch, capsys):
    code, out, _err = run_main(monkeypatch, capsys, "surveys")
    assert code == 0
    assert "validate" in out
