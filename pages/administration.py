"""Administration: for coordinators, territories, people, peer groups, campaigns, templates,
CSV imports, the full export and personal data (erasure, retention purge) — the network run
without touching the database; for a territory admin, their own territory's details, people
and campaigns (the services decide what each one sees)."""

from __future__ import annotations

import streamlit as st

from components import administration as sections
from components import people, privacy, template_upload
from components.ui import actor, section_choice, service_error, t
from lib.domain.errors import ServiceError

person = actor()
if person is not None and person.is_coordinator:
    st.title(t("admin.title"))
    st.caption(t("admin.intro"))
    SECTIONS = ("territories", "people", "groups", "campaigns", "templates", "imports", "export", "privacy")
else:  # a territory admin: their own territory, its details, its people and its campaigns
    st.title(t("admin.title_territory"))
    st.caption(t("admin.intro_territory"))
    SECTIONS = ("territories", "people", "campaigns")
section = section_choice("admin.section", SECTIONS)
try:
    if section == "territories":
        sections.territories(person)
    elif section == "people":
        people.section(person)
    elif section == "groups":
        sections.peer_groups(person)
    elif section == "campaigns":
        sections.campaigns(person)
    elif section == "templates":
        template_upload.section(person)
    elif section == "imports":
        sections.import_csv(person)
    elif section == "export":
        sections.export(person)
    else:
        privacy.administration(person)
except ServiceError as exc:
    service_error(exc)
