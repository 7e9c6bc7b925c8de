"""Every class of bad input to every `chorus` subcommand (but `run`): one line, exit code 2.

The commands run in-process through `bot.cli.main`, the console script itself, so
the root handler is part of what is tested, against a data directory of their own.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from surveys.conditions import ConditionError
from surveys.crud.campaigns import CampaignError
from surveys.db import StorageError
from surveys.errors import ChorusError
from surveys.i18n import CatalogError

SURVEYS = Path(__file__).parents[2] / "fixtures" / "surveys"
MINIMAL = (SURVEYS / "valid-minimal.yaml").read_text("utf-8")
FUTURE = (date.today() + timedelta(days=30)).isoformat()


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


Chorus = Callable[..., Ran]


@pytest.fixture
def chorus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Chorus:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHORUS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHORUS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "chorus_test_bot")
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str | Path) -> Ran:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["chorus", *(str(a) for a in args)])
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def assert_one_line(ran: Ran, *, contains: str) -> None:
    """Exit 2 and a single `error:` line on stderr that says `contains`; no traceback."""
    assert ran.code == 2, (ran.stdout, ran.stderr)
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines
    assert contains in lines[0], lines[0]
    assert "Traceback" not in ran.stdout + ran.stderr


def survey_file(tmp_path: Path, text: str, name: str = "survey.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def launch(*extra: str, survey: str = "student-belonging") -> tuple[str, ...]:
    values = {"--org": "Bridges", "--school": "Lincoln", "--grade": "7", "--closes": FUTURE}
    args = dict(zip(extra[::2], extra[1::2], strict=True))
    values.update(args)
    pairs = (part for pair in values.items() for part in pair)
    return ("launch", survey, *pairs, "--allow-no-safeguarding-lead")


NUMBER_QUESTION = MINIMAL.replace("type: text", "type: number\n    BOUND")

# --------------------------------------------------------------------- survey files

BAD_SURVEY_TEXTS = {
    "yaml nested 3,000 deep": ("[" * 3000 + "]" * 3000, "nested more than"),
    "mapping nested 500 deep": (
        "".join("  " * i + f"k{i}:\n" for i in range(500)),
        "nested more than",
    ),
    "alias expansion bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n"
            for p, n in zip("abcdefg", "bcdefgh", strict=True)
        ),
        "once aliases are expanded",
    ),
    "recursive alias": ("a: &a [*a]\n", "invalid YAML"),
    "show_if 3,000 parentheses": (
        MINIMAL + '    show_if: "' + "(" * 3000 + "only == 1" + ")" * 3000 + '"\n',
        "condition is 6009 characters long; the limit is 1000",
    ),
    "show_if 3,000 nots": (
        MINIMAL + '    show_if: "' + "not " * 3000 + 'only == 1"\n',
        "the limit is 1000",
    ),
    "show_if 40 nested parentheses": (
        MINIMAL + '    show_if: "' + "(" * 40 + "only == 1" + ")" * 40 + '"\n',
        "nested more than 30 levels",
    ),
    "show_if huge number": (
        MINIMAL + '    show_if: "only < ' + "9" * 400 + '"\n',
        "too large",
    ),
    "max .inf": (NUMBER_QUESTION.replace("BOUND", "max: .inf"), "'max' must be a finite number"),
    "max 1e400": (NUMBER_QUESTION.replace("BOUND", "max: 1e400"), "'max' must be a finite"),
    "min .nan": (NUMBER_QUESTION.replace("BOUND", "min: .nan"), "'min' must be a finite number"),
    "min -.inf": (NUMBER_QUESTION.replace("BOUND", "min: -.inf"), "'min' must be a finite"),
    "max 1e300": (NUMBER_QUESTION.replace("BOUND", "max: 1.0e+300"), "the limit is 1e+15"),
    "NUL in a text": (MINIMAL.replace('"Hi."', '"Hi\\0"'), "control character '\\x00'"),
    "escape sequence in a text": (MINIMAL.replace('"Hi."', '"\\e[31mHi"'), "control character"),
    "long language code": (
        MINIMAL.replace("[en]", "[en-abcdefgh-abcdefgh]").replace("{en:", "{en-abcdefgh-abcdefgh:"),
        "longer than 10 characters",
    ),
    "empty file": ("", "found nothing"),
    "a list, not a mapping": ("- 1\n- 2\n", "found a list"),
    "tab indentation": ("id: x\n\ttitle: y\n", "invalid YAML"),
    "3,001-character text": (
        MINIMAL.replace('"Say something?"', '"' + "x" * 3001 + '"'),
        "3001 characters in 'en'; the limit is 3000",
    ),
    "empty version": (MINIMAL.replace('version: "1"', 'version: ""'), "version must be 1 to 40"),
    "NUL byte in the file": (MINIMAL.replace("Hi.", "Hi\x00."), "invalid YAML"),
}


@pytest.mark.parametrize("command", [("surveys", "validate"), ("surveys", "add")])
@pytest.mark.parametrize("case", list(BAD_SURVEY_TEXTS), ids=list(BAD_SURVEY_TEXTS))
def test_bad_survey_files_are_one_line(
    chorus: Chorus, tmp_path: Path, command: tuple[str, str], case: str
) -> None:
    text, message = BAD_SURVEY_TEXTS[case]
    ran = chorus(*command, survey_file(tmp_path, text))
    assert_one_line(ran, contains=message)
    assert "survey.yaml" in ran.stderr


def _not_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.replace("Hi.", "Olá.").encode("latin-1"))
    return path


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "binary.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    return path


def _huge(tmp_path: Path) -> Path:
    path = tmp_path / "huge.yaml"
    path.write_text(MINIMAL + "#" + "x" * 1_100_000 + "\n", "utf-8")
    return path


def _folder(tmp_path: Path) -> Path:
    path = tmp_path / "folder.yaml"
    path.mkdir()
    return path


def _unreadable(tmp_path: Path) -> Path:
    path = survey_file(tmp_path, MINIMAL, "locked.yaml")
    path.chmod(0)
    return path


BAD_PATHS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing file": (lambda tmp: tmp / "missing.yaml", "file not found"),
    "not UTF-8": (_not_utf8, "not UTF-8"),
    "binary file": (_binary, "latin"),  # replaced below: binary is not UTF-8 either
    "file over a megabyte": (_huge, "larger than 1,000,000 bytes"),
    "a folder": (_folder, "is a folder"),
    "unreadable file": (_unreadable, "cannot read"),
}
BAD_PATHS["binary file"] = (_binary, "not UTF-8")


@pytest.mark.parametrize("case", list(BAD_PATHS), ids=list(BAD_PATHS))
def test_unusable_survey_paths_are_one_line(
    chorus: Chorus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    make, message = BAD_PATHS[case]
    path = make(tmp_path)
    if case == "unreadable file" and os.access(path, os.R_OK):
        # Root reads any file: refuse this one the way the kernel would for anyone else.
        opener = Path.open

        def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self.name == path.name:
                raise PermissionError(13, "Permission denied", str(self))
            return opener(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    for command in (("surveys", "validate"), ("surveys", "add")):
        assert_one_line(chorus(*command, path), contains=message)
    assert_one_line(chorus(*launch(survey=str(path))), contains=message)


# --------------------------------------------------------------------------- launch

BAD_LAUNCHES: dict[str, tuple[tuple[str, ...], str]] = {
    "closes in year 9999": (("--closes", "9999-12-31"), "between 2000 and 2100"),
    "closes in year 0001": (("--closes", "0001-01-01"), "between 2000 and 2100"),
    "closes in 2099": (("--closes", "2099-12-31"), "more than five years away"),
    "closes yesterday": (
        ("--closes", (date.today() - timedelta(days=1)).isoformat()),
        "is in the past",
    ),
    "closes not a date": (("--closes", "next friday"), "is not a date"),
    "closes February 30": (("--closes", "2030-02-30"), "is not a date"),
    "opens in 1999": (("--opens", "1999-12-31"), "between 2000 and 2100"),
    "opens after it closes": (("--opens", "2099-01-01"), "before it opens"),
    "roster 10^30": (("--roster-size", str(10**30)), "at most 1,000,000"),
    "roster 1,000,001": (("--roster-size", "1000001"), "at most 1,000,000"),
    "roster zero": (("--roster-size", "0"), "not 0"),
    "roster negative": (("--roster-size", "-5"), "not -5"),
    "roster a word": (("--roster-size", "forty"), "--roster-size"),
    "roster a float": (("--roster-size", "4.5"), "--roster-size"),
    "organization 201 characters": (("--org", "o" * 201), "201 characters long; the limit is 200"),
    "organization 10,000 characters": (("--org", "o" * 10_000), "the limit is 200"),
    "school 201 characters": (("--school", "s" * 201), "the school is 201 characters"),
    "grade 61 characters": (("--grade", "7" * 61), "grade is 61 characters long; the limit is 60"),
    "organization empty": (("--org", ""), "the organization is empty"),
    "organization blank": (("--org", "   "), "the organization is empty"),
    "school with an escape sequence": (("--school", "\x1b[31mLincoln"), "control character"),
    "grade with a newline": (("--grade", "7\n8"), "control character '\\n'"),
    "unknown audience": (("--audience", "teachers"), "unknown audience 'teachers'"),
    "audience the survey is not for": (("--audience", "caregiver"), "written for students"),
    "language not offered": (("--language", "fr"), "not offered in 'fr'"),
    "follow-up of 5,000 characters": (("--follow-up", "x" * 5000), "the limit is 1,000"),
    "follow-up-es of 5,000 characters": (("--follow-up-es", "x" * 5000), "in 'es'"),
    "follow-up with NUL-like escape": (("--follow-up", "meet\x07ing"), "control character"),
}


@pytest.mark.parametrize("case", list(BAD_LAUNCHES), ids=list(BAD_LAUNCHES))
def test_bad_launches_are_one_line_and_store_nothing(chorus: Chorus, case: str) -> None:
    extra, message = BAD_LAUNCHES[case]
    assert_one_line(chorus(*launch(*extra)), contains=message)
    listed = chorus("campaigns")
    assert listed.code == 0 and "No campaigns yet" in listed.stdout


def test_a_launch_at_every_limit_is_accepted(chorus: Chorus) -> None:
    ran = chorus(
        *launch("--org", "o" * 200, "--school", "s" * 200, "--grade", "g" * 60,
                "--roster-size", "1000000", "--follow-up", "f" * 1000)
    )  # fmt: skip
    assert ran.code == 0, ran.stderr
    assert "code:" in ran.stdout


def test_unknown_survey_id_is_one_line(chorus: Chorus) -> None:
    assert_one_line(chorus(*launch(survey="no-such-survey")), contains="unknown survey")


# -------------------------------------------------------------- campaign codes

CODES = {
    "unknown": "nosuchcode",
    "empty": "",
    "10,000 characters": "c" * 10_000,
    "control characters": "ab\x1bcd",
    "unicode": "código✅",
}


@pytest.mark.parametrize("command", ["close", "flyer", "export"])
@pytest.mark.parametrize("code", list(CODES.values()), ids=list(CODES))
def test_unknown_campaign_codes_are_one_line(chorus: Chorus, command: str, code: str) -> None:
    assert_one_line(chorus(command, code), contains="no campaign has the code")


@pytest.mark.parametrize("fmt", ["pdf", "", "CSV;rm", "x" * 500])
def test_unknown_export_formats_are_one_line(chorus: Chorus, fmt: str) -> None:
    assert_one_line(chorus("export", "anything", "--format", fmt), contains="unknown export format")


# ----------------------------------------------------------------- the environment


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is malformed"),
        ("postgresql://u:secret@host:notaport/db", "is malformed"),
        ("oracle://x/y", "install chorus[postgres]"),
    ],
)
def test_bad_database_urls_are_one_line(
    chorus: Chorus, monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    monkeypatch.setenv("CHORUS_DATABASE_URL", url)
    ran = chorus("campaigns")
    assert_one_line(ran, contains=message)
    assert "secret" not in ran.stderr


def test_a_data_dir_that_is_a_file_is_one_line(
    chorus: Chorus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CHORUS_DATA_DIR", str(blocker / "data"))
    assert_one_line(chorus("surveys", "list"), contains="cannot create the data directory")


@pytest.mark.parametrize(
    "args",
    [
        ("launch",),
        ("surveys", "add", "x.yaml", "--builtin"),
        ("surveys", "add"),
        ("close",),
        ("export", "code", "--no-such-option"),
        ("report",),
        ("nonsense",),
    ],
    ids=["launch bare", "add both", "add neither", "close bare", "unknown option", "report bare",
         "unknown command"],
)  # fmt: skip
def test_usage_mistakes_are_one_line(chorus: Chorus, args: tuple[str, ...]) -> None:
    ran = chorus(*args)
    assert_one_line(ran, contains="")


# ------------------------------------------------------------------- ChorusError


@pytest.mark.parametrize(
    "error",
    [
        CatalogError("es/bot.yaml: bot.help is already defined in another file"),
        ConditionError("condition is empty"),
        StorageError("cannot use the database at sqlite:///x: disk I/O error"),
        CampaignError("campaign abc has lost its survey definition"),
        ChorusError("anything chorus raises on purpose"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_any_chorus_error_from_any_layer_is_one_line(
    chorus: Chorus, monkeypatch: pytest.MonkeyPatch, error: ChorusError
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise error

    monkeypatch.setattr("bot.cli.campaigns.list_campaigns_with_counts", broken)
    assert_one_line(chorus("campaigns"), contains=str(error))


def _error_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package in ("surveys", "analysis", "bot"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations" in info.name:
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if (
                    isinstance(value, type)
                    and issubclass(value, BaseException)
                    and value.__module__ == info.name
                    and not name.startswith("_")
                ):
                    found[f"{info.name}.{name}"] = value
    return found


NOT_FOR_PEOPLE = {
    "bot.simulation.fake_bot_api.ApiError",  # the fake Bot API's own protocol error
    "bot.simulation.respondents.StuckError",  # a simulated respondent's test failure
}
TO_DERIVE_AT_MERGE: set[str] = set()


def test_every_chorus_error_class_derives_from_chorus_error() -> None:
    classes = _error_classes()
    assert "surveys.loader.SurveyDefinitionError" in classes
    stray = {
        name
        for name, cls in classes.items()
        if not issubclass(cls, ChorusError) and name not in NOT_FOR_PEOPLE | TO_DERIVE_AT_MERGE
    }
    assert stray == set()


# ------------------------------------------------------------------- output paths


def _launched(chorus: Chorus) -> str:
    ran = chorus(*launch())
    assert ran.code == 0, ran.stderr
    return next(line.split()[-1] for line in ran.stdout.splitlines() if line.startswith("code:"))


@pytest.mark.parametrize(
    ("command", "where", "message"),
    [
        ("export", "folder", "cannot write"),
        ("export", "under a file", "cannot write"),
        ("flyer", "under a file", "cannot write the QR code and flyer"),
        ("launch", "under a file", "cannot write the QR code and flyer"),
    ],
)
def test_unwritable_outputs_are_one_line(
    chorus: Chorus, tmp_path: Path, command: str, where: str, message: str
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    out = tmp_path if where == "folder" else blocker / "inside"
    if command == "launch":
        ran = chorus(*launch("--out", str(out)))
    else:
        ran = chorus(command, _launched(chorus), "--out", out)
    assert_one_line(ran, contains=message)


def test_brackets_in_a_message_are_text_not_markup(chorus: Chorus, tmp_path: Path) -> None:
    ran = chorus("surveys", "validate", tmp_path / "[red]survey[bold].yaml")
    assert_one_line(ran, contains="[red]survey[bold].yaml: file not found")
