"""The OpenAPI document of /api/v1 (DESIGN.md §4)."""

_ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


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
    mark_in = {
        "type": "object",
        "required": ["contest", "event", "entry", "criterion", "value", "client_id"],
        "properties": {
            "contest": {"type": "string"}, "event": {"type": "string"},
            "entry": {"type": "string", "description": "bib number"},
            "criterion": {"type": "string"},
            "value": {"type": "string", "description": "decimal as a string, e.g. \"2.5\""},
            "client_id": {"type": "string", "description": "a UUID made by the tablet; a retry sends the same one"},
            "reason": {"type": "string", "description": "required when correcting an existing mark"},
        },
    }
    mark_out = {
        "type": "object", "required": ["mark", "seq"],
        "properties": {
            "mark": {"type": "object", "properties": {
                "contest": {"type": "string"}, "event": {"type": "string"}, "entry": {"type": "string"},
                "criterion": {"type": "string"}, "judge": {"type": "string"}, "value": {"type": "string"},
                "revision": {"type": "integer"}, "client_id": {"type": "string"}}},
            "seq": {"type": "integer", "description": "the board's seq after this mark"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Gongjiang API", "version": "1",
                 "description": "Live scoring for union-run digital skills contests."},
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/contests/{contest}/events/{event}/board": {
                "get": {
                    "summary": "The board snapshot of one event",
                    "operationId": "getBoard",
                    "parameters": [
                        {"name": "contest", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "event", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"description": "The board", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Board"}}}},
                        "404": _error("No such contest or event"),
                    },
                },
            },
            "/api/v1/contests/{contest}/results": {
                "get": {
                    "summary": "The announced (公示) or official results of every announced event",
                    "operationId": "getResults",
                    "parameters": [
                        {"name": "contest", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"description": "The results", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Results"}}}},
                        "404": _error("No such contest, or no event announced yet"),
                    },
                },
            },
            "/api/v1/contests/{contest}/ledger": {
                "get": {
                    "summary": "The published contest's ledger as JSON lines (docs/ledger.md says how to check it)",
                    "operationId": "getLedger",
                    "parameters": [
                        {"name": "contest", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"description": "One entry per line: {seq, prev_hash, hash, entry}",
                                "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                        "404": _error("No such contest, or not published yet"),
                    },
                },
            },
            "/api/v1/certificates/{number}": {
                "get": {
                    "summary": "A certificate by its number: valid or revoked",
                    "operationId": "getCertificate",
                    "parameters": [
                        {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"description": "The certificate", "content": {"application/json": {"schema": {
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
                                "revoked_at": {"type": "string", "format": "date-time"}}}}}},
                        "404": _error("No certificate has this number"),
                    },
                },
            },
            "/api/v1/contests/{contest}/standings": {
                "get": {
                    "summary": "Delegation standings: delegations ranked by the sum of their best N entry totals",
                    "description": "Counts what the public boards show: a frozen board with its frozen rows. "
                                   "Live over Socket.IO: emit `watch_standings` {contest} on /live; `standings` "
                                   "events follow.",
                    "operationId": "getStandings",
                    "parameters": [
                        {"name": "contest", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"description": "The standings", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Standings"}}}},
                        "404": _error("No such contest"),
                    },
                },
            },
            "/api/v1/marks": {
                "post": {
                    "summary": "Submit one judge's mark",
                    "operationId": "postMark",
                    "security": [{"bearer": []}, {"session": [], "csrf": []}],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/MarkIn"}}}},
                    "responses": {
                        "201": {"description": "Stored", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/MarkOut"}}}},
                        "200": {"description": "The same client_id again: the first answer, nothing stored twice",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MarkOut"}}}},
                        "400": _error("Not a JSON object, or a missing CSRF header with a session"),
                        "401": _error("No or an invalid token or session"),
                        "403": _error("Not a judge of the contest (not_a_judge), not assigned to this entry and criterion (not_assigned), or a conflict of interest (conflict_of_interest)"),
                        "404": _error("No such contest, event, entry or criterion"),
                        "409": _error("The entry's marks are locked, marking is closed, or the client_id was used for another mark"),
                        "422": _error("Not a valid mark for this criterion (empty, not_a_number, negative, over_max, too_many_decimals, not_a_step), a correction without a reason (reason_required), or missing fields (invalid)"),
                        "429": _error("Too many requests"),
                    },
                },
            },
        },
        "components": {
            "schemas": {
                "Board": board, "BoardRow": row, "Results": results, "Standings": standings, "MarkIn": mark_in, "MarkOut": mark_out,
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "a judge's API token (flask --app wsgi judge-token USERNAME)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            },
        },
    }
