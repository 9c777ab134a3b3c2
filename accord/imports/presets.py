"""Mappings for the exports of HubSpot and Salesforce, by their documented column names.

Each preset maps an export's standard columns, and translates its lifecycle, status and stage
values into Accord's stages. Columns a preset does not name are matched by name or kept as custom
properties, like any other file. Deal stages map onto the default pipeline (Discovery, Demo,
Proposal, Negotiation); a renamed pipeline needs a mapping file.
"""

from __future__ import annotations

from typing import Any

from accord.errors import AccordError
from accord.imports.mapping import Mapping, parse_mapping

HUBSPOT_LIFECYCLE = {
    "subscriber": "lead",
    "lead": "lead",
    "marketingqualifiedlead": "mql",
    "marketing qualified lead": "mql",
    "salesqualifiedlead": "sql",
    "sales qualified lead": "sql",
    "opportunity": "opportunity",
    "customer": "customer",
    "evangelist": "customer",
    "other": "lead",
}

HUBSPOT_DEAL_STAGES = {
    "appointmentscheduled": "Discovery",
    "appointment scheduled": "Discovery",
    "qualifiedtobuy": "Discovery",
    "qualified to buy": "Discovery",
    "presentationscheduled": "Demo",
    "presentation scheduled": "Demo",
    "decisionmakerboughtin": "Proposal",
    "decision maker bought-in": "Proposal",
    "contractsent": "Negotiation",
    "contract sent": "Negotiation",
    "closedwon": "won",
    "closed won": "won",
    "closedlost": "lost",
    "closed lost": "lost",
}

# Salesforce's standard Lead Status picklist and common variants.
SALESFORCE_LEAD_STATUS = {
    "open - not contacted": "mql",
    "working - contacted": "sal",
    "closed - converted": "sql",
    "closed - not converted": "disqualified",
    "new": "lead",
    "open": "mql",
    "contacted": "sal",
    "working": "sal",
    "qualified": "sql",
    "converted": "sql",
    "unqualified": "disqualified",
    "nurturing": "recycled",
}

SALESFORCE_OPPORTUNITY_STAGES = {
    "prospecting": "Discovery",
    "qualification": "Discovery",
    "needs analysis": "Discovery",
    "value proposition": "Demo",
    "id. decision makers": "Demo",
    "perception analysis": "Proposal",
    "proposal/price quote": "Proposal",
    "negotiation/review": "Negotiation",
    "closed won": "won",
    "closed lost": "lost",
}

SALESFORCE_CAMPAIGN_TYPES = {
    "webinar": "webinar",
    "email": "email",
    "conference": "events",
    "trade show": "events",
    "seminar / conference": "events",
    "advertisement": "paid_search",
    "banner ads": "paid_social",
    "direct mail": "outbound",
    "telemarketing": "outbound",
    "public relations": "content",
    "partners": "partner",
    "referral program": "referral",
    "other": "direct",
}

SALESFORCE_MEMBER_STATUS = {
    "sent": "email_open",
    "opened": "email_open",
    "clicked": "email_click",
    "responded": "form_submit",
    "registered": "form_submit",
    "attended": "event",
}

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "hubspot": {
        "leads": {
            "columns": {
                "Record ID": "external_id",
                "First Name": "first_name",
                "Last Name": "last_name",
                "Email": "email",
                "Job Title": "title",
                "Phone Number": "phone",
                "Company Name": "company",
                "Lifecycle Stage": {"field": "stage", "values": HUBSPOT_LIFECYCLE},
                "Original Source": "source",
                "Create Date": "created_at",
                "Became a Marketing Qualified Lead Date": "mql_at",
                "Became a Sales Qualified Lead Date": "sql_at",
                "Became an Opportunity Date": "opportunity_at",
                "Became a Customer Date": "customer_at",
                "Associated Company ID": {"field": "account", "by": "external_id"},
            },
        },
        "accounts": {
            "columns": {
                "Record ID": "external_id",
                "Company name": "name",
                "Company Domain Name": "domain",
                "Industry": "industry",
                "Number of Employees": "employees",
                "Country/Region": "country",
                "Create Date": "created_at",
            },
        },
        "deals": {
            "columns": {
                "Record ID": "external_id",
                "Deal Name": "name",
                "Amount": "amount",
                "Deal Stage": {"field": "stage", "values": HUBSPOT_DEAL_STAGES},
                "Close Date": "closed_at",
                "Create Date": "created_at",
                "Closed Lost Reason": "loss_reason",
                "Associated Company ID": {"field": "account", "by": "external_id"},
                "Associated Contact ID": {"field": "lead", "by": "external_id"},
            },
            "ignore": ["Pipeline"],
        },
    },
    "salesforce": {
        "leads": {
            "columns": {
                "Lead ID": "external_id",
                "First Name": "first_name",
                "Last Name": "last_name",
                "Email": "email",
                "Title": "title",
                "Phone": "phone",
                "Company": "company",
                "Lead Source": "source",
                "Lead Status": {"field": "stage", "values": SALESFORCE_LEAD_STATUS},
                "Converted Date": "sql_at",
                "Created Date": "created_at",
            },
        },
        "accounts": {
            "columns": {
                "Account ID": "external_id",
                "Account Name": "name",
                "Website": "domain",
                "Industry": "industry",
                "Employees": "employees",
                "Billing Country": "country",
                "Created Date": "created_at",
            },
        },
        "deals": {
            "columns": {
                "Opportunity ID": "external_id",
                "Opportunity Name": "name",
                "Stage": {"field": "stage", "values": SALESFORCE_OPPORTUNITY_STAGES},
                "Amount": "amount",
                "Close Date": "closed_at",
                "Created Date": "created_at",
                "Account ID": {"field": "account", "by": "external_id"},
                "Loss Reason": "loss_reason",
            },
            "ignore": ["Probability (%)", "Fiscal Period"],
        },
        "campaigns": {
            "columns": {
                "Campaign ID": "external_id",
                "Campaign Name": "name",
                "Type": {"field": "channel", "values": SALESFORCE_CAMPAIGN_TYPES},
                "Start Date": "starts_on",
                "End Date": "ends_on",
                "Actual Cost": "cost",
                "Description": "description",
            },
            "ignore": ["Budgeted Cost", "Status", "Active"],
        },
        "touches": {
            "columns": {
                "Campaign Member ID": "external_id",
                "Lead ID": {"field": "lead", "by": "external_id"},
                "Campaign ID": {"field": "campaign", "by": "external_id"},
                "Member Status": {"field": "kind", "values": SALESFORCE_MEMBER_STATUS},
                "Created Date": "at",
            },
        },
    },
}


def preset_mapping(preset: str, entity: str) -> Mapping:
    """The preset's mapping for ``entity`` (empty when the preset has none for it)."""
    if preset not in PRESETS:
        raise AccordError(
            f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}",
            fields={"preset": ["unknown preset"]},
        )
    return parse_mapping(PRESETS[preset].get(entity, {"columns": {}}), entity)
