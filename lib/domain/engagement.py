"""How engaged the network's territories are: who is active, who has stalled, which voices
answer, how fresh their self-assessments are. Pure rules; SQL does the counting.

The definitions (decision 0008):

- An **event** of a territory is an entry of the activity log about its journey or its
  feedback — an action whose code starts with one of ``ENGAGEMENT_PREFIXES``, recorded with
  the territory — or a login (``LOGIN_ACTION``) of a person who holds a membership of it.
- The **period** of N days is the N French days ending today: from midnight in Paris N − 1
  days ago to midnight tonight. The **previous period** is the N days before it. A change
  "over the period" compares the two.
- A territory is **active** when it has at least one event in the period; **stalled**
  otherwise (a territory that never did anything is stalled too).
- **Role coverage**: which of the "4 Fantastiques" submitted at least one response to the
  territory's campaigns in the period (a network-wide campaign counts for the territory its
  respondent answered for).
- **Freshness**: the age in days, today, of the territory's latest submitted
  self-assessment (its ``assessed_on`` day).
- The **activity map** counts events per territory and French calendar month, over the
  last ``MONTHS`` months including the current one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from lib.domain import clock

DEFAULT_DAYS = 90
MIN_DAYS, MAX_DAYS = 7, 730
MONTHS = 12
ENGAGEMENT_PREFIXES = ("assessment.", "milestone.", "response.", "campaign.")
LOGIN_ACTION = "auth.login"

# Age of the latest self-assessment, in days: the upper bound of each band (None: older).
FRESHNESS_BANDS: tuple[tuple[str, int | None], ...] = (
    ("under_6_months", 183),
    ("6_to_12_months", 365),
    ("1_to_2_years", 730),
    ("over_2_years", None),
)
NEVER = "never"

# Every action the app records in the activity log, in the journal's filter order; the
# journal shows any other code as it is.
JOURNAL_ACTIONS = (
    "auth.login",
    "person.created",
    "assessment.draft_saved",
    "assessment.submitted",
    "milestone.created",
    "milestone.updated",
    "indicator.added",
    "indicator.value_saved",
    "indicator.target_saved",
    "indicator.value_removed",
    "indicator.target_removed",
    "indicator.imported",
    "campaign.opened",
    "response.submitted",
    "invitation.created",
    "invitation.revoked",
    "invitation.accepted",
    "access_request.created",
    "access_request.accepted",
    "access_request.refused",
    "membership.granted",
    "membership.role_changed",
    "membership.revoked",
    "membership.bootstrap_coordinator",
)


def valid_days(days: int) -> int:
    """The period's length, kept within what makes sense (a week to two years)."""
    return max(MIN_DAYS, min(MAX_DAYS, int(days)))


@dataclass(frozen=True)
class Period:
    """The N French days ending ``today``, and the N days before them, as UTC instants."""

    days: int
    today: date

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.days - 1)

    @property
    def since(self) -> datetime:
        return clock.start_of_local_day(self.first_day)

    @property
    def until(self) -> datetime:
        """Midnight tonight in Paris: the end of the period (excluded)."""
        return clock.start_of_local_day(self.today + timedelta(days=1))

    @property
    def previous_since(self) -> datetime:
        return clock.start_of_local_day(self.first_day - timedelta(days=self.days))

    @property
    def previous_day(self) -> date:
        """The day the previous period ended: the day whose open campaigns are compared with today's."""
        return self.first_day - timedelta(days=1)


def month_starts(today: date, count: int = MONTHS) -> list[date]:
    """The first day of each of the ``count`` months ending with ``today``'s, oldest first."""
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def month_bounds(today: date, count: int = MONTHS) -> list[datetime]:
    """The UTC instants at which each month begins in Paris, then midnight tonight (``count + 1``
    instants): a French month is a range of instants, the same on SQLite and PostgreSQL."""
    return [clock.start_of_local_day(d) for d in month_starts(today, count)] + [
        clock.start_of_local_day(today + timedelta(days=1))
    ]


# --- shaping what SQL counted --------------------------------------------------------------

TERRITORY_COLUMNS = [
    "territory_id",
    "slug",
    "name",
    "kind",
    "region",
    "last_event",
    "last_login",
    "active_before",
    "latest_assessment",
]


def territory_status(rows: Iterable[dict], period: Period) -> pd.DataFrame:
    """One row per territory: its last activity (the later of its last event and its members'
    last login) and that day in France, whether it is active now and was in the previous
    period, how many days since its last event, its latest self-assessment, that
    assessment's age and freshness band. ``rows`` as ``TERRITORY_COLUMNS``."""
    records = []
    for row in rows:
        last = max((m for m in (row["last_event"], row["last_login"]) if m is not None), default=None)
        day = clock.local_day(last) if last is not None else None
        assessed = row["latest_assessment"]
        age = (period.today - assessed).days if assessed is not None else None
        records.append(
            {
                **{k: row[k] for k in ("territory_id", "slug", "name", "kind", "region")},
                "active": last is not None and last >= period.since,
                "active_before": bool(row["active_before"]),
                "last_activity_day": day,
                "idle_days": (period.today - day).days if day is not None else None,
                "latest_assessment": assessed,
                "assessment_age_days": age,
                "freshness": freshness_band(age),
            }
        )
    columns = [*TERRITORY_COLUMNS[:5], "active", "active_before", "last_activity_day", "idle_days"]
    columns += ["latest_assessment", "assessment_age_days", "freshness"]
    # Object columns: a day stays a day and a missing count stays None, not NaT or 4.0.
    flags = ("active", "active_before")
    return pd.DataFrame(
        {c: pd.Series([r[c] for r in records], dtype=bool if c in flags else object) for c in columns}
    )


