"""Déclaration d'accessibilité: what was checked, how, and what is known to fail, in the
structure of the RGAA 4.1 model statement. Reachable from every page's sidebar, logged out
too, and from a share link's form (decision 0023)."""

from __future__ import annotations

import streamlit as st

from components.ui import lang, t
from lib.services import privacy

notice = privacy.notice(True, lang())  # the network's name and contact, as configured
contact = (
    notice.contact
    if notice.contact is not None
    else t("a11y.statement.contact.default", network=notice.network)
)

st.title(t("a11y.statement.title"), anchor=False)
st.write(t("a11y.statement.intro", network=notice.network))

st.header(t("a11y.statement.status.title"), anchor=False)
st.markdown(t("a11y.statement.status.text"))

st.header(t("a11y.statement.results.title"), anchor=False)
st.markdown(t("a11y.statement.results.text"))
st.markdown(t("a11y.statement.results.items"))

st.header(t("a11y.statement.gaps.title"), anchor=False)
st.subheader(t("a11y.statement.gaps.subtitle"), anchor=False)
st.markdown(t("a11y.statement.gaps.items"))
st.markdown(t("a11y.statement.gaps.exemptions"))
st.markdown(t("a11y.statement.gaps.out_of_scope"))

st.header(t("a11y.statement.made.title"), anchor=False)
st.markdown(t("a11y.statement.made.date"))
for part in ("tech", "env", "tools", "pages"):
    st.subheader(t(f"a11y.statement.made.{part}_title"), anchor=False)
    st.markdown(t(f"a11y.statement.made.{part}"))

st.header(t("a11y.statement.contact.title"), anchor=False)
st.markdown(t("a11y.statement.contact.text", contact=contact))

st.header(t("a11y.statement.remedies.title"), anchor=False)
st.markdown(t("a11y.statement.remedies.text"))
