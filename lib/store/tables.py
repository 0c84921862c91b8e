"""Every table of Parcours, defined once for SQLite and PostgreSQL.

Tables carry no schema: on PostgreSQL the engine maps them into the ``parcours``
schema (see ``lib/store/db.py``), so the same definitions serve both dialects.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware in UTC.

    SQLite has no time zones and returns naive values; without this, comparing a
    stored time with ``now()`` would behave differently on the two dialects.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_data_version() -> int:
    """A new campaign's first data version: the time in milliseconds, so that a campaign made
    again under a reused id (a reseed, a restore) never shares a version with the one before."""
    return time.time_ns() // 1_000_000


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
        sa.Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    ]


def _fk(column: str, target: str, *, nullable: bool = False, ondelete: str | None = None) -> sa.Column:
    return sa.Column(
        column,
        sa.Integer,
        sa.ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        index=True,
    )


TERRITORY_KINDS = ("commune", "epci", "petr", "departement", "region", "other")
# Who sees a territory's data, per kind of data (``territory_sharing``; the rule that reads
# them is ``lib.domain.sharing``). ``public``: on the showcase, for anyone (issue 19).
SHARING_LEVELS = ("private", "peers", "network", "public")
SHARING_KINDS = ("assessments", "journey", "feedback", "indicators")
# The single level of the first schema: superseded by ``territory_sharing`` (migration 0005)
# and read by nothing. It stays because dropping it means rebuilding ``territory`` on SQLite,
# which deletes every row that refers to it (ON DELETE CASCADE fires on the rebuild's DROP).
LEGACY_SHARING_LEVELS = ("private", "peers", "network")
ACCESS_ROLES = ("coordinator", "territory_admin", "contributor", "reader")
# Reference data that start-up stores from ``data/`` (``lib.bootstrap``), not anybody's data: a
# database holding only these is empty for the demo seed and for a restore.
REFERENCE_TABLES = frozenset({"framework_version", "form_template"})

territory = sa.Table(
    "territory",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(80), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("insee_code", sa.String(5)),
    sa.Column("siren", sa.String(9)),
    sa.Column("region", sa.String(100)),
    sa.Column("population", sa.Integer),
    sa.Column("sharing", sa.String(10), nullable=False, default="private"),
    sa.Column("is_demo", sa.Boolean, nullable=False, default=False),
    # Archived: out of the network's steering views, its data kept (never deleted: it has answers).
    sa.Column("archived_at", UTCDateTime()),
    *_timestamps(),
    sa.CheckConstraint(f"kind in {TERRITORY_KINDS}", name="kind"),
    sa.CheckConstraint(f"sharing in {LEGACY_SHARING_LEVELS}", name="sharing"),
)

# One row per territory and kind of data whose level its admin chose; no row means the
# default of ``lib.domain.sharing.DEFAULT_LEVELS``.
territory_sharing = sa.Table(
    "territory_sharing",
    metadata,
    sa.Column(
        "territory_id",
        sa.Integer,
        sa.ForeignKey("territory.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("level", sa.String(10), nullable=False),
    _fk("updated_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("updated_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.CheckConstraint(f"kind in {SHARING_KINDS}", name="kind"),
    sa.CheckConstraint(f"level in {SHARING_LEVELS}", name="level"),
)

peer_group = sa.Table(
    "peer_group",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(80), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text),
    *_timestamps(),
)

peer_group_member = sa.Table(
    "peer_group_member",
    metadata,
    sa.Column(
        "peer_group_id",
        sa.Integer,
        sa.ForeignKey("peer_group.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "territory_id",
        sa.Integer,
        sa.ForeignKey("territory.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("joined_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Index("ix_peer_group_member_territory", "territory_id"),
)

person = sa.Table(
    "person",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # Always stored lower-cased: people are matched to memberships by email.
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200)),
    sa.Column("is_demo", sa.Boolean, nullable=False, default=False),
    sa.Column("last_login_at", UTCDateTime()),
    *_timestamps(),
)

# A person who agreed that members of other territories looking for help may see their name,
# e-mail and role (the opt-in on their profile). No row: nobody outside sees their e-mail.
peer_contact_consent = sa.Table(
    "peer_contact_consent",
    metadata,
    sa.Column(
        "person_id",
        sa.Integer,
        sa.ForeignKey("person.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("agreed_at", UTCDateTime(), nullable=False, default=utcnow),
    # Also on the public showcase (name, role, e-mail on its territory's page): a second,
    # separate yes, since the first one was given for members of the network only.
    sa.Column("public", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
)

# A membership with no territory is a network-wide one (coordinators).
membership = sa.Table(
    "membership",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("person_id", "person.id", ondelete="CASCADE"),
    _fk("territory_id", "territory.id", nullable=True, ondelete="CASCADE"),
    sa.Column("role", sa.String(20), nullable=False),
    *_timestamps(),
    sa.UniqueConstraint("person_id", "territory_id", name="uq_membership_person_territory"),
    sa.CheckConstraint(f"role in {ACCESS_ROLES}", name="role"),
)

invitation = sa.Table(
    "invitation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, index=True),
    _fk("territory_id", "territory.id", nullable=True, ondelete="CASCADE"),
    sa.Column("role", sa.String(20), nullable=False),
    _fk("invited_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime()),
    sa.Column("accepted_at", UTCDateTime()),
    *_timestamps(),
    sa.CheckConstraint(f"role in {ACCESS_ROLES}", name="role"),
)

ACCESS_REQUEST_STATUSES = ("pending", "accepted", "refused")

access_request = sa.Table(
    "access_request",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("person_id", "person.id", ondelete="CASCADE"),
    _fk("territory_id", "territory.id", nullable=True, ondelete="CASCADE"),
    sa.Column("message", sa.Text),
    sa.Column("status", sa.String(10), nullable=False, default="pending"),
    _fk("decided_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("decided_at", UTCDateTime()),
    *_timestamps(),
    sa.CheckConstraint(f"status in {ACCESS_REQUEST_STATUSES}", name="status"),
)

framework_version = sa.Table(
    "framework_version",
    metadata,
    sa.Column("version", sa.String(40), primary_key=True),
    # The whole framework as loaded, so old assessments stay readable after the file changes.
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
)

RECORD_STATUSES = ("draft", "submitted")

assessment = sa.Table(
    "assessment",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("territory_id", "territory.id", ondelete="CASCADE"),
    sa.Column(
        "framework_version",
        sa.String(40),
        sa.ForeignKey("framework_version.version"),
        nullable=False,
        index=True,  # every foreign key is indexed: deleting a version must not scan the table
    ),
    sa.Column("assessed_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(10), nullable=False, default="draft"),
    _fk("created_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("submitted_at", UTCDateTime()),
    # Optimistic concurrency: a save names the version it started from.
    sa.Column("version", sa.Integer, nullable=False, default=1),
    *_timestamps(),
    sa.CheckConstraint(f"status in {RECORD_STATUSES}", name="status"),
    sa.Index("ix_assessment_territory_date", "territory_id", "assessed_on"),
    # A territory's team shares one draft: two started at the same instant cannot both be saved.
    sa.Index(
        "uq_assessment_one_draft_per_territory",
        "territory_id",
        unique=True,
        sqlite_where=sa.text("status = 'draft'"),
        postgresql_where=sa.text("status = 'draft'"),
    ),
)

assessment_score = sa.Table(
    "assessment_score",
    metadata,
    sa.Column(
        "assessment_id",
        sa.Integer,
        sa.ForeignKey("assessment.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("criterion_id", sa.String(40), primary_key=True),
    sa.Column("level", sa.Integer),
    sa.Column("comment", sa.Text),
    sa.CheckConstraint("level between 0 and 4", name="level"),
)

milestone = sa.Table(
    "milestone",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("territory_id", "territory.id", ondelete="CASCADE"),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("phase", sa.String(40), nullable=False),
    sa.Column("storytelling_dimension", sa.String(40)),
    # The axis of the framework this milestone tells about, if any (peers look stories up by axis).
    sa.Column("axis_id", sa.String(40)),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("story", sa.Text),
    _fk("created_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("version", sa.Integer, nullable=False, default=1),
    *_timestamps(),
    sa.Index("ix_milestone_territory_date", "territory_id", "occurred_on"),
)

form_template = sa.Table(
    "form_template",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(80), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title_fr", sa.String(200), nullable=False),
    sa.Column("title_en", sa.String(200), nullable=False),
    # The validated template document (sections, questions, labels); frozen once answered.
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("framework_version", sa.String(40), sa.ForeignKey("framework_version.version"), index=True),
    _fk("created_by", "person.id", nullable=True, ondelete="SET NULL"),
    *_timestamps(),
    sa.UniqueConstraint("slug", "version", name="uq_form_template_slug_version"),
)

campaign = sa.Table(
    "campaign",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # No territory: a network-wide campaign opened by a coordinator.
    _fk("territory_id", "territory.id", nullable=True, ondelete="CASCADE"),
    _fk("form_template_id", "form_template.id"),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("opens_on", sa.Date, nullable=False),
    sa.Column("closes_on", sa.Date, nullable=False),
    sa.Column("anonymous", sa.Boolean, nullable=False, default=True),
    sa.Column("share_token", sa.String(64), nullable=False, unique=True),
    # "survey" (a form answered at one's own pace) or "live" (a workshop in a room: ``workshop``).
    sa.Column("kind", sa.String(10), nullable=False, default="survey", server_default="survey"),
    _fk("created_by", "person.id", nullable=True, ondelete="SET NULL"),
    # How many submitted responses the organisers hope for (None: no target), shown as progress.
    sa.Column("response_target", sa.Integer, nullable=True),
    # Changes in the same transaction as any write to the campaign's submitted responses: what
    # is computed from them is cached under it (``lib.services.cache``, decision 0015).
    sa.Column("data_version", sa.BigInteger, nullable=False, default=new_data_version, server_default="0"),
    *_timestamps(),
    sa.CheckConstraint("closes_on >= opens_on", name="dates"),
)

RESPONDENT_ROLES = (
    "elected_official",
    "local_agent",
    "state_services",
    "socio_economic",
    "inhabitant",
    "other",
)

response = sa.Table(
    "response",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("campaign_id", "campaign.id", ondelete="CASCADE"),
    sa.Column("respondent_role", sa.String(20), nullable=False),
    _fk("person_id", "person.id", nullable=True, ondelete="SET NULL"),
    # For a network-wide campaign, the territory the respondent answers for (from the link they
    # were given, or their membership); a territory's own campaign leaves it empty.
    _fk("territory_id", "territory.id", nullable=True, ondelete="SET NULL"),
    sa.Column("status", sa.String(10), nullable=False, default="draft"),
    # Lets a respondent without an account come back to a draft.
    sa.Column("resume_code", sa.String(64), nullable=False, unique=True),
    # The raw document as submitted; answers below are its analysable form.
    sa.Column("document", sa.JSON, nullable=False, default=dict),
    sa.Column("submitted_at", UTCDateTime()),
    *_timestamps(),
    sa.CheckConstraint(f"status in {RECORD_STATUSES}", name="status"),
    sa.CheckConstraint(f"respondent_role in {RESPONDENT_ROLES}", name="respondent_role"),
    # A campaign's submitted responses counted by role and hour from this index alone.
    sa.Index("ix_response_campaign_status", "campaign_id", "status", "submitted_at", "respondent_role"),
    # Network steering counts the responses of a period across every campaign, by territory
    # and role: from this index alone, without reading the responses' rows.
    sa.Index(
        "ix_response_submitted_at", "submitted_at", "status", "campaign_id", "territory_id", "respondent_role"
    ),
)

# One row per answer (one per chosen option for multiple choice) so analysis stays in SQL.
answer = sa.Table(
    "answer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "response_id",
        sa.Integer,
        sa.ForeignKey("response.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("question_id", sa.String(60), nullable=False),
    sa.Column("numeric_value", sa.Float),
    sa.Column("text_value", sa.Text),
    # Answers are always reached through their responses (a campaign's, in SQL); the value
    # rides along so that distributions are read from the index alone. No index on the
    # question alone: it led both databases to read every answer of the network to a question.
    sa.Index("ix_answer_response_question", "response_id", "question_id", "numeric_value"),
)

CAMPAIGN_KINDS = ("survey", "live")

# A live workshop: its campaign (kind "live") holds the participants (responses) and answers;
# this row holds what the room is doing now and what it concluded.
workshop = sa.Table(
    "workshop",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "campaign_id",
        sa.Integer,
        sa.ForeignKey("campaign.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("held_on", sa.Date, nullable=False),
    # The template's question ids asked, in order.
    sa.Column("question_ids", sa.JSON, nullable=False),
    # The question on the room's screen (None: the join screen), whether it takes answers, and
    # whether its results are shown (reveal mode hides them until the facilitator shows them).
    sa.Column("current_question", sa.String(60)),
    sa.Column("question_open", sa.Boolean, nullable=False, default=False),
    sa.Column("reveal_mode", sa.Boolean, nullable=False, default=True),
    sa.Column("results_shown", sa.Boolean, nullable=False, default=False),
    # What the room concluded, by question id.
    sa.Column("conclusions", sa.JSON, nullable=False, default=dict),
    _fk("milestone_id", "milestone.id", nullable=True, ondelete="SET NULL"),
    sa.Column("ended_at", UTCDateTime()),
    *_timestamps(),
)

activity_log = sa.Table(
    "activity_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("occurred_at", UTCDateTime(), nullable=False, default=utcnow),
    _fk("person_id", "person.id", nullable=True, ondelete="SET NULL"),
    _fk("territory_id", "territory.id", nullable=True, ondelete="SET NULL"),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("subject_type", sa.String(40)),
    sa.Column("subject_id", sa.Integer),
    sa.Column("details", sa.JSON),
    # Steering counts a territory's entries of a period by kind of action, and a member's
    # logins: both read from these indexes alone, never from the table's rows.
    sa.Index("ix_activity_log_territory_time_action", "territory_id", "occurred_at", "action"),
    sa.Index("ix_activity_log_person_action_time", "person_id", "action", "occurred_at"),
    # The journal lists the newest entries first.
    sa.Index("ix_activity_log_time", "occurred_at"),
)

# --- Mail: the outbox and what it needs (lib/services/mail.py, decision 0016) ---------------

MAIL_KINDS = (
    "invitation",
    "access_request_received",
    "access_request_decided",
    "campaign_link",
    "campaign_reminder",
    "digest",
)
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")
ATTEMPT_OUTCOMES = ("sent", "retry", "refused", "interrupted")

# Every e-mail, written in the same transaction as the action that causes it, then sent by
# ``lib.services.mail.send_due``. The database is the queue: a message is claimed by a
# conditional update (status and claim token) so that two senders never both send it.
outbox_message = sa.Table(
    "outbox_message",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body_text", sa.Text, nullable=False),
    sa.Column("body_html", sa.Text, nullable=False),
    # Optional messages carry the recipient's unsubscribe link (List-Unsubscribe header).
    sa.Column("unsubscribe_url", sa.String(500)),
    # Who may see it besides coordinators, and what purges it with the campaign's addresses.
    _fk("territory_id", "territory.id", nullable=True, ondelete="SET NULL"),
    _fk("campaign_id", "campaign.id", nullable=True, ondelete="CASCADE"),
    # One reminder per address and campaign, one digest per person and week, whoever queues it.
    sa.Column("dedupe_key", sa.String(200), unique=True),
    sa.Column("status", sa.String(10), nullable=False, default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Column("claim_token", sa.String(40)),
    sa.Column("claimed_until", UTCDateTime()),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", UTCDateTime()),
    *_timestamps(),
    sa.CheckConstraint(f"kind in {MAIL_KINDS}", name="kind"),
    sa.CheckConstraint(f"status in {OUTBOX_STATUSES}", name="status"),
    # The sender looks for due messages only.
    sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),
)

# Each time the sender tried a message, and what the SMTP server said.
outbox_attempt = sa.Table(
    "outbox_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("message_id", "outbox_message.id", ondelete="CASCADE"),
    sa.Column("attempted_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Column("outcome", sa.String(12), nullable=False),
    sa.Column("smtp_code", sa.Integer),
    sa.Column("detail", sa.Text),
    sa.CheckConstraint(f"outcome in {ATTEMPT_OUTCOMES}", name="outcome"),
)

# An address the mail system knows: its language when known, and its one-click unsubscribe
# token. A row with an opt-out is kept after a campaign's addresses are purged, so that the
# opposition is honoured; others go with the campaign (``lib.services.mail.purge``).
mail_recipient = sa.Table(
    "mail_recipient",
    metadata,
    sa.Column("email", sa.String(320), primary_key=True),
    sa.Column("language", sa.String(2)),
    sa.Column("unsubscribe_token", sa.String(64), nullable=False, unique=True),
    sa.Column("opted_out_at", UTCDateTime()),
    *_timestamps(),
)

# Addresses a member pasted to send a campaign's link. Personal data: deleted once the campaign
# has closed and the configured delay has passed. ``answered`` is a bare flag set by the
# submission through the personal link, with no time and no reference to the response, so that
# nothing stored links an address to an answer (decision 0016).
campaign_recipient = sa.Table(
    "campaign_recipient",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("campaign_id", "campaign.id", ondelete="CASCADE"),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("answered", sa.Boolean, nullable=False, default=False),
    sa.Column("reminded", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("campaign_id", "email", name="uq_campaign_recipient_campaign_email"),
)

# --- Bookkeeping: kept by the database itself, never part of anybody's data -------------------

# Outside ``metadata`` on purpose: a backup, a restore, the demo's wipe and the emptiness checks
# go through ``metadata`` and must neither carry nor clear these rows (the triggers that keep
# them are in migration 0011; a restore moves the stamp like any other write).
bookkeeping = sa.MetaData(naming_convention=metadata.naming_convention)

# The network's data version: counters that triggers move in the same transaction as every
# write to what the network screens count (``lib.store.stamps``, decision 0015).
network_version = sa.Table(
    "network_version",
    bookkeeping,
    sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)

# Every table the migrations make, for the schema checks.
ALL_METADATA = (metadata, bookkeeping)

# --- Indicators (issue 18) -----------------------------------------------------------------

INDICATOR_UNITS = ("t_co2e", "mwh", "dwellings", "km", "percent", "count", "people")
INDICATOR_DIRECTIONS = ("increase", "decrease")
INDICATOR_NATURES = ("measured", "estimated")

# An indicator a territory follows: one of the network's catalogue (``catalogue_id``, its
# wording read from data/indicators.yaml) or its own (``catalogue_id`` null: name, unit and
# direction stored here).
indicator = sa.Table(
    "indicator",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("territory_id", sa.Integer, sa.ForeignKey("territory.id", ondelete="CASCADE"), nullable=False),
    sa.Column("catalogue_id", sa.String(60)),
    sa.Column("name", sa.String(200)),
    sa.Column("definition", sa.Text),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("direction", sa.String(10), nullable=False),
    _fk("created_by", "person.id", nullable=True, ondelete="SET NULL"),
    *_timestamps(),
    # A catalogue indicator once per territory (own ones, with a null id, as many as wanted).
    sa.UniqueConstraint("territory_id", "catalogue_id", name="uq_indicator_territory_catalogue"),
    sa.CheckConstraint(f"unit in {INDICATOR_UNITS}", name="unit"),
    sa.CheckConstraint(f"direction in {INDICATOR_DIRECTIONS}", name="direction"),
    sa.CheckConstraint("catalogue_id is not null or name is not null", name="named"),
)

# One value per indicator and year (a dated value says its day in ``measured_on``).
indicator_value = sa.Table(
    "indicator_value",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("indicator_id", sa.Integer, sa.ForeignKey("indicator.id", ondelete="CASCADE"), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("measured_on", sa.Date),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("nature", sa.String(10), nullable=False),
    sa.Column("source", sa.String(300)),
    sa.Column("comment", sa.Text),
    _fk("recorded_by", "person.id", nullable=True, ondelete="SET NULL"),
    *_timestamps(),
    sa.UniqueConstraint("indicator_id", "year", name="uq_indicator_value_indicator_year"),
    sa.CheckConstraint(f"nature in {INDICATOR_NATURES}", name="nature"),
)

indicator_target = sa.Table(
    "indicator_target",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("indicator_id", sa.Integer, sa.ForeignKey("indicator.id", ondelete="CASCADE"), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    _fk("recorded_by", "person.id", nullable=True, ondelete="SET NULL"),
    *_timestamps(),
    sa.UniqueConstraint("indicator_id", "year", name="uq_indicator_target_indicator_year"),
)
