"""The OpenAPI document of /api/v1 (DESIGN.md §4): every operation with every status it can
answer, every limit the app holds a request to, and the error body of each status."""
from ..marking.services import CLIENT_ID_MAX
from ..security import JSON_MAX_BYTES, JSON_MAX_DEPTH
from ..text import REASON_MAX

_ERROR = {"$ref": "#/components/schemas/Error"}

# Error codes by status, as the handlers in competition/errors.py and the services answer them.
NOT_FOUND = ["not_found"]


def _error(description: str, codes: list[str] | None = None, headers: dict | None = None) -> dict:
    """An error answer: {"error": {"code", "message", …}}; `codes`, when given, are all the
    codes this status comes with here."""
    schema = _ERROR if codes is None else {"allOf": [_ERROR, {"properties": {"error": {
        "properties": {"code": {"type": "string", "enum": codes}}}}}]}
    out = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _seconds_header(description: str) -> dict:
    return {"description": description, "required": True, "schema": {"type": "integer", "minimum": 0}}


# Answers every operation can give.
_METHOD_NOT_ALLOWED = _error(
    "Another method than the path's own (HEAD and OPTIONS aside); Allow lists the methods it takes",
    ["method_not_allowed"],
    {"Allow": {"description": "the methods the path takes, e.g. \"GET, HEAD, OPTIONS\"", "required": True,
               "schema": {"type": "string"}}})
_UNAVAILABLE = _error(
    "The database is unreachable (down, restarting, failing over): try again after Retry-After seconds",
    ["unavailable"], {"Retry-After": _seconds_header("seconds to wait before trying again")})
_NO_STORE = {"Cache-Control": {"description": "never kept by a browser or a proxy", "required": True,
                               "schema": {"type": "string", "const": "no-store"}}}


def _json(description: str, schema: dict, headers: dict | None = None) -> dict:
    out = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _common(responses: dict) -> dict:
    return {**responses, "405": _METHOD_NOT_ALLOWED, "503": _UNAVAILABLE}


# Path parameters, as the app reads them: any other value is answered 404 (never 400).
_CONTEST = {"name": "contest", "in": "path", "required": True, "example": "sample-2026",
            "description": "the contest's slug: 2 to 64 of a-z, 0-9 and -; any other value is answered 404",
            "schema": {"type": "string", "pattern": "^[a-z0-9-]{2,64}$"}}
_EVENT = {"name": "event", "in": "path", "required": True, "example": "iot",
          "description": "the event's code (at most 32 characters); an unknown one is answered 404",
          "schema": {"type": "string", "minLength": 1, "maxLength": 32}}
_NUMBER = {"name": "number", "in": "path", "required": True, "example": "GJ2026-23456789AB",
           "description": "a certificate number, GJ, the year, - and 10 of 23456789ABCDEFGHJKMNPQRSTUVWXYZ; "
                          "read without surrounding spaces and in upper case. Any other value is answered 404",
           "schema": {"type": "string", "pattern": "^GJ[0-9]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$"}}


