"""The staff pages on the contest of tests/staff_setup.py: the contest, and its organiser
logged in."""
import pytest

from ..helpers import isolated_client, login
from ..staff_setup import english, staff_contest


@pytest.fixture
def contest(app):
    return staff_contest(app)


@pytest.fixture
def organiser(app, contest):
    """org1, logged in, reading English."""
    client = english(isolated_client(app))
    login(client, "org1")
    return client
