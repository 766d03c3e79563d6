"""The benchmarks fill the tables with raw SQL (bench/common.py's seed), naming every
column a row needs. A column added to a model without a database default breaks every
benchmark, and `make bench` is not part of `make test`: this seeds a few rows the same
way, so the suite says so."""

import pytest
from django.db import connection

from bench.common import seed
from candidates.models import Application, Candidate, Interview
from feedback.models import FeedbackRequest

pytestmark = [
    pytest.mark.django_db,
    # The benchmarks run on PostgreSQL only, and so does their seed's SQL (TRUNCATE, …).
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the benchmarks' seed is PostgreSQL's SQL"
    ),
]


def test_the_benchmarks_seed_writes_rows_the_models_read():
    seed(candidates=3, applications=4, interviews=5, recruiters=2, clients=2, positions=2)

    assert Candidate.objects.count() == 3
    assert Application.objects.count() == 4
    assert Interview.objects.count() == 5
    # Two requests (candidate and client) per interview, each readable with its people.
    requests = FeedbackRequest.objects.select_related("interview__application__candidate")
    assert sorted(r.party for r in requests) == ["candidate"] * 5 + ["client"] * 5
