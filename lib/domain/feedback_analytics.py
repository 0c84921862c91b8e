"""Shaping feedback results for charts and tables, and the perception-gap ranking.

Everything here works on what SQL already aggregated (counts per day and role, counts per
question, role and value): pandas only reshapes small tables.

The perception gap
------------------
"Seeing how the four perceive the same journey differently" is the point of splitting
results by role. For each scale question we take the mean answer of each respondent role,
counting only roles with at least ``MIN_ANSWERS_PER_ROLE`` answers to that question (one
lone respondent is an anecdote, not a role's view), and measure the gap as the spread
between the highest and the lowest role mean (max − min). To compare questions asked on
different scales (1–5, −2…+2) the spread is divided by the width of the scale
(max − min of the scale): ``gap_share`` runs from 0 (every role agrees on average) to 1
(one role at one end, another at the other). Questions are ranked by ``gap_share``, then
by the template's order. A question needs at least two qualifying roles to be ranked.

Why max − min rather than the standard deviation of role means: it reads in the scale's own
points ("State services answer 1.5 points lower than elected officials") and names the two
roles to bring around the table — the disagreement to put to work. Its weakness (it looks
only at the two extreme roles) is acceptable for six roles at most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from lib.domain import clock
from lib.domain.anonymity import NAMED, POOLED, RoleGroups
from lib.domain.forms import FormTemplate
from lib.domain.question_types import question_type
from lib.domain.text import clean_text

MIN_ANSWERS_PER_ROLE = 3
EXPORT_FIXED_COLUMNS = ("response_id", "role", "started_at", "submitted_at", "respondent_name")

GAP_COLUMNS = [
    "question_id",
    "roles_counted",
    "high_role",
    "high_mean",
    "low_role",
    "low_mean",
    "gap",
    "gap_share",
]


def _role_rank(roles: Sequence[str]) -> dict[str, int]:
    # Unknown roles (an old role id) sort last rather than disappear.
    return {role: i for i, role in enumerate(roles)}


def counts_over_time(rows: Iterable[tuple[date, str, int]], roles: Sequence[str]) -> pd.DataFrame:
    """Submitted responses per day and role, with each role's running total.

    ``rows`` are ``(day, role, responses)``; a day may come several times (one per hour).
    """
    df = pd.DataFrame(list(rows), columns=["day", "role", "responses"])
    if df.empty:
        return pd.DataFrame(columns=["day", "role", "responses", "cumulative"])
    df["day"] = pd.to_datetime(df["day"])
    df["responses"] = df["responses"].astype(int)
    # SQL counts by hour; several hours make one day.
    df = df.groupby(["day", "role"], as_index=False)["responses"].sum()
    rank = _role_rank(roles)
    df["_rank"] = df["role"].map(lambda r: rank.get(r, len(rank)))
    df = df.sort_values(["day", "_rank"]).drop(columns="_rank").reset_index(drop=True)
    df["cumulative"] = df.groupby("role")["responses"].cumsum()
    return df


def counts_table(counts: pd.DataFrame, roles: Sequence[str]) -> pd.DataFrame:
    """One row per day, one column per role (in the framework's order), and a total."""
    present = [r for r in roles if r in set(counts["role"])] if not counts.empty else []
    present += sorted(set(counts["role"]) - set(present)) if not counts.empty else []
    if counts.empty:
        return pd.DataFrame(columns=["day", "total"])
    table = counts.pivot_table(index="day", columns="role", values="responses", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=present, fill_value=0)
    table["total"] = table.sum(axis=1)
    table.index = table.index.date
    table.index.name = "day"
    table.columns.name = None
    return table.reset_index()


def distribution(rows: Iterable[tuple[str, str, float, int]]) -> pd.DataFrame:
    """Answers per question, role and value: ``(question_id, role, value, answers)``; rows
    naming the same group twice (roles pooled together) are added up."""
    df = pd.DataFrame(list(rows), columns=["question_id", "role", "value", "answers"])
    if not df.empty:
        df["value"] = df["value"].astype(float)
        df["answers"] = df["answers"].astype(int)
        df = df.groupby(["question_id", "role", "value"], as_index=False, sort=False)["answers"].sum()
    return df


def role_means(dist: pd.DataFrame, roles: Sequence[str] = ()) -> pd.DataFrame:
    """Per question and role: how many answered, and the mean answer."""
    if dist.empty:
        return pd.DataFrame(columns=["question_id", "role", "answers", "mean"])
    weighted = dist.assign(total=dist["value"] * dist["answers"])
    means = weighted.groupby(["question_id", "role"], as_index=False)[["answers", "total"]].sum()
    means["mean"] = means["total"] / means["answers"]
    rank = _role_rank(roles)
    means["_rank"] = means["role"].map(lambda r: rank.get(r, len(rank)))
    means = means.sort_values(["question_id", "_rank"], kind="stable")
    return means.drop(columns=["total", "_rank"]).reset_index(drop=True)


def perception_gaps(
    dist: pd.DataFrame,
    scales: dict[str, tuple[float, float]],
    roles: Sequence[str] = (),
    min_answers: int = MIN_ANSWERS_PER_ROLE,
    means: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Scale questions ranked by how much the roles disagree (see the module's docstring).

    ``scales`` maps each scale question, in the template's order, to its (min, max);
    ``means``, when given, is ``role_means(dist, roles)`` already computed by the caller.
    """
    # Roles pooled for anonymity are no role: a gap names the two roles to bring together.
    if means is None:
        means = role_means(dist, roles)
    means = means[means["role"] != POOLED] if not means.empty else means
    order = {qid: i for i, qid in enumerate(scales)}
    records: list[dict[str, Any]] = []
    for qid, (low, high) in scales.items():
        counted = means[(means["question_id"] == qid) & (means["answers"] >= min_answers)]
        if len(counted) < 2:
            continue
        # The first role in framework order wins a tie, so the result does not depend on SQL's order.
        top = counted.loc[counted["mean"].idxmax()]
        bottom = counted.loc[counted["mean"].idxmin()]
        gap = float(top["mean"] - bottom["mean"])
        records.append(
            {
                "question_id": qid,
                "roles_counted": len(counted),
                "high_role": top["role"],
                "high_mean": float(top["mean"]),
                "low_role": bottom["role"],
                "low_mean": float(bottom["mean"]),
                "gap": gap,
                "gap_share": gap / (high - low),
                "_order": order[qid],
            }
        )
    if not records:
        return pd.DataFrame(columns=GAP_COLUMNS)
    ranked = pd.DataFrame(records).sort_values(["gap_share", "_order"], ascending=[False, True])
    return ranked[GAP_COLUMNS].reset_index(drop=True)


NUMBER_COLUMNS = ["question_id", "role", "answers", "q1", "median", "q3"]
EVERYONE = "_everyone"  # the row of a number summary that counts every respondent


def _quantile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile of sorted values, interpolated between the two nearest ranks
    (pandas' and spreadsheets' default, so the figures match a recount in a spreadsheet)."""
    position = (len(values) - 1) * share
    below, above = math.floor(position), math.ceil(position)
    return values[below] + (values[above] - values[below]) * (position - below)


def number_summary(rows: Iterable[tuple[str, str, float, int]], roles: Sequence[str] = ()) -> pd.DataFrame:
    """Number answers per question: for each role, then for everyone (``EVERYONE``), how many
    answered, the median and the quartiles. ``rows`` are ``(question_id, role, value,
    answers)`` as SQL grouped them (roles pooled for anonymity already named ``POOLED``)."""
    values: dict[tuple[str, str], list[float]] = {}
    for qid, role, value, n in rows:
        for key in ((qid, role), (qid, EVERYONE)):
            values.setdefault(key, []).extend([float(value)] * int(n))
    rank = _role_rank([*roles, POOLED, EVERYONE])
    order = sorted(values, key=lambda key: (key[0], rank.get(key[1], len(rank))))
    records = []
    for qid, role in order:
        got = sorted(values[(qid, role)])
        records.append(
            {
                "question_id": qid,
                "role": role,
                "answers": len(got),
                "q1": _quantile(got, 0.25),
                "median": _quantile(got, 0.5),
                "q3": _quantile(got, 0.75),
            }
        )
    return pd.DataFrame(records, columns=NUMBER_COLUMNS)


def choice_counts(rows: Iterable[tuple[str, str, str, int]]) -> pd.DataFrame:
    """Choices per question, role and option: ``(question_id, role, option, answers)``; rows
    naming the same group twice (roles pooled together) are added up."""
    df = pd.DataFrame(list(rows), columns=["question_id", "role", "option", "answers"])
    if not df.empty:
        df["answers"] = df["answers"].astype(int)
        df = df.groupby(["question_id", "role", "option"], as_index=False, sort=False)["answers"].sum()
    return df


def texts_by_role(
    rows: Iterable[tuple[str, str, str]], roles: Sequence[str], groups: RoleGroups = NAMED
) -> dict[str, list[tuple[str, list[str]]]]:
    """Free-text answers per question, then per role in the framework's order:
    ``{question_id: [(role, [text, ...]), ...]}`` from ``(question_id, role, text)`` rows.

    Texts of roles pooled for anonymity (``lib.domain.anonymity``) come last under ``POOLED``,
    sorted, so that the order in which they were sent cannot point at anyone."""
    rank = _role_rank(roles)
    grouped: dict[str, dict[str, list[str]]] = {}
    for qid, role, text in rows:
        grouped.setdefault(qid, {}).setdefault(groups.of(role), []).append(text)
    for by_role in grouped.values():
        if POOLED in by_role:
            by_role[POOLED].sort()
    return {
        qid: sorted(by_role.items(), key=lambda item: rank.get(item[0], len(rank)))
        for qid, by_role in grouped.items()
    }


def _local(moment: datetime | None) -> datetime | None:
    # Spreadsheets cannot hold time zones: dates are exported as French local time.
    if moment is None:
        return None
    return moment.astimezone(clock.LOCAL_TIMEZONE).replace(tzinfo=None, microsecond=0)


def _local_day(moment: datetime | None) -> date | None:
    # An anonymous campaign's export gives the French day, never the time (lib.domain.anonymity).
    return None if moment is None else moment.astimezone(clock.LOCAL_TIMEZONE).date()


# A spreadsheet runs a cell that starts with one of these as a formula: text typed by an
# anonymous respondent must never become one (=HYPERLINK(...) sending data away, say).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Any) -> Any:
    """Typed text as a spreadsheet shows it, never run: a leading apostrophe marks it as text.
    Cleaned first by the one rule (``lib.domain.text``): a row stored before the rule existed
    could hold a character no XLSX file can carry."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def responses_wide(
    template: FormTemplate,
    responses: Iterable[dict[str, Any]],
    answers: Iterable[tuple[int, str, float | None, str | None]],
    groups: RoleGroups = NAMED,
) -> pd.DataFrame:
    """The export: one row per response, one column per question in the template's order,
    after the fixed columns (``EXPORT_FIXED_COLUMNS``). Choices are exported by their ids and a
    multiple choice joins them with ``|``, so columns and values stay stable across languages.

    ``responses`` are dicts with ``id``, ``role``, ``created_at``, ``submitted_at``,
    ``respondent_name``; ``answers`` are ``(response_id, question_id, numeric, text)`` rows.
    In an anonymous campaign (``groups``), roles are grouped as on the screen, dates are days,
    and rows are numbered in an order that says nothing of when they were sent.
    """
    when = _local_day if groups.anonymous else _local
    questions = template.questions
    by_response: dict[int, dict[str, list]] = {}
    for response_id, qid, numeric, text in answers:
        by_response.setdefault(response_id, {}).setdefault(qid, []).append(
            numeric if numeric is not None else text
        )
    records = []
    for r in responses:
        got = by_response.get(r["id"], {})
        record: dict[str, Any] = {
            "response_id": r["id"],
            "role": _inert(groups.of(r["role"])),
            "started_at": when(r["created_at"]),
            "submitted_at": when(r["submitted_at"]),
            "respondent_name": _inert(r.get("respondent_name")),
        }
        for q in questions:
            values = got.get(q.id)
            record[q.id] = _inert(question_type(q.type).exported(q, values)) if values else None
        records.append(record)
    if groups.anonymous:
        # By day, group, then the answers themselves: nothing of the order they were sent in.
        records.sort(key=lambda r: (str(r["submitted_at"]), r["role"], [str(r[q.id]) for q in questions]))
        for number, record in enumerate(records, start=1):
            record["response_id"] = number
    columns = [*EXPORT_FIXED_COLUMNS, *(q.id for q in questions)]
    # Object columns: a whole-number column with a gap must not turn into 4.0 in the CSV.
    return pd.DataFrame({c: pd.Series([r[c] for r in records], dtype=object) for c in columns})


def readable(
    template: FormTemplate,
    table: pd.DataFrame,
    lang: str,
    headers: Mapping[str, str],
    roles: Mapping[str, str],
) -> pd.DataFrame:
    """The export as people read it in ``lang``: the fixed columns named by ``headers``, each
    question by its wording, roles and chosen options by their labels (several chosen options
    joined by " ; "). The table with ids (``responses_wide``) stays the one for scripts."""
    out = table.copy()
    out["role"] = out["role"].map(lambda r: _inert(roles.get(r, r)))
    names = dict(headers)
    for q in template.questions:
        wording = _inert(q.label(lang))
        # Two questions may share a wording: the later one is told apart by its id.
        names[q.id] = wording if wording not in names.values() else f"{wording} ({q.id})"
        if q.options:
            labels = {o.id: _inert(o.label(lang)) for o in q.options}
            separator = getattr(question_type(q.type), "separator", None)
            out[q.id] = out[q.id].map(lambda v, labels=labels, sep=separator: _labelled(v, labels, sep))
    return out.rename(columns=names)


def _labelled(value: Any, labels: Mapping[str, str], separator: str | None) -> Any:
    if not isinstance(value, str):
        return value
    ids = value.split(separator) if separator else [value]
    return " ; ".join(labels.get(i, i) for i in ids)


def codebook(template: FormTemplate, roles: Sequence[tuple[str, str, str]]) -> pd.DataFrame:
    """What the export's ids mean, in French and English: questions, their options, roles.
    ``roles`` are ``(id, label_fr, label_en)``."""
    rows = [("role", rid, fr, en) for rid, fr, en in roles]
    for q in template.questions:
        rows.append(("question", q.id, q.label.fr, q.label.en))
        rows.extend((f"option:{q.id}", o.id, o.label.fr, o.label.en) for o in q.options)
    return pd.DataFrame([tuple(_inert(v) for v in row) for row in rows], columns=["kind", "id", "fr", "en"])
