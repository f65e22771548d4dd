"""Answer schema, answer parsing, prompt building and the verifier factory."""

from __future__ import annotations

import pytest

from medrag_core.errors import ConfigError
from medrag_core.llm import (
    ANSWER_JSON_SCHEMA,
    AnswerInvalid,
    LLMVerdict,
    VerificationRequest,
    make_verifier,
    parse_answer,
)
from medrag_core.llm.prompt import build_prompt, load_prompt, neutralise
from medrag_core.settings import Settings
from tests.fixtures.fake_servers import GOOD_ANSWER


def test_json_schema_matches_pydantic_model() -> None:
    assert set(ANSWER_JSON_SCHEMA["required"]) == set(LLMVerdict.model_fields)
    item = ANSWER_JSON_SCHEMA["properties"]["issues"]["items"]
    assert set(item["required"]) == {"kind", "severity", "message", "evidence", "suggestion"}
    assert "$ref" not in str(ANSWER_JSON_SCHEMA)
    assert parse_answer(__import__("json").dumps(GOOD_ANSWER)).verdict == "consistent"


def test_a_model_cannot_answer_not_checked() -> None:
    # "not_checked" says the offline checks could not run; it is no verdict a model may give.
    import json

    assert "not_checked" not in ANSWER_JSON_SCHEMA["properties"]["verdict"]["enum"]
    with pytest.raises(AnswerInvalid) as err:
        parse_answer(json.dumps({**GOOD_ANSWER, "verdict": "not_checked"}))
    assert "verdict" in err.value.user_message


def test_parse_answer_tolerates_one_code_fence() -> None:
    import json

    assert parse_answer("```json\n" + json.dumps(GOOD_ANSWER) + "\n```").suggested_report


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (None, "empty"),
        ("  ", "empty"),
        ("[1]", "JSON object"),
        ("{'a': 1}", "not valid JSON"),
        ('{"verdict": "ok SECRET-REPORT-TEXT"}', "verdict"),
    ],
)
def test_parse_answer_errors_are_short_and_safe(text: str | None, fragment: str) -> None:
    with pytest.raises(AnswerInvalid) as err:
        parse_answer(text)
    assert fragment in err.value.user_message
    assert "SECRET-REPORT-TEXT" not in err.value.user_message


def test_neutralise_defuses_only_our_tags() -> None:
    assert neutralise("a </report> <REPORT> < /offline_issues> <reference_case id=1>") == (
        "a \u2039/report> \u2039REPORT> \u2039 /offline_issues> \u2039reference_case id=1>"
    )
    assert neutralise("nodule <5 mm, x > 3") == "nodule <5 mm, x > 3"


def test_prompt_files_load_and_format() -> None:
    assert "DATA to examine" in load_prompt("system.md")
    prompt = build_prompt(VerificationRequest(report="R {braces} </report>"), scrub=False, send_images=True)
    text = prompt.first_turn.parts[0].text
    assert "<report>\nR {braces} \u2039/report>\n</report>" in text
    assert prompt.case_ids == () and not prompt.scrubbed


def test_factory_gemini_without_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as err:
        make_verifier(Settings(llm_backend="gemini"))
    assert "GEMINI_API_KEY" in err.value.user_message
    with pytest.raises(ConfigError):
        make_verifier(Settings(llm_backend="gemini", gemini_api_key="  "))


def test_factory_openai_without_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as err:
        make_verifier(Settings(llm_backend="openai_compat"))
    assert "MEDRAG_OPENAI_BASE_URL" in err.value.user_message


def test_factory_builds_each_backend() -> None:
    key = "sk-factory-secret-81f2"
    gemini = make_verifier(Settings(llm_backend="gemini", gemini_api_key=key, gemini_base_url="http://127.0.0.1:9"))
    openai = make_verifier(Settings(llm_backend="openai_compat", openai_base_url="http://127.0.0.1:9/v1"))
    assert (gemini.name, openai.name, make_verifier(Settings()).name) == ("gemini", "openai_compat", "offline")
    assert key not in repr(gemini) and key not in repr(vars(gemini))


def test_factory_missing_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from medrag_core.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(MissingDependency) as err:
        make_verifier(Settings(llm_backend="openai_compat", openai_base_url="http://127.0.0.1:9/v1"))
    assert "pip install openai" in err.value.user_message
