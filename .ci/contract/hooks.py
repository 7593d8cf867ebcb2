"""Schemathesis extensions for both runs of .ci/contract/run.

For the run without a token, the check `protected_route_answers_401`:
with no credentials at all,

- an operation whose OpenAPI `security` demands the bearer token (no `{}`
  alternative) must answer 401, as problem+json, with
  `WWW-Authenticate: Bearer` (SPEC "Accounts and access");
- an operation whose token is optional (`{}` among the alternatives, e.g.
  the catalog reads) must not answer 401: anyone may call it. (Public
  operations without `security` may: sign-in answers 401 to a wrong
  password, and that is no authentication of the caller.)

Schemathesis' own `ignored_auth` check needs a valid token to compare with,
so it is what the run *with* a token uses; this check covers the run
without one, on every case of every phase.

For the run with a token, the auth provider `CoachToken` sends the
coach's token, but `DELETE /v1/tokens/current` (sign out) revokes the
token it is sent with, so that operation gets the token of a new account
for every case; the shared one would otherwise be revoked early
in the run and leave every later case at 401. (An `[auth.openapi]`
section in the config would take precedence over any hook provider, so
the token is set here instead.)
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import urllib.request

import schemathesis
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation

# Every date and time the API takes lies in 1900-01-01..=2200-12-31; the
# document says so with a pattern on the year (JSON Schema has no range
# for formatted strings). Drawn from all of 0001-9999 and filtered by that
# pattern, three in a hundred dates would pass and hypothesis would give
# up on the operation; these draw them in the range.
_FIRST_DAY, _LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2200, 12, 31)
schemathesis.openapi.format("date", st.dates(_FIRST_DAY, _LAST_DAY).map(datetime.date.isoformat))
schemathesis.openapi.format(
    "date-time",
    st.datetimes(
        datetime.datetime.combine(_FIRST_DAY, datetime.time.min),
        datetime.datetime.combine(_LAST_DAY, datetime.time.max),
        timezones=st.just(datetime.timezone.utc),
    ).map(lambda moment: moment.isoformat()),
)


def _security(case: schemathesis.Case) -> list[dict]:
    operation = case.operation.definition.raw
    schema = case.operation.schema.raw_schema
    return operation.get("security", schema.get("security", []))


def _requires_token(case: schemathesis.Case) -> bool:
    requirements = _security(case)
    # An empty requirement object means "no credentials needed".
    return bool(requirements) and all(requirement for requirement in requirements)


def _header(response: schemathesis.Response, name: str) -> str:
    values = response.headers.get(name.lower()) or []
    return values[0] if values else ""


@schemathesis.check
def protected_route_answers_401(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    # A path parameter of the wrong shape may route the request to no
    # operation at all (404 before any handler runs), and a method the
    # operation does not have (the coverage phase tries TRACE and others)
    # is answered 405 by the router: neither says anything about this
    # operation's authentication.
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return None
    if case.method.upper() != case.operation.method.upper():
        return None
    if _requires_token(case):
        if response.status_code != 401:
            raise AssertionError(
                f"{case.method} {case.path} needs a token but answered "
                f"{response.status_code} to a request without one (expected 401)"
            )
        challenge = _header(response, "WWW-Authenticate")
        if not challenge.lower().startswith("bearer"):
            raise AssertionError(
                f"{case.method} {case.path} answered 401 without "
                f"`WWW-Authenticate: Bearer` (got {challenge!r})"
            )
        content_type = _header(response, "Content-Type")
        if not content_type.startswith("application/problem+json"):
            raise AssertionError(
                f"{case.method} {case.path} answered 401 as {content_type!r}, "
                "not application/problem+json"
            )
    elif _security(case) and response.status_code == 401:
        raise AssertionError(
            f"{case.method} {case.path} is open to anyone but answered 401 "
            "to a request without a token"
        )
    return None


# The run with a token sets these (harness.py); the run without one does not.
_TOKEN = os.environ.get("RUNSTRONG_CONTRACT_TOKEN")


def _fresh_token() -> str:
    """The token of a new coach account, from POST /v1/accounts.

    Not a new sign-in of the run's account: the fuzzing of POST /v1/tokens
    may draw that account's email from earlier answers and, with wrong
    passwords, lock it out (429), as it should."""
    request = urllib.request.Request(
        f"{os.environ['RUNSTRONG_CONTRACT_BASE_URL']}/v1/accounts",
        data=json.dumps(
            {
                "email": f"sign-out-{secrets.token_hex(8)}@example.com",
                "password": "a long sign-out passphrase",
                "display_name": "Sign-out case",
                "role": "coach",
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["token"]


if _TOKEN:

    # Not cached (refresh_interval=None): `get` runs for every case, which
    # costs nothing but for sign-out, where a new token is the point.
    @schemathesis.auth(refresh_interval=None)
    class CoachToken:
        """The run's token as `Authorization: Bearer`, except for sign-out."""

        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            if context.operation.method.upper() == "DELETE" and context.operation.path == "/v1/tokens/current":
                return _fresh_token()
            return _TOKEN

        def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"