def document() -> dict:
    row = {
        "type": "object",
        "required": ["entry", "name", "delegation", "rank", "total", "sections", "progress", "status", "award"],
        "properties": {
            "entry": {"type": "string", "description": "bib number (参赛号)"},
            "name": {"type": ["string", "null"], "description": "display name; null while names are hidden"},
            "delegation": {"type": ["string", "null"]},
            "rank": {"type": ["integer", "null"], "description": "standard competition rank; null before any mark"},
            "total": {"type": ["string", "null"], "description": "decimal as a string, e.g. \"87.50\""},
            "sections": {"type": "object", "additionalProperties": {"type": "string"}},
            "progress": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
                         "description": "[marks given, marks expected]"},
            "status": {"type": "string", "enum": ["provisional", "final"]},
            "award": {"type": ["string", "null"],
                      "description": "null until the event is signed off (DESIGN.md §3): an award is decided "
                                     "only then"},
            "provisional_award": {"type": "string",
                                  "description": "the jury's view only (organisers, chief judges), while the "
                                                 "event is not signed off: the award the ranks give now, "
                                                 "not decided"},
            "range": {"type": ["array", "null"], "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
                      "description": "the jury's view only: [best, worst], the ranks the entry can still "
                                     "finish with while marks are missing (every missing mark at the "
                                     "criterion's maximum, or at 0); null once its rank is settled"},
        },
    }
    result_status = {"type": "string", "enum": ["live", "signed_off", "announced", "protested", "official"],
                     "description": "the event's result status (DESIGN.md §2)"}
    board = {
        "type": "object",
        "required": ["contest", "event", "seq", "frozen", "result_status", "columns", "rows"],
        "properties": {
            "contest": {"type": "string"}, "event": {"type": "string"},
            "seq": {"type": "integer", "description": "rises by one with every change of the board"},
            "frozen": {"type": "boolean"},
            "result_status": result_status,
            "columns": {"type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "max": {"type": "string"}}}},
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/BoardRow"},
                     "description": "in rank order, unranked entries last"},
            "view": {"type": "string", "enum": ["public", "jury"],
                     "description": "jury: the live board, which organisers and the event's chief judges keep "
                                    "while it is frozen; public: what everybody else sees (seq and rows of the "
                                    "frozen board while frozen)"},
            "revealed": {"type": "integer", "description": "rows revealed from the bottom while frozen, else 0"},
        },
    }
    results = {
        "type": "object",
        "required": ["contest", "status", "objections_until", "ledger_head", "events"],
        "properties": {
            "contest": {"type": "string"},
            "status": {"type": "string", "enum": ["announced", "official"]},
            "objections_until": {"type": ["string", "null"], "format": "date-time",
                                 "description": "end of the objection window, ISO 8601 with the contest's offset"},
            "ledger_head": {"type": ["string", "null"], "description": "the ledger's head hash, once there is one"},
            "events": {"type": "array", "items": {"type": "object", "required": ["event", "name", "result_status", "rows"],
                                                  "properties": {
                                                      "event": {"type": "string"}, "name": {"type": "string"},
                                                      "result_status": result_status,
                                                      "rows": {"type": "array", "items": {
                                                          "$ref": "#/components/schemas/BoardRow"}}}}},
        },
    }
    announcement = {
        "type": "object",
        "required": ["contest", "announcement"],
        "properties": {
            "contest": {"type": "string"},
            "announcement": {"type": ["object", "null"], "required": ["id", "text", "at"], "properties": {
                "id": {"type": "integer"}, "text": {"type": "string", "maxLength": 200},
                "at": {"type": "string", "format": "date-time", "description": "ISO 8601 with the contest's offset"}}},
        },
    }
    standings = {
        "type": "object",
        "required": ["contest", "seq", "best_n", "hidden", "rows"],
        "properties": {
            "contest": {"type": "string"},
            "seq": {"type": "integer", "description": "rises whenever the public boards change; a later "
                                                      "state never has a smaller seq"},
            "best_n": {"type": "integer", "description": "how many of a delegation's best entry totals count"},
            "hidden": {"type": "boolean", "description": "true (and no rows) while the contest hides names"},
            "awards": {"type": "array", "items": {"type": "string"}, "description": "award names, best first"},
            "result_status": {"type": "object", "additionalProperties": result_status,
                              "description": "each event's result status: awards count only from events "
                                             "signed off or later"},
            "rows": {"type": "array", "description": "ranked delegations, then those with nothing scored",
                     "items": {"type": "object",
                               "required": ["rank", "delegation", "total", "counted", "entries"],
                               "properties": {
                                   "rank": {"type": ["integer", "null"],
                                            "description": "standard competition rank (ties share it)"},
                                   "delegation": {"type": "string"},
                                   "total": {"type": ["string", "null"],
                                             "description": "sum of the counted totals, a decimal as a string"},
                                   "counted": {"type": "integer", "description": "entries whose totals count"},
                                   "entries": {"type": "integer", "description": "the delegation's entries"},
                                   "awards": {"type": "object", "additionalProperties": {"type": "integer"},
                                              "description": "award name -> entries holding it"},
                                   "best": {"type": "array", "items": {"type": "object", "properties": {
                                       "event": {"type": "string"}, "entry": {"type": "string"},
                                       "total": {"type": "string"}}}},
                               }}},
        },
    }
    # The API reads a whole number where it takes text (a bib 101, a value 7) as its decimal text.
    text_or_number = {"type": ["string", "integer"]}
    mark_in = {
        "type": "object",
        "required": ["contest", "event", "entry", "criterion", "value", "client_id"],
        "description": f"At most {JSON_MAX_BYTES} bytes of JSON (else 413 json_too_large), nested at most "
                       f"{JSON_MAX_DEPTH} deep (else 400 json_too_deep). Other members are ignored.",
        "properties": {
            "contest": {**text_or_number, "description": "the contest's slug"},
            "event": {**text_or_number, "description": "the event's code"},
            "entry": {**text_or_number, "description": "bib number"},
            "criterion": {**text_or_number, "description": "the criterion's code"},
            "value": {**text_or_number,
                      "description": "decimal as a string, e.g. \"2.5\", or a whole number (a float is refused: "
                                     "it has lost the decimal the judge typed); the criterion's rule decides "
                                     "which values are marks (else 422)"},
            "client_id": {
                "description": f"a UUID made by the tablet; a retry sends the same one. 1 to {CLIENT_ID_MAX} "
                               f"characters once surrounding whitespace is stripped (else 422 invalid_client_id); "
                               f"a whole number is read as its decimal text",
                "oneOf": [
                    {"type": "string",
                     "pattern": f"^\\s*\\S(?:[\\s\\S]{{0,{CLIENT_ID_MAX - 2}}}\\S)?\\s*$"},
                    {"type": "integer", "minimum": -(10 ** (CLIENT_ID_MAX - 1) - 1),
                     "maximum": 10 ** CLIENT_ID_MAX - 1},
                ]},
            # No maxLength: the bound holds once bidirectional controls and surrounding whitespace
            # are taken out, which no JSON Schema keyword says.
            "reason": {"type": ["string", "null"],
                       "description": f"required when correcting an existing mark (else 422 reason_required); "
                                      f"null is no reason. At most {REASON_MAX} characters once bidirectional "
                                      f"controls and surrounding whitespace are taken out (else 422 too_long)"},
        },
        "example": {"contest": "sample-2026", "event": "iot", "entry": "S03", "criterion": "T1", "value": "75",
                    "client_id": "0f8fad5b-d9cb-469f-a165-70867728950e"},
    }
    mark_out = {
        "type": "object", "required": ["mark", "seq"],
        "properties": {
            "mark": {"type": "object",
                     "required": ["contest", "event", "entry", "criterion", "judge", "value", "revision",
                                  "client_id"],
                     "properties": {
                         "contest": {"type": "string"}, "event": {"type": "string"}, "entry": {"type": "string"},
                         "criterion": {"type": "string"}, "judge": {"type": "string"}, "value": {"type": "string"},
                         "revision": {"type": "integer", "minimum": 1},
                         "client_id": {"type": "string", "minLength": 1, "maxLength": CLIENT_ID_MAX}}},
            "seq": {"type": "integer", "description": "the board's seq after this mark"},
        },
    }
    rate_headers = {name: {"description": description, "schema": {"type": "integer", "minimum": 0}}
                    for name, description in (
                        ("X-RateLimit-Limit", "requests the rate limit lets through in its window"),
                        ("X-RateLimit-Remaining", "requests left in the window"),
                        ("X-RateLimit-Reset", "when the window ends (Unix time)"))}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Gongjiang API", "version": "1",
                 "description": "Live scoring for union-run digital skills contests. Every error is "
                                "{\"error\": {\"code\", \"message\", …}} with the status given here."},
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "getOpenApi",
                    "responses": _common({
                        "200": _json("The OpenAPI document", {"type": "object", "required": ["openapi", "paths"]}),
                    }),
                },
            },
            "/api/v1/contests/{contest}/events/{event}/board": {
                "get": {
                    "summary": "The board snapshot of one event",
                    "operationId": "getBoard",
                    "parameters": [_CONTEST, _EVENT],
                    "responses": _common({
                        "200": _json("The board", {"$ref": "#/components/schemas/Board"}, _NO_STORE),
                        "404": _error("No such contest or event (or a contest the caller may not see)", NOT_FOUND),
                    }),
                },
            },
            "/api/v1/contests/{contest}/results": {
                "get": {
                    "summary": "The announced (公示) or official results of every announced event",
                    "operationId": "getResults",
                    "parameters": [_CONTEST],
                    "responses": _common({
                        "200": _json("The results", {"$ref": "#/components/schemas/Results"}, _NO_STORE),
                        "404": _error("No such contest, or no event announced yet", NOT_FOUND),
                    }),
                },
            },
            "/api/v1/contests/{contest}/ledger": {
                "get": {
                    "summary": "The published contest's ledger as JSON lines (docs/ledger.md says how to check it)",
                    "operationId": "getLedger",
                    "parameters": [_CONTEST],
                    "responses": _common({
                        "200": {"description": "One entry per line: {seq, prev_hash, hash, entry}",
                                "headers": {**_NO_STORE, "Content-Disposition": {
                                    "description": "attachment; filename=<contest>-ledger.jsonl", "required": True,
                                    "schema": {"type": "string"}}},
                                "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                        "404": _error("No such contest, or not published yet", NOT_FOUND),
                    }),
                },
            },
            "/api/v1/certificates/{number}": {
                "get": {
                    "summary": "A certificate by its number: valid or revoked",
                    "operationId": "getCertificate",
                    "parameters": [_NUMBER],
                    "responses": _common({
                        "200": _json("The certificate", {
                            "type": "object",
                            "required": ["number", "contest", "event", "name", "delegation", "award", "rank", "total",
                                         "status", "issued_at"],
                            "properties": {
                                "number": {"type": "string"}, "contest": {"type": "string"},
                                "event": {"type": "string"}, "name": {"type": "string"},
                                "delegation": {"type": ["string", "null"]}, "award": {"type": "string"},
                                "rank": {"type": "integer"}, "total": {"type": "string"},
                                "status": {"type": "string", "enum": ["valid", "revoked"]},
                                "issued_at": {"type": "string", "format": "date-time"},
                                "revoked_at": {"type": "string", "format": "date-time",
                                               "description": "only when revoked"}}}, _NO_STORE),
                        "404": _error("No certificate has this number", NOT_FOUND),
                    }),
                },
            },
            "/api/v1/contests/{contest}/standings": {
                "get": {
                    "summary": "Delegation standings: delegations ranked by the sum of their best N entry totals",
                    "description": "Counts what the public boards show: a frozen board with its frozen rows. "
                                   "Live over Socket.IO: emit `watch_standings` {contest} on /live; `standings` "
                                   "events follow.",
                    "operationId": "getStandings",
                    "parameters": [_CONTEST],
                    "responses": _common({
                        "200": _json("The standings", {"$ref": "#/components/schemas/Standings"}, _NO_STORE),
                        "404": _error("No such contest (or one the caller may not see)", NOT_FOUND),
                    }),
                },
            },
            "/api/v1/contests/{contest}/announcement": {
                "get": {
                    "summary": "The contest's current announcement, or null once it is cleared",
                    "description": "Live over Socket.IO: every client watching the contest (a board, the "
                                   "standings, a screen, or `watch_announcements` {contest}) gets `announcement` "
                                   "events of this shape.",
                    "operationId": "getAnnouncement",
                    "parameters": [_CONTEST],
                    "responses": _common({
                        "200": _json("The announcement", {"$ref": "#/components/schemas/Announcement"}, _NO_STORE),
                        "404": _error("No such contest (or one the caller may not see)", NOT_FOUND),
                    }),
                },
            },
            "/api/v1/marks": {
                "post": {
                    "summary": "Submit one judge's mark",
                    "description": f"Rate limited per client address (MARK_RATE_LIMIT, by default 600 per minute). "
                                   f"The body: JSON (Content-Type application/json), at most {JSON_MAX_BYTES} bytes, "
                                   f"nested at most {JSON_MAX_DEPTH} deep. A session client sends its CSRF token "
                                   f"in X-CSRFToken.",
                    "operationId": "postMark",
                    "security": [{"bearer": []}, {"session": [], "csrf": []}],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/MarkIn"}}}},
                    "responses": _common({
                        "201": _json("Stored", {"$ref": "#/components/schemas/MarkOut"}, rate_headers),
                        "200": _json("The same client_id again: the first answer, nothing stored twice",
                                     {"$ref": "#/components/schemas/MarkOut"}, rate_headers),
                        "400": _error(f"Not a JSON object, or not sent as application/json (bad_json); nested deeper "
                                      f"than {JSON_MAX_DEPTH} (json_too_deep); a session without its CSRF header "
                                      f"(csrf_failed); a request that cannot be read (bad_request)",
                                      ["bad_json", "json_too_deep", "csrf_failed", "bad_request"]),
                        "401": _error("No token or session (unauthorized), or a token that is unknown, revoked or "
                                      "not a bearer token (invalid_token)", ["unauthorized", "invalid_token"]),
                        "403": _error("Not a judge of the contest (not_a_judge), a supervisor (supervisor_never_marks), "
                                      "not assigned to this entry and criterion (not_assigned), or a conflict of "
                                      "interest (conflict_of_interest)",
                                      ["not_a_judge", "supervisor_never_marks", "not_assigned",
                                       "conflict_of_interest"]),
                        "404": _error("No such contest, event, entry (approved) or criterion", NOT_FOUND),
                        "409": _error("Marking is closed (not_judging), the entry's marks are locked (locked), the "
                                      "scheme cannot be scored as it stands (scheme_not_scorable), a mark not "
                                      "reopened after judging (not_reopened), or the client_id was used for another "
                                      "mark (client_id_reused)",
                                      ["not_judging", "locked", "scheme_not_scorable", "not_reopened",
                                       "client_id_reused"]),
                        "413": _error(f"A body larger than {JSON_MAX_BYTES} bytes (json_too_large; larger than the "
                                      f"server's MAX_CONTENT_LENGTH without a Content-Length: too_large)",
                                      ["json_too_large", "too_large"]),
                        "422": _error("Missing or mistyped fields (invalid, with `fields`), a client_id not of 1 to "
                                      f"{CLIENT_ID_MAX} characters (invalid_client_id), not a valid mark for this "
                                      "criterion (empty, choose_mark, not_a_number, negative, over_max, "
                                      "too_many_decimals, not_a_step, not_a_whole_mark; `field` is value), or a "
                                      "correction without a reason (reason_required) or with one over "
                                      f"{REASON_MAX} characters (too_long; `field` is reason)",
                                      ["invalid", "invalid_client_id", "empty", "choose_mark", "not_a_number",
                                       "negative", "over_max", "too_many_decimals", "not_a_step", "not_a_whole_mark",
                                       "reason_required", "too_long"]),
                        "429": _error("Too many requests from this address: try again after Retry-After seconds "
                                      "(also in `retry_after`)", ["rate_limited"],
                                      {"Retry-After": _seconds_header("seconds until the limit lets a request "
                                                                      "through again")}),
                    }),
                },
            },
        },
        "components": {
            "schemas": {
                "Board": board, "BoardRow": row, "Results": results, "Standings": standings, "Announcement": announcement, "MarkIn": mark_in, "MarkOut": mark_out,
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "description": "a machine word; each status lists its own"},
                        "message": {"type": "string", "description": "in the reader's language"},
                        "field": {"type": "string", "description": "the body's member the refusal is about"},
                        "fields": {"type": "array", "items": {"type": "string"},
                                   "description": "422 invalid: the members missing or of the wrong type"},
                        "retry_after": {"type": "integer", "minimum": 0,
                                        "description": "429: seconds until the limit lets a request through"},
                    }}}},
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "a judge's API token (flask --app wsgi judge-token USERNAME)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            },
        },
    }
