"""The areas of Accord, in the order the navigation shows them.

Areas whose capability is not built yet point at a page that says what they will hold, so no
link is ever broken.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    kwargs: dict[str, str] = field(default_factory=dict)
    children: tuple[NavItem, ...] = ()


@dataclass(frozen=True)
class Area:
    """An area of the product not built yet, and what it will hold."""

    slug: str
    title: str
    icon: str
    summary: str
    holds: tuple[str, ...]


UPCOMING: dict[str, Area] = {
    area.slug: area
    for area in (
        Area(
            "handoff",
            "Handoff",
            "arrows-exchange",
            "Routing qualified leads to sales and holding both sides to the clock.",
            (
                "Routing rules and assignments",
                "Accept or reject with a reason",
                "SLA clocks in business hours",
                "Breaches and escalation",
            ),
        ),
        Area(
            "feedback",
            "Feedback",
            "messages",
            "Sales' word on lead quality and what customers say, reaching marketing.",
            (
                "Lead quality verdicts with reasons",
                "Customer questions, objections, competitors",
                "Content and campaign feedback",
            ),
        ),
        Area(
            "content",
            "Content",
            "books",
            "Sales-enablement assets tagged by persona and stage, and where they were used.",
            ("Asset library", "Uses on leads and deals", "What content helps close"),
        ),
        Area(
            "analytics",
            "Reports",
            "chart-bar",
            "One set of numbers for both teams.",
            (
                "Funnel and conversion",
                "Velocity and win rate",
                "Pipeline and coverage",
                "Attribution and campaign ROI",
                "SLA compliance for both sides",
            ),
        ),
        Area(
            "rhythm",
            "Rhythm",
            "calendar-event",
            "Meetings, goals and celebrations that keep the teams in step.",
            (
                "Smarketing meetings with a data pack",
                "Action items",
                "Shadowing",
                "Shared goals with progress",
                "Celebrations",
            ),
        ),
    )
}

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "home", "home"),
    NavItem(
        "Funnel",
        "leads",
        "filter",
        children=(
            NavItem("Leads", "leads", "users"),
            NavItem("Accounts", "accounts", "building"),
            NavItem("Deals", "deals", "briefcase"),
        ),
    ),
    NavItem("Campaigns", "campaigns", "speakerphone"),
    NavItem(
        "Agreement",
        "agreement",
        "file-certificate",
        children=(
            NavItem("In force", "agreement", "file-certificate"),
            NavItem("Proposals", "proposals", "file-pencil"),
            NavItem("Versions", "agreement_versions", "history"),
            NavItem("Personas", "personas", "users-group"),
            NavItem("Scoring models", "scoring_models", "gauge"),
        ),
    ),
    *(NavItem(a.title, "area", a.icon, kwargs={"slug": a.slug}) for a in UPCOMING.values()),
    NavItem("Import", "import_start", "file-import"),
)
