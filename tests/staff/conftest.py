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


@pytest.fixture
def patches():
    """Every board patch the services publish during the test."""
    from competition.boards import results
    sent = []

    def keep(_sender, patch):
        sent.append(patch)

    results.board_changed.connect(keep)
    yield sent
    results.board_changed.disconnect(keep)
