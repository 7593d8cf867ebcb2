"""A coach-and-athlete scenario driven end to end through a Python client
that nobody here wrote: `runstrong_client`, generated from
openapi/openapi.json by openapi-python-client (.ci/contract/run generates
and installs it; it is never edited or committed).

Only the generated client's API talks to the service. Where an answer is
not JSON (the iCalendar feed, the Prometheus text), the generated
function's response body is parsed with the parser of that format:
icalendar and prometheus_client.

Usage: python client_scenario.py BASE_URL
"""

from __future__ import annotations

import datetime
import secrets
import sys
from http import HTTPStatus
from typing import Any, TypeVar

import icalendar
from prometheus_client.parser import text_string_to_metric_families
from runstrong_client import AuthenticatedClient, Client
from runstrong_client.api.accounts import me, register
from runstrong_client.api.athletes import create_athlete, create_grant, get_athlete, list_athletes, patch_athlete
from runstrong_client.api.catalog import get_exercise
from runstrong_client.api.coaching import accept_coach_grant, list_coach_grants
from runstrong_client.api.operations import metrics
from runstrong_client.api.plans import create_plan, get_plan, plan_calendar, preview_plan
from runstrong_client.api.sessions import create_session, get_session, load_report
from runstrong_client.models import (
    Account,
    Athlete,
    AthleteProfile,
    CoachGrant,
    CoachGrantPage,
    AthleteProfilePatch,
    Equipment,
    Exercise,
    Experience,
    Goal,
    Grant,
    GrantAccess,
    GrantRequest,
    GrantStatus,
    InjuryArea,
    LoadReport,
    LoggedSet,
    Plan,
    PlanOverrides,
    PlanRequest,
    Problem,
    RegisterRequest,
    RegisterRequestRole,
    Session,
    SessionInput,
    SessionInputKind,
    StoredPlan,
    TokenResponse,
    Weekday,
)
from runstrong_client.types import Response

T = TypeVar("T")


def step(message: str) -> None:
    print(f"  - {message}", flush=True)


def expect(response: Response[Any], status: HTTPStatus, kind: type[T]) -> T:
    """The parsed body of a response that must have `status` and parse to `kind`."""
    if response.status_code != status or not isinstance(response.parsed, kind):
        detail = response.parsed.to_dict() if isinstance(response.parsed, Problem) else response.content[:500]
        raise AssertionError(f"expected {status.value} {kind.__name__}, got {response.status_code.value}: {detail}")
    return response.parsed


def register_account(base_url: str, role: RegisterRequestRole, name: str, email: str) -> AuthenticatedClient:
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    answer = expect(
        register.sync_detailed(
            client=anonymous,
            body=RegisterRequest(email=email, password="a long scenario passphrase", display_name=name, role=role),
        ),
        HTTPStatus.CREATED,
        TokenResponse,
    )
    assert answer.token_type == "Bearer", answer.token_type
    assert answer.account.role.value == role.value, answer.account.role
    return AuthenticatedClient(base_url=base_url, token=answer.token, raise_on_unexpected_status=True)


