"""The sample reports under ``docs/reports/``: a demo territory's Rapport de parcours and the
coordinators' Rapport de réseau, in French and English, built on a fresh demo database pinned
to one day, so that they change only when the code or the demo data do.
``make sample-report`` runs it.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from lib.bootstrap import bootstrap
from lib.demo.seed import demo_email, seed_demo
from lib.services import reports
from lib.services.identity import load_actor
from lib.store import membership, territories
from lib.store.db import ROOT, make_engine

SAMPLE_DAY = date(2026, 11, 30)
SAMPLE_TERRITORY = "demo-vallee-des-tilleuls"  # the pioneer: every section has something to show
SAMPLE_ADMIN = "Élise Marchand"
SAMPLE_COORDINATOR = "Camille Roussel"
OUT = ROOT / "docs" / "reports"


def demo_engine(folder: Path, today: date = SAMPLE_DAY) -> Engine:
    engine = make_engine(f"sqlite:///{folder / 'sample.db'}")
    bootstrap(engine)
    seed_demo(engine, today=today)
    return engine


def territory_and_admin(engine: Engine, slug: str = SAMPLE_TERRITORY, admin: str = SAMPLE_ADMIN):
    with engine.connect() as conn:
        territory_id = territories.territory_id_by_slug(conn, slug)
        person_id = membership.get_person_by_email(conn, demo_email(admin)).id
    return territory_id, load_actor(engine, person_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="parcours-sample-") as tmp:
        engine = demo_engine(Path(tmp))
        territory_id, actor = territory_and_admin(engine)
        start = date(SAMPLE_DAY.year - 3, SAMPLE_DAY.month, SAMPLE_DAY.day)
        for lang in ("fr", "en"):
            name, pdf = reports.journey_report_pdf(
                engine, actor, territory_id, start=start, end=SAMPLE_DAY, lang=lang, today=SAMPLE_DAY
            )
            for old in args.out.glob(f"*_{lang}.pdf"):
                old.unlink()
            (args.out / name).write_bytes(pdf)
            print(f"{args.out / name}  {len(pdf) / 1024:.0f} Kio")
        _, coordinator = territory_and_admin(engine, admin=SAMPLE_COORDINATOR)
        for lang in ("fr", "en"):
            name, pdf = reports.network_report_pdf(engine, coordinator, lang=lang, today=SAMPLE_DAY)
            (args.out / name).write_bytes(pdf)
            print(f"{args.out / name}  {len(pdf) / 1024:.0f} Kio")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
