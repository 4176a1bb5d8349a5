"""Login links are rate-limited per address (LOGIN_ADDRESS_RATE_LIMIT, high enough for a hall of
tablets behind one NAT): a flood of guesses gets 429."""
import pytest

from .helpers import isolated_client


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "LOGIN_ADDRESS_RATE_LIMIT": "3 per minute"}


def test_guessing_links_is_rate_limited(app):
    client = isolated_client(app)
    answers = [client.get(f"/login/link/guess{i}").status_code for i in range(5)]
    assert answers[:3] == [404, 404, 404]
    assert answers[3:] == [429, 429]
