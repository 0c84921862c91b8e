"""Administration (coordinators): territories, peer groups, campaigns, CSV imports, the full export and
personal data (erasure, retention purge) —
the network run without touching the database."""

from __future__ import annotations

import streamlit as st

from components import administration as sections
from components import privacy
from components.ui import actor, section_choice, service_error, t
from lib.domain.errors import ServiceError

person = actor()
st.title(t("admin.title"))
st.caption(t("admin.intro"))

SECTIONS = ("territories", "groups", "campaigns", "imports", "export", "privacy")
section = section_choice("admin.section", SECTIONS)
try:
    if section == "territories":
        sections.territories(person)
    elif section == "groups":
        sections.peer_groups(person)
    elif section == "campaigns":
        sections.campaigns(person)
    elif section == "imports":
        sections.import_csv(person)
    elif section == "export":
        sections.export(person)
    else:
        privacy.administration(person)
except ServiceError as exc:
    service_error(exc)
