"""Reflexive feedback: templates, campaigns, answering through a share link, results, exports —
one module per concern, one public surface: pages, components and tests import from
``lib.services.feedback``, never from its modules.

Rights: opening a campaign needs MANAGE_CAMPAIGNS on its territory (a network-wide campaign:
coordinators only); results and exports need VIEW_RESULTS. Answering needs no account: the
share token IS the permission to answer that one campaign, and the resume code the
permission to read and continue one draft — both unguessable. A logged-in member who answers
from inside the app is checked for ANSWER_FORM as well.
"""

from lib.services.feedback.answering import (
    NAME_MAX,
    AlreadySent,
    CampaignUnavailable,
    Draft,
    format_code,
    normalise_code,
    resume_response,
    save_draft,
    start_response,
    submit_response,
)
from lib.services.feedback.campaign_results import Results, results
from lib.services.feedback.campaigns import (
    CAMPAIGNS_PER_PAGE,
    TARGET_MAX,
    TITLE_MAX,
    Campaign,
    CampaignAnswered,
    CampaignHasResponses,
    CampaignsPage,
    CampaignState,
    PublicCampaign,
    campaign_preview,
    campaigns_page,
    close_campaign,
    delete_campaign,
    edit_campaign,
    list_campaigns,
    may_answer,
    may_manage,
    open_campaign,
    public_campaign,
    reopen_campaign,
    results_campaigns,
    state_on,
)
from lib.services.feedback.exports import export_csv, export_table, export_xlsx
from lib.services.feedback.templates import (
    TemplateChoice,
    TemplateUpload,
    check_template_upload,
    edit_template,
    ensure_templates,
    list_templates,
    publish_template,
)

__all__ = [
    "CAMPAIGNS_PER_PAGE",
    "NAME_MAX",
    "TARGET_MAX",
    "TITLE_MAX",
    "AlreadySent",
    "Campaign",
    "CampaignAnswered",
    "CampaignHasResponses",
    "CampaignState",
    "CampaignUnavailable",
    "CampaignsPage",
    "Draft",
    "PublicCampaign",
    "Results",
    "TemplateChoice",
    "TemplateUpload",
    "campaign_preview",
    "campaigns_page",
    "check_template_upload",
    "close_campaign",
    "delete_campaign",
    "edit_campaign",
    "edit_template",
    "ensure_templates",
    "export_csv",
    "export_table",
    "export_xlsx",
    "format_code",
    "list_campaigns",
    "list_templates",
    "may_answer",
    "may_manage",
    "normalise_code",
    "open_campaign",
    "public_campaign",
    "publish_template",
    "reopen_campaign",
    "results",
    "results_campaigns",
    "resume_response",
    "save_draft",
    "start_response",
    "state_on",
    "submit_response",
]
