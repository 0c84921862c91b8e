"""Administration → Templates: the stored templates, then a YAML file uploaded, checked (what is
wrong named by line and key, under the file field), previewed as a respondent sees it, and
published as a version (``lib.services.feedback``: check_template_upload, publish_template)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import actions
from components.form_renderer import render_preview
from components.ui import engine, field_error, lang, t, t_text
from lib.access import Actor
from lib.domain.errors import ValidationFailed
from lib.services import feedback

ss = st.session_state
PUBLISH = "admin.template.publish"


def section(me: Actor) -> None:
    st.caption(t("admin.template.intro"))
    stored = feedback.list_templates(engine(), me)
    st.dataframe(
        pd.DataFrame(
            {
                t_text("admin.template.col.title"): [c.title(lang()) for c in stored],
                t_text("admin.template.col.slug"): [c.slug for c in stored],
                t_text("admin.template.col.version"): [c.version for c in stored],
            }
        ),
        hide_index=True,
        use_container_width=True,
    )
    # A new uploader after each publication: the next file starts afresh (a file uploader's
    # value cannot be set back).
    field = f"admin.template.file.{ss.get('admin.template.round', 0)}"
    uploaded = st.file_uploader(t("admin.template.file"), type=["yaml", "yml"], key=field)
    if uploaded is None:
        actions.outcome(PUBLISH)  # "published": the file field is emptied after it
        return
    content = uploaded.getvalue()
    try:
        checked = feedback.check_template_upload(engine(), me, content)
    except ValidationFailed as exc:
        field_error(exc.errors, "file")
        return
    field_error(actions.errors(PUBLISH), "file")
    _where_it_goes(checked)

    def publish() -> dict:
        template_id, version = feedback.publish_template(engine(), actions.rights_now(me), content)
        ss["admin.template.round"] = ss.get("admin.template.round", 0) + 1
        return {"title": checked.template.title(lang()), "version": version, "id": template_id}

    actions.button(
        PUBLISH,
        t("admin.template.publish"),
        publish,
        done=lambda published: (
            "admin.template.published",
            {"title": published["title"], "version": published["version"]},
        ),
        icon=":material/publish:",
        type="primary",
    )
    actions.outcome(PUBLISH)
    with st.container(border=True):
        st.markdown(f"**{t('admin.template.preview', title=checked.template.title(lang()))}**")
        st.caption(t("admin.campaign.preview_help"))
        render_preview(checked.template, f"admin.template.preview.{checked.template.slug}")


def _where_it_goes(checked: feedback.TemplateUpload) -> None:
    step, version = str(checked.step), checked.version
    if step == "keep":
        st.info(t("admin.template.keep", version=version), icon=":material/check:")
    elif step == "update":
        st.info(t("admin.template.update", version=version), icon=":material/edit_note:")
    elif checked.first:
        st.info(t("admin.template.new", version=version), icon=":material/new_releases:")
    else:
        st.info(t("admin.template.answered", version=version), icon=":material/history:")
