"""Shared fixtures. Replica fixtures: real `python -m replica serve` subprocesses on 127.0.0.1."""

from __future__ import annotations

import pytest

from replica.model import build_site
from replica.testing import running

REPLICA_ARTICLES = 300
REPLICA_SEED = 7


@pytest.fixture(scope="session")
def replica_arguments() -> dict:
    """The arguments of the `replica_url` server, for tests that start a twin of it."""
    return {"articles": REPLICA_ARTICLES, "seed": REPLICA_SEED}


@pytest.fixture(scope="session")
def replica_site():
    """The generated site the `replica_url` server serves (same arguments, so the same site)."""
    return build_site(REPLICA_ARTICLES, REPLICA_SEED)


@pytest.fixture(scope="session")
def replica_url():
    """Base URL (no trailing slash) of a replica: 300 articles, seed 7, classic theme, no faults."""
    with running(articles=REPLICA_ARTICLES, seed=REPLICA_SEED) as base:
        yield base


@pytest.fixture(scope="session")
def replica_truth(replica_site, replica_url):
    """Ground truth of the `replica_url` server, as the list `Site.truth()` returns."""
    return replica_site.truth(replica_url)
