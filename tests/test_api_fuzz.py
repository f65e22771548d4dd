"""Property-based fuzz of the OpenAPI schema (schemathesis, in-process): no input produces a 5xx.

Driven through Hypothesis directly (each operation's strategy), because schemathesis' pytest plugin
does not load under pytest 9.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from medrag_core.llm import make_verifier


def test_no_server_errors_on_any_operation(pg_settings, tiny_siglip_dir, store, tiny_embedder) -> None:
    app_settings = pg_settings.model_copy(update={"embed_model": str(tiny_siglip_dir), "llm_backend": "offline"})
    app = create_app(app_settings, store=store, embedder=tiny_embedder, verifier=make_verifier(app_settings))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/verify-report", "/health"}
    calls: list[tuple[str, int]] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_5xx(case) -> None:
            response = case.call()
            calls.append((case.path, response.status_code))
            assert response.status_code < 500, (case.path, response.status_code, response.text[:300])
            assert "Traceback" not in response.text

        no_5xx()

    assert len(calls) >= len(operations)
    assert any(status == 422 for path, status in calls if path == "/api/verify-report")
