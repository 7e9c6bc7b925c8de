"""Survey YAML files -> validated `Survey` objects.

Survey files are written by organizations, in a text editor, often by someone
who has never seen a traceback. So every problem becomes ONE line that names
the file, the question and what is wrong::

    student-belonging.yaml: question b3: show_if names unknown question 'b9'

and the loader checks what pydantic cannot see on its own: translations for
every language, scales that exist and have five labels, `show_if` conditions
that only look back, and fields that make no sense for a question's type.

A loaded survey is self-contained: the scales it uses are copied in from the
shared library (`builtin/scales.yaml`) or from the file's own `scales:`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from surveys.conditions import Comparison, ConditionError, parse_condition
from surveys.definition import (
    CHOICE_TYPES,
    LIKERT_POINTS,
    Localized,
    Question,
    QuestionType,
    Survey,
)
from surveys.errors import ChorusError
from surveys.message_limits import MessageTooLong, check_fits

BUILTIN_DIR = Path(__file__).parent / "builtin"
SCALE_LIBRARY_FILE = "scales.yaml"

Scales = dict[str, dict[str, tuple[str, ...]]]
"""Scale name -> language -> the five labels, lowest first."""

OTHER_OPTION = "other"
"""The option id a multi-choice `other: true` adds; a listed option may not take it."""
YES_NO_VALUES = ("yes", "no")
LIKERT_VALUES = (*(str(i) for i in range(1, LIKERT_POINTS + 1)), "not_sure")

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
LANGUAGE_LIMIT = 10
"""The `language` columns' size: "es-419" fits, a chain of subtags does not."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than tab and newline: invisible in Telegram, and PostgreSQL
refuses NUL, which a YAML escape ("\\0") can put into a text."""
NUMBER_LIMIT = 1e15
"""Number bounds beyond this cannot be typed or shown as plain digits."""
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_AUDIENCES = ("student", "caregiver", "any")
TEXT_LIMIT = 3000
"""Characters per text: Telegram sends at most 4,096, and the bot adds buttons and notes."""
TITLE_LIMIT = 200
VERSION_LIMIT = 40
"""The `survey` table's column sizes, so a valid file can always be stored."""

# Fields that only mean something for some question types: the types, and how to say so.
_TYPE_ONLY_FIELDS: dict[str, tuple[frozenset[QuestionType], str]] = {
    "scale": (frozenset({QuestionType.LIKERT}), "likert"),
    "reverse": (frozenset({QuestionType.LIKERT}), "likert"),
    "not_sure": (frozenset({QuestionType.LIKERT}), "likert"),
    "options": (CHOICE_TYPES, "single_choice and multi_choice"),
    "other": (frozenset({QuestionType.MULTI_CHOICE}), "multi_choice"),
    "favorable": (CHOICE_TYPES | {QuestionType.YES_NO}, "single_choice, multi_choice and yes_no"),
    "min": (frozenset({QuestionType.NUMBER}), "number"),
    "max": (frozenset({QuestionType.NUMBER}), "number"),
    "integer": (frozenset({QuestionType.NUMBER}), "number"),
    "max_length": (frozenset({QuestionType.TEXT}), "text"),
}


class SurveyDefinitionError(ChorusError, ValueError):
    """A survey or scale file that cannot be used, as one line for a person to fix."""

    def __init__(
        self,
        source: str,
        reason: str,
        *,
        question: str | None = None,
        line: int | None = None,
    ) -> None:
        self.source = source
        self.reason = reason
        self.question = question
        self.line = line
        parts = [source]
        if line is not None:
            parts.append(f"line {line}")
        if question is not None:
            parts.append(f"question {question}")
        parts.append(reason)
        super().__init__(": ".join(" ".join(p.split()) for p in parts))


