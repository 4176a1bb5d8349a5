"""The organiser's staff pages (bibs, judges, links, people, boards' entries, isolation) stand on
the staff contest (tests/factory.py, seeded by the root conftest): `contest` is it, `organiser`
its organisation's org1, logged in, reading English."""
import pytest

from ..helpers import english, isolated_client, login


@pytest.fixture
def contest(staff):
    return staff


@pytest.fixture
def organiser(app, contest):
    client = english(isolated_client(app))
    login(client, "org1")
    return client
