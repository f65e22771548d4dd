"""Property-based fuzz of the OpenAPI schema (schemathesis, in-process) with every check schemathesis
has: no 5xx, documented status codes and content types, responses that match their schema, valid
data accepted and invalid data rejected, the error shape on every error.

Driven through Hypothesis directly (each operation's strategy, positive and negative), because
schemathesis' pytest plugin does not load under pytest 9. Positive data may still be refused with a
documented 4xx where the schema cannot say what is valid: a ``binary`` field cannot promise a
decodable X-ray, and a case id in the right format need not exist (see ``ACCEPTED``).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from medrag_core.llm import make_verifier

# Valid-by-schema requests the API may still refuse, and why: 404 (an id that is not in the archive),
# 422 (bytes that are no image; a report the checks cannot read, e.g. only whitespace or a NUL).
ACCEPTED = ["2xx", "401", "404", "422"]

KEY = "fuzz-api-key"
CONFIG = SchemathesisConfig.from_dict({
    "headers": {"X-API-Key": KEY},
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
})


def test_every_check_passes_on_every_operation(pg_settings, tiny_siglip_dir, store, tiny_embedder) -> None:
    load_all_checks()
    # With a key, as a deployment that keeps a history runs (the history routes need one).
    app_settings = pg_settings.model_copy(update={"embed_model": str(tiny_siglip_dir), "llm_backend": "offline",
                                                  "api_key": SecretStr(KEY)})
    app = create_app(app_settings, store=store, embedder=tiny_embedder, verifier=make_verifier(app_settings))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/verify-report", "/api/check-report", "/api/search", "/api/cases/{case_id}/similar", "/health",
    }
    all_checks = CHECKS.get_all()
    assert len(all_checks) >= 10
    # Without a PACS (none here; tests/test_api_pacs.py runs it on Orthanc) /api/verify-study can only
    # answer 503 pacs_not_configured, by contract: the two checks that forbid that are left out there alone.
    no_pacs_exempt = {"not_a_server_error", "positive_data_acceptance"}
    calls: list[tuple[str, str, int]] = []
    no_negative: list[str] = []

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def every_check(case) -> None:
                response = case.call()
                calls.append((case.path, case.meta.generation.mode.value if case.meta else "", response.status_code))
                checks = all_checks
                if case.path == "/api/verify-study":
                    checks = [check for check in all_checks if check.__name__ not in no_pacs_exempt]
                    if response.status_code >= 500:
                        assert response.json()["error"] == "pacs_not_configured", response.text[:300]
                case.validate_response(response, checks=checks)
                assert "Traceback" not in response.text

            try:
                every_check()
            except Unsatisfiable:
                # No input breaks the schema (no parameters, or only a free-form path string).
                assert mode == GenerationMode.NEGATIVE, operation.label
                no_negative.append(operation.path)

    assert not {"/api/verify-report", "/api/check-report", "/api/search"} & set(no_negative)
    assert {mode for _, mode, _ in calls} == {"positive", "negative"}
    assert any(status == 422 for path, _, status in calls if path == "/api/verify-report")