class _Problem(Exception):
    """Raised inside the checks; the loader adds the file name."""

    def __init__(self, reason: str, question: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.question = question


# --------------------------------------------------------------------------- YAML


MAX_FILE_BYTES = 1_000_000
"""A survey of a hundred questions in five languages is well under 200 kB."""
MAX_YAML_DEPTH = 20
"""A survey nests about six levels deep; PyYAML composes recursively, so a file nested
3,000 deep raised `RecursionError` before this bound."""
MAX_YAML_NODES = 100_000
"""Values after expanding aliases: `&a [x, x, ...]` referenced in ever larger lists
(the "billion laughs") would otherwise expand past memory during validation."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, which PyYAML would silently overwrite,
    and documents nested too deep or too large once aliases are expanded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                # The parent node's mark: where the too-deep nesting starts.
                mark = parent.start_mark if parent is not None else None
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", mark
                )
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None:
            self._count(node)
        return node

    def _count(self, node: yaml.Node) -> None:
        """Record `node`'s size with aliases expanded; refuse a document that grows too large."""
        if id(node) in self._sizes:
            return
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        # A child still being composed (a recursive alias) counts as one value.
        size = 1 + sum(self._sizes.get(id(child), 1) for child in children)
        if size > MAX_YAML_NODES:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"more than {MAX_YAML_NODES:,} values once aliases are expanded",
                node.start_mark,
            )
        self._sizes[id(node)] = size


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # an unhashable key: construct_mapping reports it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_yaml(text: str, source: str) -> Any:
    if len(text) > MAX_FILE_BYTES:
        raise SurveyDefinitionError(
            source, f"larger than {MAX_FILE_BYTES:,} characters; is it really a survey file?"
        )
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no arbitrary objects
    except RecursionError:  # the depth bound should make this unreachable; never a traceback
        raise SurveyDefinitionError(source, "invalid YAML: nested too deep") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "cannot be read"
        raise SurveyDefinitionError(source, f"invalid YAML: {problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise SurveyDefinitionError(source, f"invalid YAML: {exc}") from None


def _read(path: Path) -> str:
    name = path.name or str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SurveyDefinitionError(name, "file not found") from None
    except IsADirectoryError:
        raise SurveyDefinitionError(name, "is a folder, not a survey file") from None
    except OSError as exc:
        raise SurveyDefinitionError(name, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SurveyDefinitionError(
            name, f"larger than {MAX_FILE_BYTES:,} bytes; is it really a survey file?"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SurveyDefinitionError(name, "not UTF-8 text; save it as UTF-8") from None


# ------------------------------------------------------------------ scale library


def parse_scales(data: Any, *, source: str, languages: Sequence[str] | None = None) -> Scales:
    """Validate a mapping of scales: name -> language -> exactly five labels.

    With `languages`, every scale must cover exactly those languages (a survey's
    own scales); without, any languages are fine (the shared library).
    """
    if not isinstance(data, Mapping):
        raise SurveyDefinitionError(source, "scales must be a mapping of scale name to labels")
    scales: Scales = {}
    for name, per_language in data.items():
        where = f"scale {name}"
        if not isinstance(name, str) or not _KEY.match(name):
            raise SurveyDefinitionError(
                source, f"scale name {name!r} must be lowercase letters, digits and _"
            )
        if not isinstance(per_language, Mapping) or not per_language:
            raise SurveyDefinitionError(
                source, f"{where}: must map each language to its {LIKERT_POINTS} labels"
            )
        labels: dict[str, tuple[str, ...]] = {}
        for language, values in per_language.items():
            if languages is not None and language not in languages:
                raise SurveyDefinitionError(
                    source,
                    f"{where}: language {language!r} is not in languages ({_list(languages)})",
                )
            if not isinstance(values, list) or len(values) != LIKERT_POINTS:
                count = len(values) if isinstance(values, list) else "no list of"
                raise SurveyDefinitionError(
                    source,
                    f"{where}: needs exactly {LIKERT_POINTS} labels in {language!r}, has {count}",
                )
            if not all(isinstance(v, str) and v.strip() for v in values):
                raise SurveyDefinitionError(
                    source, f"{where}: every label in {language!r} must be non-empty text"
                )
            if any(_CONTROL.search(v) for v in values):
                raise SurveyDefinitionError(
                    source, f"{where}: a label in {language!r} holds a control character"
                )
            labels[str(language)] = tuple(v.strip() for v in values)
        for language in languages or ():
            if language not in labels:
                raise SurveyDefinitionError(source, f"{where}: missing the {language!r} labels")
        scales[name] = labels
    return scales


@cache
def _builtin_scales() -> Scales:
    path = BUILTIN_DIR / SCALE_LIBRARY_FILE
    return parse_scales(_load_yaml(_read(path), path.name), source=path.name)


def load_scale_library(path: Path | None = None) -> Scales:
    """The shared scales: `builtin/scales.yaml`, or another library file."""
    if path is None:
        return {name: dict(labels) for name, labels in _builtin_scales().items()}
    return parse_scales(_load_yaml(_read(path), path.name), source=path.name)


# ------------------------------------------------------------------ surveys


def parse_survey(text: str, *, source: str, scale_library: Scales | None = None) -> Survey:
    """Parse and validate survey YAML; `source` names the file in error messages."""
    data = _load_yaml(text, source)
    if not isinstance(data, Mapping):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise SurveyDefinitionError(
            source, f"a survey file must be a mapping of fields (id, title, ...), found {found}"
        )
    data = dict(data)
    own_scales = data.pop("scales", None) or {}
    survey = _validate_model(data, source)
    library = _builtin_scales() if scale_library is None else scale_library
    try:
        _check_languages(survey.languages)
    except _Problem as problem:
        raise SurveyDefinitionError(source, problem.reason) from None
    own = parse_scales(own_scales, source=source, languages=survey.languages)
    scales = {**library, **own}
    try:
        _check_survey(survey, scales)
    except _Problem as problem:
        raise SurveyDefinitionError(source, problem.reason, question=problem.question) from None
    used = sorted({q.scale for q in survey.questions if q.scale is not None})
    pinned = {name: {lang: scales[name][lang] for lang in survey.languages} for name in used}
    # Validated again rather than `model_copy`, so a caller's library cannot slip in lists.
    loaded = Survey.model_validate({**survey.model_dump(), "scales": pinned})
    try:
        check_fits(loaded)
    except MessageTooLong as problem:
        raise SurveyDefinitionError(source, problem.reason, question=problem.question) from None
    return loaded


def load_survey_file(path: Path) -> Survey:
    """Load one survey file; errors name the file by its base name."""
    path = Path(path)
    return parse_survey(_read(path), source=path.name)


def builtin_survey_paths() -> list[Path]:
    """The built-in survey files, in name order (the scale library is not a survey)."""
    return sorted(p for p in BUILTIN_DIR.glob("*.yaml") if p.name != SCALE_LIBRARY_FILE)


@cache
def _builtin_surveys() -> tuple[Survey, ...]:
    return tuple(load_survey_file(p) for p in builtin_survey_paths())


def builtin_surveys() -> list[Survey]:
    """The built-in surveys, loaded once per process (they ship with the code)."""
    return list(_builtin_surveys())


def builtin_survey(survey_id: str) -> Survey:
    """One built-in survey by id; `KeyError` names the ids there are."""
    for survey in _builtin_surveys():
        if survey.id == survey_id:
            return survey
    known = ", ".join(s.id for s in _builtin_surveys())
    raise KeyError(f"no built-in survey {survey_id!r} (there are: {known})")


# ------------------------------------------------------------ pydantic errors


def _validate_model(data: dict[str, Any], source: str) -> Survey:
    try:
        return Survey.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        question, reason = _describe(error, data)
        raise SurveyDefinitionError(source, reason, question=question) from None


def _describe(error: Mapping[str, Any], data: Mapping[str, Any]) -> tuple[str | None, str]:
    """Turn one pydantic error into (question, reason) in the words of the YAML file."""
    loc = list(error["loc"])
    question: str | None = None
    prefix = ""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        raw = _item(data.get("questions"), loc[1])
        question = _name_of(raw, loc[1])
        loc = loc[2:]
        if len(loc) >= 2 and loc[0] == "options" and isinstance(loc[1], int):
            option = _item(raw.get("options") if isinstance(raw, Mapping) else None, loc[1])
            prefix = f"option {_name_of(option, loc[1])}: "
            loc = loc[2:]
    field = ".".join(str(part) for part in loc if part != "[key]")
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        reason = f"missing field '{field}'"
    elif kind == "extra_forbidden":
        reason = f"unknown field '{field}'"
    elif kind == "enum" and field == "type":
        named = "type is empty" if value is None else f"unknown type {value!r}"
        reason = f"{named} (use one of: {', '.join(t.value for t in QuestionType)})"
    elif kind == "literal_error" and field == "audience":
        reason = f"audience must be {', '.join(_AUDIENCES[:-1])} or {_AUDIENCES[-1]}, not {value!r}"
    elif "[key]" in loc:
        field = ".".join(str(part) for part in loc[: loc.index("[key]") - 1])
        reason = f"'{field}' has a key that is not text ({_yaml_word(value)}); put it in quotes"
    elif kind == "string_pattern_mismatch":
        reason = f"'{field}' {value!r} must be {_pattern_words(field, question is None)}"
    elif kind == "string_type":
        reason = f"'{field}' must be text, not {_yaml_word(value)}; put it in quotes"
    elif kind in {"dict_type", "model_type"} and not field:
        target = prefix.rstrip(": ") or "question"
        return question, f"{target} must be a mapping of fields, not {_yaml_word(value)}"
    elif kind in {"dict_type", "model_type"}:
        reason = f"'{field}' must be a mapping, not {_yaml_word(value)}"
        if field in {"title", "intro", "consent", "thanks", "text", "label"}:
            reason = f"'{field}' must map each language to its text, e.g. {{en: ..., es: ...}}"
    elif kind in {"tuple_type", "list_type"}:
        reason = f"'{field}' must be a list"
    elif kind in {"bool_type", "bool_parsing"}:
        reason = f"'{field}' must be true or false, not {_yaml_word(value)}"
    elif kind in {"float_type", "float_parsing", "int_type", "int_parsing"}:
        reason = f"'{field}' must be a number, not {_yaml_word(value)}"
    elif kind == "finite_number":
        reason = f"'{field}' must be a finite number, not {value!r}"
    elif kind in {"greater_than_equal", "less_than_equal"}:
        bound = ctx.get("ge", ctx.get("le"))
        side = "at least" if kind == "greater_than_equal" else "at most"
        reason = f"'{field}' must be {side} {bound}, not {value!r}"
    else:
        reason = f"'{field}': {error['msg']}" if field else str(error["msg"])
    return question, prefix + reason


def _item(items: Any, index: int) -> Any:
    if isinstance(items, list) and 0 <= index < len(items):
        return items[index]
    return None


def _name_of(item: Any, index: int) -> str:
    """An item's id if it has a usable one, else its position (#3) in the list."""
    if isinstance(item, Mapping):
        name = item.get("id")
        if isinstance(name, str) and name.strip():
            return name
    return f"#{index + 1}"


def _pattern_words(field: str, survey_level: bool) -> str:
    if field == "id" and survey_level:
        return "lowercase letters, digits and -, starting with a letter (at most 40)"
    if field == "id":
        return "lowercase letters, digits and _, starting with a letter (at most 16)"
    return "in the expected form"


def _yaml_word(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no" if value else "yes/no (false)"
    if value is None:
        return "empty"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return repr(value)


def _list(values: Sequence[str]) -> str:
    return ", ".join(values)


# ------------------------------------------------------------ semantic checks


def _check_languages(languages: Sequence[str]) -> None:
    if not languages:
        raise _Problem("languages is empty; list at least one, e.g. [en, es]")
    for language in languages:
        if not _LANGUAGE.match(language):
            raise _Problem(f"languages: {language!r} is not a language code like en or es")
        if len(language) > LANGUAGE_LIMIT:
            raise _Problem(
                f"languages: {language!r} is longer than {LANGUAGE_LIMIT} characters;"
                " use a shorter code like es-419"
            )
    if len(set(languages)) != len(languages):
        raise _Problem(f"languages lists a language twice ({_list(languages)})")


def _check_survey(survey: Survey, scales: Scales) -> None:
    languages = survey.languages
    version = survey.version
    if not version.strip() or len(version) > VERSION_LIMIT or _CONTROL.search(version):
        raise _Problem(f'version must be 1 to {VERSION_LIMIT} characters, e.g. "1.0"')
    _check_text(survey.title, languages, "title", limit=TITLE_LIMIT)
    for field in ("intro", "consent", "thanks"):
        _check_text(getattr(survey, field), languages, field)
    if not survey.questions:
        raise _Problem("the survey has no questions")

    mirrors: dict[str, str] = {}
    for index, question in enumerate(survey.questions):
        try:
            _check_question(question, index, survey.questions, languages, scales)
        except _Problem as problem:
            raise _Problem(problem.reason, question.id) from None
        if question.mirror is not None:
            other = mirrors.get(question.mirror)
            if other is not None:
                raise _Problem(
                    f"mirror '{question.mirror}' is also used by question {other}", question.id
                )
            mirrors[question.mirror] = question.id


def _check_text(
    text: Localized, languages: Sequence[str], where: str, *, limit: int = TEXT_LIMIT
) -> None:
    for language in text:
        if language not in languages:
            raise _Problem(
                f"{where} has language {language!r}, which is not in languages ({_list(languages)})"
            )
    for language in languages:
        if language not in text:
            raise _Problem(f"{where} is missing the {language!r} translation")
        if not text[language].strip():
            raise _Problem(f"{where} is empty in {language!r}")
        control = _CONTROL.search(text[language])
        if control is not None:
            raise _Problem(
                f"{where} in {language!r} holds the control character {control.group()!r};"
                " remove it"
            )
        length = len(text[language])
        if length > limit:
            raise _Problem(f"{where} has {length} characters in {language!r}; the limit is {limit}")


def _check_question(
    question: Question,
    index: int,
    questions: Sequence[Question],
    languages: Sequence[str],
    scales: Scales,
) -> None:
    if any(q.id == question.id for q in questions[:index]):
        raise _Problem("duplicate question id; each question needs its own id")
    if not _KEY.match(question.domain):
        raise _Problem(f"domain {question.domain!r} must be lowercase letters, digits and _")
    if question.mirror is not None and not _KEY.match(question.mirror):
        raise _Problem(f"mirror {question.mirror!r} must be lowercase letters, digits and _")
    _check_text(question.text, languages, "text")
    _check_type_fields(question)

    kind = question.type
    if kind is QuestionType.LIKERT:
        _check_scale(question, languages, scales)
    if kind in CHOICE_TYPES:
        _check_options(question, languages)
    low, high = question.min, question.max
    for name, bound in (("min", low), ("max", high)):
        if bound is not None and abs(bound) > NUMBER_LIMIT:
            raise _Problem(f"{name} ({bound:g}) is too large; the limit is {NUMBER_LIMIT:g}")
    if kind is QuestionType.NUMBER and low is not None and high is not None and low > high:
        raise _Problem(f"min ({question.min:g}) is greater than max ({question.max:g})")
    allowed = _answer_values(question)
    for favorable in question.favorable:
        if favorable not in allowed:
            raise _Problem(f"favorable names unknown option {favorable!r}")
    if question.show_if is not None:
        _check_show_if(question, index, questions)


def _check_type_fields(question: Question) -> None:
    defaults = Question.model_fields
    for field in sorted(question.model_fields_set):
        if field not in _TYPE_ONLY_FIELDS:
            continue
        types, words = _TYPE_ONLY_FIELDS[field]
        value = getattr(question, field)
        if question.type not in types and value != defaults[field].get_default():
            raise _Problem(f"'{field}' is only for {words} questions, not {question.type.value}")


def _check_scale(question: Question, languages: Sequence[str], scales: Scales) -> None:
    if question.scale is None:
        raise _Problem("likert question needs a scale, e.g. scale: how_well")
    if question.scale not in scales:
        raise _Problem(
            f"unknown scale {question.scale!r} (not in {SCALE_LIBRARY_FILE} or the survey's scales)"
        )
    labels = scales[question.scale]
    for language in languages:
        if language not in labels:
            raise _Problem(f"scale {question.scale!r} is missing the {language!r} labels")
        if len(labels[language]) != LIKERT_POINTS:
            raise _Problem(
                f"scale {question.scale!r} has {len(labels[language])} labels in {language!r},"
                f" needs {LIKERT_POINTS}"
            )


def _check_options(question: Question, languages: Sequence[str]) -> None:
    if len(question.options) < 2:
        raise _Problem(f"{question.type.value} question needs at least 2 options")
    seen: set[str] = set()
    for option in question.options:
        if option.id in seen:
            raise _Problem(f"duplicate option id {option.id!r}")
        seen.add(option.id)
        if question.other and option.id == OTHER_OPTION:
            raise _Problem(f"option id '{OTHER_OPTION}' is taken by other: true; rename the option")
        _check_text(option.label, languages, f"option {option.id} label")


def _answer_values(question: Question) -> tuple[str, ...]:
    """The stored values a question can have, for show_if and favorable checks."""
    kind = question.type
    if kind in CHOICE_TYPES:
        extra = (OTHER_OPTION,) if question.other else ()
        return (*(o.id for o in question.options), *extra)
    if kind is QuestionType.YES_NO:
        return YES_NO_VALUES
    if kind is QuestionType.LIKERT:
        return LIKERT_VALUES
    return ()


def _check_show_if(question: Question, index: int, questions: Sequence[Question]) -> None:
    assert question.show_if is not None
    ids = [q.id for q in questions]
    try:
        condition = parse_condition(question.show_if)
    except ConditionError as exc:
        raise _Problem(f"show_if: {exc}") from None
    for name in sorted(condition.names()):
        if name == question.id:
            raise _Problem("show_if names the question itself")
        if name not in ids:
            raise _Problem(f"show_if names unknown question {name!r}")
        if ids.index(name) > index:
            raise _Problem(f"show_if names question {name!r}, which comes later")
    for comparison in condition.comparisons():
        _check_comparison(comparison, questions[ids.index(comparison.name)])


def _check_comparison(comparison: Comparison, target: Question) -> None:
    """Catch comparisons that can never match, such as a misspelt option id."""
    ordered = comparison.op in {"<", "<=", ">", ">="}
    if ordered and target.type not in {QuestionType.NUMBER, QuestionType.LIKERT}:
        raise _Problem(
            f"show_if uses {comparison.op} on {comparison.name!r},"
            f" a {target.type.value} question; use it on number or likert questions"
        )
    if ordered or target.type is QuestionType.TEXT:
        return
    if target.type is QuestionType.NUMBER:
        for value in comparison.values:
            if not _PLAIN_NUMBER.match(value):
                raise _Problem(
                    f"show_if compares number question {comparison.name!r} with {value!r},"
                    " which is not a number"
                )
        return
    allowed = _answer_values(target)
    for value in comparison.values:
        if not any(value == a or _numeric_equal(value, a) for a in allowed):
            raise _Problem(
                f"show_if compares {comparison.name!r} with {value!r},"
                f" which is not one of its answers ({_list(allowed)})"
            )


def _numeric_equal(a: str, b: str) -> bool:
    return bool(_PLAIN_NUMBER.match(a) and _PLAIN_NUMBER.match(b)) and float(a) == float(b)
