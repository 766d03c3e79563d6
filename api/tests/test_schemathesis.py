"""The API against its own schema: schemathesis reads /api/schema/ from a live server
(with a real read-write key), generates requests for every operation from it, valid ones
and invalid ones, and sends them over HTTP. No answer may be a 5xx, and every answer must
match what the schema says.

Each operation gets its own Hypothesis run here (schemathesis' `from_fixture` does the
same as parametrized subtests, but relies on a pytest internal that pytest 9 dropped)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.factories import schedule_interview

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Enough to reach every field of every operation a few times; the whole run stays short.
EXAMPLES_PER_OPERATION = 10


def test_the_api_answers_every_request_as_its_schema_says(live_server, writer):
    # Rows for the reads and writes to meet (an application, an interview, its requests).
    schedule_interview()
    auth = {"Authorization": f"Bearer {writer.key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/", headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # every operation of /api/v1/ is in the schema

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def answers_as_the_schema_says(case):
                case.call_and_validate(headers=auth, checks=CHECKS)

            answers_as_the_schema_says()
