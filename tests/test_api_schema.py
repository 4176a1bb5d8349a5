"""The API keeps its contract: schemathesis reads the OpenAPI document the app serves at
/api/v1/openapi.json and sends every operation valid and invalid requests, in process, against
the sample contest; every answer must be one the document declares (status, content type,
headers, body), and none a server error. POST /api/v1/marks goes with judge k1's bearer token,
so it gets past 401 to the marking itself (201, the 200 of a replay, 403, 404, 409, 422)."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from competition.accounts.models import User
from competition.accounts.services import issue_token
from competition.api.openapi import document
from competition.extensions import db

from .helpers import IsolatedClient

OPENAPI = "/api/v1/openapi.json"


@pytest.fixture
def judge_token(sample) -> str:
    """k1, chief judge of the sample's event iot, assigned to T1 of S03 (the document's example)."""
    return issue_token(db.session.scalar(select(User).where(User.username == "k1")), "schemathesis")


# The document as the module builds it (schemathesis' lazy fixture loader does not run on this
# pytest); the first test checks the app serves exactly this one.
schema = schemathesis.openapi.from_dict(document())


def test_the_app_serves_the_document_under_test(client):
    response = client.get(OPENAPI)
    assert response.status_code == 200
    assert response.get_json() == document()


# Bounded: the whole file in well under a minute on two cores. The function-scoped fixtures (the
# app and its database) are made once per operation and shared by its examples, on purpose.
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_answer_is_one_the_document_declares(case, app, judge_token):
    # As the IsolatedClient does: each request starts afresh (an empty `g`, a new transaction).
    IsolatedClient._fresh()
    headers = {"Authorization": f"Bearer {judge_token}"} if case.operation.path == "/api/v1/marks" else None
    case.call_and_validate(headers=headers, app=app)