def freshness_band(age_days: int | None) -> str:
    if age_days is None:
        return NEVER
    for band, upper in FRESHNESS_BANDS:
        if upper is None or age_days <= upper:
            return band
    raise AssertionError("the last band has no upper bound")


def freshness_counts(status: pd.DataFrame) -> pd.DataFrame:
    """How many territories fall in each freshness band, every band listed (zeros included)."""
    bands = [band for band, _ in FRESHNESS_BANDS] + [NEVER]
    counts = status["freshness"].value_counts().reindex(bands, fill_value=0)
    return pd.DataFrame({"band": bands, "territories": counts.astype(int).to_list()})


def stalled(status: pd.DataFrame) -> pd.DataFrame:
    """Territories without any event in the period, the longest idle first (never active last)."""
    out = status[~status["active"]].copy()
    out["_never"] = out["last_activity_day"].isna()
    out = out.sort_values(["_never", "idle_days", "name"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_never").reset_index(drop=True)


def activity_map(
    rows: Iterable[tuple[int, int, int]], territories: pd.DataFrame, months: Sequence[date]
) -> pd.DataFrame:
    """Events per territory and month, long form, every territory × month present (zeros too):
    ``territory_id, name, month, events``. ``rows`` are ``(territory_id, month index, events)``."""
    counts = {(tid, index): n for tid, index, n in rows}
    records = [
        {
            "territory_id": tid,
            "name": name,
            "month": month,
            "events": int(counts.get((tid, index), 0)),
        }
        for tid, name in zip(territories["territory_id"], territories["name"], strict=True)
        for index, month in enumerate(months)
    ]
    return pd.DataFrame(records, columns=["territory_id", "name", "month", "events"])


def role_coverage(
    rows: Iterable[tuple[int, str, int]], territories: pd.DataFrame, fantastiques: Sequence[str]
) -> pd.DataFrame:
    """Per territory: submitted responses of each of the 4 Fantastiques, of the other roles
    together, how many of the four answered, and the four that did not (in the framework's
    order). ``rows`` are ``(territory_id, role, responses)``. The territories where the fewest
    of the four answered come first."""
    by_territory: dict[int, dict[str, int]] = {}
    for tid, role, n in rows:
        by_territory.setdefault(tid, {})[role] = by_territory.get(tid, {}).get(role, 0) + int(n)
    records = []
    for tid, name in zip(territories["territory_id"], territories["name"], strict=True):
        got = by_territory.get(tid, {})
        record: dict = {"territory_id": tid, "name": name}
        for role in fantastiques:
            record[role] = got.get(role, 0)
        record["others"] = sum(n for role, n in got.items() if role not in fantastiques)
        record["responses"] = sum(got.values())
        record["covered"] = sum(1 for role in fantastiques if got.get(role, 0) > 0)
        record["missing"] = tuple(role for role in fantastiques if got.get(role, 0) == 0)
        records.append(record)
    columns = ["territory_id", "name", *fantastiques, "others", "responses", "covered", "missing"]
    df = pd.DataFrame(records, columns=columns)
    return df.sort_values(
        ["covered", "responses", "name"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)


def never_heard(coverage: pd.DataFrame, role: str) -> pd.DataFrame:
    """Territories that received responses in the period, but none from ``role``: a voice missing
    from a conversation that did take place."""
    return coverage[(coverage["responses"] > 0) & (coverage[role] == 0)]


@dataclass(frozen=True)
class Figure:
    """A headline figure and its value at the end of the previous period."""

    code: str
    value: int
    previous: int

    @property
    def change(self) -> int:
        return self.value - self.previous


def campaign_split(
    counts: Iterable[tuple[int | None, str, int]],
    means: Iterable[tuple[int | None, str, int, float]],
    names: dict[int, str],
    roles: Sequence[str],
    min_answers: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A network-wide campaign by territory.

    ``counts`` are ``(territory_id or None, role, responses)``; ``means`` are ``(territory_id or
    None, question_id, answers, sum of values)``. Returns the responses per territory and role
    (one column per role in ``roles``, a total; unattributed responses under territory None), and
    the mean of each scale question per territory — left empty (NaN) where fewer than
    ``min_answers`` answered, so a lone respondent's answer is never shown as a territory's mean.
    """
    per: dict[int | None, dict[str, int]] = {}
    for tid, role, n in counts:
        per.setdefault(tid, {})[role] = per.get(tid, {}).get(role, 0) + int(n)
    order = sorted(per, key=lambda tid: (tid is None, names.get(tid, "") if tid is not None else ""))
    records = []
    for tid in order:
        record = {"territory_id": tid, "name": names.get(tid) if tid is not None else None}
        for role in roles:
            record[role] = per[tid].get(role, 0)
        record["total"] = sum(per[tid].values())
        records.append(record)
    responses = pd.DataFrame(records, columns=["territory_id", "name", *roles, "total"])
    # "Not said" stays None (not NaN) in the territory columns.
    for column in ("territory_id", "name"):
        responses[column] = pd.Series([r[column] for r in records], dtype=object)
    mean_rows = [
        {
            "territory_id": tid,
            "question_id": qid,
            "answers": int(n),
            "mean": (float(total) / n) if n >= min_answers else float("nan"),
        }
        for tid, qid, n, total in means
    ]
    return responses, pd.DataFrame(mean_rows, columns=["territory_id", "question_id", "answers", "mean"])
