"""What the registration tests stand on: a contest open for registration, its organiser logged
in, and uploads kept in the test's own folder."""
import pytest

from ..factory import make_contest, make_organiser
from ..helpers import login


@pytest.fixture
def app_config(tmp_path):
    """Uploads waiting for confirmation go to the test's own folder, not the instance folder."""
    return {"IMPORT_FOLDER": str(tmp_path / "imports")}


@pytest.fixture
def reg_contest(app):
    """A contest open for registration (tests/factory.py)."""
    return make_contest()


@pytest.fixture
def org_client(app, client, reg_contest):
    make_organiser("org1")
    login(client, "org1")
    return client