def main(base_url: str) -> None:
    today = datetime.date.today()
    # Plans start on the next Monday, so the weeks line up with the calendar.
    start = today + datetime.timedelta(days=7 - today.weekday())
    suffix = secrets.token_hex(4)
    coach_email = f"coach-{suffix}@example.com"

    step("register a coach and an athlete")
    coach = register_account(base_url, RegisterRequestRole.COACH, "Casey Coach", coach_email)
    athlete = register_account(base_url, RegisterRequestRole.ATHLETE, "Sam Runner", f"athlete-{suffix}@example.com")
    assert expect(me.sync_detailed(client=coach), HTTPStatus.OK, Account).email == coach_email

    step("the athlete creates their profile")
    profile = AthleteProfile(
        name="Sam Runner",
        goal=Goal.ENDURANCE,
        experience=Experience.INTERMEDIATE,
        available_days=[
            Weekday.MONDAY,
            Weekday.TUESDAY,
            Weekday.WEDNESDAY,
            Weekday.THURSDAY,
            Weekday.SATURDAY,
            Weekday.SUNDAY,
        ],
        minutes_per_day=75,
        long_run_day=Weekday.SUNDAY,
        runs_per_week=4,
        strength_sessions_per_week=2,
        current_weekly_km=35.0,
        longest_recent_run_km=14.0,
        equipment=[Equipment.DUMBBELL, Equipment.MAT, Equipment.RESISTANCE_BAND],
        injuries=[InjuryArea.KNEE],
        allow_hiit=False,
        allow_two_a_days=False,
    )
    created = create_athlete.sync_detailed(client=athlete, body=profile)
    athlete_profile = expect(created, HTTPStatus.CREATED, Athlete)
    etag = created.headers["ETag"]
    assert athlete_profile.name == "Sam Runner"

    step("the athlete grants the coach read-write access")
    grant = expect(
        create_grant.sync_detailed(
            athlete_profile.id,
            client=athlete,
            body=GrantRequest(coach_email=coach_email, access=GrantAccess.READ_WRITE),
        ),
        HTTPStatus.CREATED,
        Grant,
    )
    assert grant.access == GrantAccess.READ_WRITE
    assert grant.status == GrantStatus.PENDING

    step("until the coach accepts, the grant gives nothing")
    expect(get_athlete.sync_detailed(athlete_profile.id, client=coach), HTTPStatus.NOT_FOUND, Problem)
    offered = expect(list_coach_grants.sync_detailed(client=coach), HTTPStatus.OK, CoachGrantPage)
    assert [(item.id, item.athlete_name) for item in offered.items] == [(grant.id, "Sam Runner")], offered
    accepted = expect(accept_coach_grant.sync_detailed(grant.id, client=coach), HTTPStatus.OK, CoachGrant)
    assert accepted.status == GrantStatus.ACTIVE

    step("the coach sees the athlete and changes the profile with If-Match")
    page = list_athletes.sync(client=coach)
    assert [item.id for item in page.items] == [athlete_profile.id], page
    read = get_athlete.sync_detailed(athlete_profile.id, client=coach)
    assert expect(read, HTTPStatus.OK, Athlete).id == athlete_profile.id
    assert read.headers["ETag"] == etag
    patched = patch_athlete.sync_detailed(
        athlete_profile.id, client=coach, body=AthleteProfilePatch(minutes_per_day=90), if_match=etag
    )
    assert expect(patched, HTTPStatus.OK, Athlete).minutes_per_day == 90
    assert patched.headers["ETag"] != etag

    step("the coach previews a plan, then stores one for the athlete")
    preview = expect(
        preview_plan.sync_detailed(
            client=coach,
            body=PlanRequest(
                start_date=start,
                weeks=8,
                goal=Goal.ENDURANCE,
                experience=Experience.INTERMEDIATE,
                available_days=profile.available_days,
                minutes_per_day=90,
                long_run_day=Weekday.SUNDAY,
                runs_per_week=4,
                strength_sessions_per_week=2,
                current_weekly_km=35.0,
                longest_recent_run_km=14.0,
                equipment=profile.equipment,
                injuries=profile.injuries,
            ),
        ),
        HTTPStatus.OK,
        Plan,
    )
    assert len(preview.weeks) == 8, len(preview.weeks)
    stored = expect(
        create_plan.sync_detailed(athlete_profile.id, client=coach, body=PlanOverrides(start_date=start, weeks=8)),
        HTTPStatus.CREATED,
        StoredPlan,
    )
    again = expect(get_plan.sync_detailed(stored.id, client=athlete), HTTPStatus.OK, StoredPlan)
    assert again.id == stored.id
    planned_sessions = sum(len(day.sessions) for week in stored.plan.weeks for day in week.days)
    assert planned_sessions > 0
    # The stored plan is the preview of the same request: generation is deterministic.
    assert stored.plan.to_dict()["weeks"] == preview.to_dict()["weeks"], "stored plan differs from the preview"

    step("the athlete logs a run with an idempotency key, and retries it")
    run_start = datetime.datetime.combine(
        today - datetime.timedelta(days=2), datetime.time(7, 0), tzinfo=datetime.timezone.utc
    )
    run = SessionInput(
        kind=SessionInputKind.EASY_RUN,
        started_at=run_start,
        duration_min=50.0,
        distance_km=8.4,
        avg_hr=142,
        rpe=3,
    )
    run_key = f"run-{suffix}"
    first = create_session.sync_detailed(athlete_profile.id, client=athlete, body=run, idempotency_key=run_key)
    logged_run = expect(first, HTTPStatus.CREATED, Session)
    retry = create_session.sync_detailed(athlete_profile.id, client=athlete, body=run, idempotency_key=run_key)
    assert expect(retry, HTTPStatus.CREATED, Session).id == logged_run.id, "a retry stored a second run"
    assert retry.headers.get("Idempotent-Replayed") == "true", retry.headers
    assert logged_run.load == 150.0, logged_run.load  # RPE 3 × 50 min

    step("the coach logs a strength session with sets from the catalog")
    squat = expect(get_exercise.sync_detailed("goblet-squat", client=coach), HTTPStatus.OK, Exercise)
    bridge = expect(get_exercise.sync_detailed("glute-bridge", client=coach), HTTPStatus.OK, Exercise)
    lift = SessionInput(
        kind=SessionInputKind.STRENGTH,
        started_at=run_start + datetime.timedelta(days=1, hours=11),
        duration_min=40.0,
        rpe=7,
        sets=[
            LoggedSet(exercise_id=squat.id, reps=8, weight_kg=16.0, rir=2),
            LoggedSet(exercise_id=squat.id, reps=8, weight_kg=16.0, rir=2),
            LoggedSet(exercise_id=bridge.id, reps=12, rir=3),
        ],
    )
    logged_lift = expect(
        create_session.sync_detailed(athlete_profile.id, client=coach, body=lift, idempotency_key=f"lift-{suffix}"),
        HTTPStatus.CREATED,
        Session,
    )
    read_lift = get_session.sync_detailed(logged_lift.id, client=athlete)
    assert len(expect(read_lift, HTTPStatus.OK, Session).sets) == 3

    step("the athlete reads the load report")
    report = expect(
        load_report.sync_detailed(
            athlete_profile.id, client=athlete, from_=run_start.date(), to=run_start.date() + datetime.timedelta(days=6)
        ),
        HTTPStatus.OK,
        LoadReport,
    )
    loads = {day.date: day.load for day in report.days}
    assert loads[run_start.date()] == 150.0, loads
    assert loads[run_start.date() + datetime.timedelta(days=1)] == 280.0, loads  # RPE 7 × 40 min
    assert sum(loads.values()) == 430.0, loads

    step("the athlete fetches the plan's calendar and parses it with icalendar")
    feed = plan_calendar.sync_detailed(stored.id, client=athlete)
    assert feed.status_code == HTTPStatus.OK, feed.status_code
    assert feed.headers["Content-Type"].startswith("text/calendar"), feed.headers["Content-Type"]
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == planned_sessions, (len(events), planned_sessions)
    first_day = min(event.decoded("DTSTART") for event in events)
    first_day = first_day.date() if isinstance(first_day, datetime.datetime) else first_day
    assert first_day >= start, first_day

    step("anyone reads /metrics and it parses as Prometheus text")
    scraped = metrics.sync_detailed(client=Client(base_url=base_url, raise_on_unexpected_status=True))
    assert scraped.status_code == HTTPStatus.OK, scraped.status_code
    families = {family.name: family for family in text_string_to_metric_families(scraped.content.decode())}
    samples = [sample for family in families.values() for sample in family.samples]
    assert samples, "no samples in /metrics"
    routes = {sample.labels.get("route") for sample in samples}
    assert any(route and "sessions" in route for route in routes), sorted(map(str, routes))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"scenario against {sys.argv[1]}", flush=True)
    main(sys.argv[1])
    print("scenario passed", flush=True)
