"""The runner against its own OpenAPI schema: schemathesis generates requests from ``/openapi.json`` and sends them
to a runner with compute on 127.0.0.1; no answer is an undocumented 5xx, and every answer conforms to the schema
(status code, media type, headers, body). Bounded: a fixed number of examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

pytestmark = [pytest.mark.slow, pytest.mark.ray]

# Examples per operation (10 operations): about a minute on a 2-core machine.
MAX_EXAMPLES = 100
# The 5xx a request may get and what they mean (each documented): this runner has no viewer bundle (503), a
# generated timeout shorter than the task (504). A 500 or a 502 is always a failure.
EXPECTED_5XX = {503: ("/f", "/viewer"), 504: ("/api",)}


def test_every_answer_is_documented_in_the_schema(compute_runner):
    # schemathesis's own pytest plugin does not run under pytest 9; its strategies are driven here instead
    schema = schemathesis.openapi.from_url(f"{compute_runner.url}/openapi.json")
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case) -> None:
            # short waits: a generated calculation that happens to be valid must not hold the run up
            if case.query and "wait" in case.query:
                case.query["wait"] = min(float(case.query["wait"]), 1.0)
            # Every answer, 5xx included, must be documented (status_code_conformance); which 5xx is checked below.
            # A request valid for the schema may still be refused: each task's input is checked by its handler.
            response = case.call_and_validate(
                timeout=30, excluded_checks=[not_a_server_error, positive_data_acceptance]
            )
            if response.status_code >= 500:
                allowed = EXPECTED_5XX.get(response.status_code, ())
                assert case.path.startswith(allowed), f"{response.status_code} for {case.method} {case.path}"

        try:
            check()
        except Exception as error:  # every operation is checked; the failures are reported together
            failures.append(f"{operation.label}: {type(error).__name__}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
