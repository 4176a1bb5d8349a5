"""The API keeps its contract: schemathesis reads the OpenAPI document of /api/v1 and sends every
operation valid and invalid requests, in process; every answer must be one the document
declares (its status, content type, headers and body), and none a server error.

The reads go to the sample contest once published (its board final, its results official, its
ledger out, its certificates issued); POST /api/v1/marks to the sample contest judging, with the
bearer token of judges who reach every answer past 401: k1 (assigned to T1 of S03, the
document's example: 201, the 200 of a replay, 409, 422), k6 (a conflict of interest on S04),
k9 (on no panel: 403) and no token (401)."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from competition.accounts.models import User
from competition.accounts.services import issue_token
from competition.api.openapi import document
from competition.certificates.models import Certificate
from competition.extensions import db
from competition.security import JSON_MAX_BYTES, JSON_MAX_DEPTH

from . import factory
from .helpers import IsolatedClient

OPENAPI = "/api/v1/openapi.json"
MARKS = "/api/v1/marks"

# A schema-valid mark may still be refused 422 for what no schema can say: the criterion's own
# rule (its max, its step) and a correction of an existing mark without a reason. So valid data
# expects the default statuses, and 422 with them.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]}}})
# The document as the module builds it (schemathesis' lazy fixture loader does not work with
# this pytest); test_the_app_serves_the_document_under_test checks the app serves this one.
schema = schemathesis.openapi.from_dict(document(), config=CONFIG)
reads = schema.exclude(path=MARKS)
marks = schema.include(path=MARKS)

# Bounded: the whole file in well under a minute on two cores. The function-scoped fixtures (the
# app and its database) are made once per operation and shared by its examples, on purpose.
BOUNDED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def call(case, app, headers=None, **kwargs):
    """The case sent in process (its probes too: some checks send requests of their own), each
    request afresh as IsolatedClient has it (an empty `g`, a new transaction), and checked."""
    IsolatedClient._fresh()
    case.operation.schema.app = case.operation.app = app
    return case.call_and_validate(headers=headers, **kwargs)


def test_the_app_serves_the_document_under_test(client):
    response = client.get(OPENAPI)
    assert response.status_code == 200
    assert response.get_json() == document()


@pytest.fixture
def published(app):
    return factory.published()


@reads.parametrize()
@BOUNDED
def test_every_read_answers_as_declared(case, app, published):
    call(case, app)


def test_a_certificate_answers_as_declared(app, published):
    numbers = db.session.scalars(select(Certificate.number)).all()
    assert numbers
    operation = schema["/api/v1/certificates/{number}"]["GET"]
    for number in (numbers[0], numbers[0].lower(), f" {numbers[-1]} "):
        assert call(operation.Case(path_parameters={"number": number}), app).status_code == 200


@pytest.fixture(params=["k1", "k6", "k9", None])
def bearer(request, sample) -> dict | None:
    if request.param is None:
        return None
    user = db.session.scalar(select(User).where(User.username == request.param))
    return {"Authorization": f"Bearer {issue_token(user, 'schemathesis')}"}


@marks.parametrize()
@BOUNDED
def test_every_mark_answers_as_declared(case, app, bearer):
    call(case, app, bearer)


# --- the limits schemathesis does not reach by itself: sent as cases, checked the same way ---------

MARK = {"contest": factory.SLUG, "event": "iot", "entry": "S03", "criterion": "T1", "value": "75"}


def mark_case(body, content_type="application/json"):
    return marks[MARKS]["POST"].Case(body=body, media_type=content_type)


def k1_bearer() -> dict:
    user = db.session.scalar(select(User).where(User.username == "k1"))
    return {"Authorization": f"Bearer {issue_token(user, 'schemathesis')}"}


def test_the_body_limits_answer_as_declared(app, sample):
    bearer = k1_bearer()
    too_large = {**MARK, "client_id": "c-large", "reason": "x" * JSON_MAX_BYTES}
    response = call(mark_case(too_large), app, bearer)
    assert (response.status_code, response.json()["error"]["code"]) == (413, "json_too_large")
    nested: list = []
    for _ in range(JSON_MAX_DEPTH - 1):  # in the body's own object: one deeper than allowed
        nested = [nested]
    deep = {**MARK, "client_id": "c-deep", "note": nested}
    response = call(mark_case(deep), app, bearer)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "json_too_deep")
    for body, content_type in (("[1, 2]", "application/json"), ({**MARK, "client_id": "c-text"}, "text/plain")):
        response = call(mark_case(body, content_type), app, bearer)
        assert (response.status_code, response.json()["error"]["code"]) == (400, "bad_json")


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "MARK_RATE_LIMIT": "3 per minute"}

    def test_the_rate_limit_answers_as_declared_with_retry_after(self, app, sample):
        bearer = k1_bearer()
        body = {**MARK, "client_id": "c-limit"}
        # Without the check that probes the same call with no and with a wrong token: its
        # requests would spend the very limit under test (the limit comes before the token).
        unprobed = {"excluded_checks": [schemathesis.checks.ignored_auth]}
        statuses = [call(mark_case(body), app, bearer, **unprobed).status_code for _ in range(3)]
        assert statuses == [201, 200, 200]
        response = call(mark_case(body), app, bearer, **unprobed)
        assert response.status_code == 429
        assert int(response.headers["retry-after"][0]) > 0  # (the check above: declared, an integer)
