"""Opening a share link on a busy network: the campaign lookup against its former query.

Run with ``make bench`` or ``python -m bench.campaign_lookup [--campaigns N] [--responses N]``.
It builds a throw-away SQLite database (default: 500 campaigns x 2,000 responses, one
million responses) and times, in the same run, a campaign with its submitted count —
``lib.store.feedback.campaign_by_id``, whose count is a correlated sub-query read through the
``(campaign_id, status)`` index — against the baseline it replaced (``grouped_baseline``: a
count grouped over the whole response table, joined afterwards), and the lookup behind a share
link (``campaign_by_token``, which a link needs without any count). Both counted lookups must
return the same row before any figure is printed. Figures are medians; nothing asserts on them.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bench.timing import median_seconds, scratch_sqlite
from lib.store import feedback as store
from lib.store import tables


def build(conn: Connection, campaigns: int, responses: int) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    conn.execute(
        sa.insert(tables.form_template).values(
            id=1,
            slug="bench",
            version=1,
            title_fr="Banc",
            title_en="Bench",
            content={},
            created_at=now,
            updated_at=now,
        )
    )
    conn.execute(
        sa.insert(tables.campaign),
        [
            {
                "id": c,
                "form_template_id": 1,
                "title": f"Campagne {c}",
                "opens_on": date(2026, 1, 1),
                "closes_on": date(2026, 12, 31),
                "anonymous": True,
                "share_token": f"jeton-{c:06d}",
                "created_at": now,
                "updated_at": now,
            }
            for c in range(1, campaigns + 1)
        ],
    )
    rows = (
        {
            "campaign_id": c,
            "respondent_role": "inhabitant",
            "status": "submitted" if r % 5 else "draft",
            "resume_code": f"{c:06d}{r:07d}",
            "document": {},
            "created_at": now,
            "updated_at": now,
        }
        for c in range(1, campaigns + 1)
        for r in range(responses)
    )
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 50_000:
            conn.execute(sa.insert(tables.response), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(tables.response), batch)


def grouped_baseline(conn: Connection, token: str):
    """The former query: every campaign's count computed over the whole table, then joined."""
    submitted = (
        sa.select(tables.response.c.campaign_id, sa.func.count().label("submitted_count"))
        .where(tables.response.c.status == store.SUBMITTED)
        .group_by(tables.response.c.campaign_id)
        .subquery()
    )
    query = (
        sa.select(tables.campaign, sa.func.coalesce(submitted.c.submitted_count, 0).label("submitted_count"))
        .select_from(
            tables.campaign.join(submitted, submitted.c.campaign_id == tables.campaign.c.id, isouter=True)
        )
        .where(tables.campaign.c.share_token == token)
    )
    return conn.execute(query).first()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=500)
    parser.add_argument("--responses", type=int, default=2_000, help="responses per campaign")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    with scratch_sqlite() as engine:
        started = time.perf_counter()
        with engine.begin() as conn:
            build(conn, args.campaigns, args.responses)
        total = args.campaigns * args.responses
        print(
            f"Built {args.campaigns} campaigns x {args.responses} responses = {total:,} responses "
            f"in {time.perf_counter() - started:.1f} s (SQLite)"
        )
        token = f"jeton-{args.campaigns // 2:06d}"
        with engine.connect() as conn:
            theirs = grouped_baseline(conn, token)
            ours = store.campaign_by_id(conn, theirs.id)
            linked = store.campaign_by_token(conn, token)
            if ours.submitted_count != theirs.submitted_count or linked.id != ours.id:
                print(f"MISMATCH: {ours.submitted_count} vs {theirs.submitted_count}")
                return 1
            new = median_seconds(lambda: store.campaign_by_id(conn, theirs.id), args.repeat) * 1000
            old = median_seconds(lambda: grouped_baseline(conn, token), args.repeat) * 1000
            link = median_seconds(lambda: store.campaign_by_token(conn, token), args.repeat) * 1000
    print(f"Same campaign and count ({ours.submitted_count} submitted). Median of {args.repeat}:")
    print(
        f"  campaign with its count: correlated count {new:8.2f} ms   grouped baseline {old:8.2f} ms"
        f"   baseline/ours = {old / new:6.1f}x"
    )
    print(f"  campaign behind a share link (no count): {link:8.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
