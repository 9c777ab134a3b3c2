"""The fixed cast and vocabulary of the demo company, Northwind Analytics.

Northwind sells an analytics platform (a metrics layer and forecasting on top of the customer's
data warehouse) to finance, data and revenue teams, from small companies to enterprises.
"""

from __future__ import annotations

from dataclasses import dataclass

from accord.campaigns.models import Channel, TouchKind
from accord.funnel.models import Segment
from accord.teams.models import Role, Team

COMPANY = "Northwind Analytics"
STAFF_DOMAIN = "northwind.example"
# One password for every demo login: it is printed on the terminal, it is a demo.
DEMO_PASSWORD = "northwind-demo"


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    team: str
    role: str
    job: str


# The people shown as logins, one per role, come first in their team.
PEOPLE: tuple[Person, ...] = (
    Person("grace", "Grace", "Holloway", Team.LEADERSHIP, Role.HEAD, "Chief Executive Officer"),
    Person("owen", "Owen", "Price", Team.OPERATIONS, Role.ADMIN, "Revenue Operations Lead"),
    Person("maya", "Maya", "Lindqvist", Team.MARKETING, Role.HEAD, "VP Marketing"),
    Person("leo", "Leo", "Fischer", Team.MARKETING, Role.MEMBER, "Demand Generation Manager"),
    Person("priya", "Priya", "Nair", Team.MARKETING, Role.MEMBER, "Content Marketing Manager"),
    Person("tomas", "Tomás", "Alvarez", Team.MARKETING, Role.MEMBER, "Marketing Operations"),
    Person("daniel", "Daniel", "Brooks", Team.SALES, Role.HEAD, "VP Sales"),
    Person("ravi", "Ravi", "Kumar", Team.SALES, Role.REP, "Account Executive"),
    Person("emma", "Emma", "Schultz", Team.SALES, Role.REP, "Account Executive"),
    Person("jonas", "Jonas", "Berg", Team.SALES, Role.REP, "Enterprise Account Executive"),
    Person("chloe", "Chloe", "Martin", Team.SALES, Role.REP, "Account Executive"),
)

# One login per role, in the order the terminal lists them.
LOGINS: tuple[str, ...] = ("maya", "leo", "daniel", "ravi", "grace", "owen")


@dataclass(frozen=True)
class Country:
    name: str
    locale: str
    tld: str
    dial: str
    weight: int


COUNTRIES: tuple[Country, ...] = (
    Country("United States", "en_US", "com", "1", 40),
    Country("United Kingdom", "en_GB", "co.uk", "44", 12),
    Country("Germany", "de_DE", "de", "49", 10),
    Country("Canada", "en_CA", "ca", "1", 6),
    Country("France", "fr_FR", "fr", "33", 6),
    Country("Netherlands", "nl_NL", "nl", "31", 5),
    Country("Australia", "en_AU", "com.au", "61", 5),
    Country("Sweden", "sv_SE", "se", "46", 4),
    Country("Spain", "es_ES", "es", "34", 4),
    Country("Ireland", "en_IE", "ie", "353", 3),
    Country("Switzerland", "de_CH", "ch", "41", 3),
    Country("Denmark", "da_DK", "dk", "45", 2),
)

LEGAL_SUFFIX = {
    "United States": ("Inc.", "", "", "LLC"),
    "Canada": ("Inc.", "", "Ltd."),
    "United Kingdom": ("Ltd", "", "plc"),
    "Ireland": ("Ltd", ""),
    "Australia": ("Pty Ltd", ""),
    "Germany": ("GmbH", "AG", ""),
    "Switzerland": ("AG", "GmbH"),
    "France": ("SAS", "SA", ""),
    "Netherlands": ("B.V.", ""),
    "Sweden": ("AB", ""),
    "Denmark": ("ApS", "A/S"),
    "Spain": ("S.L.", "S.A."),
}

# Industry → words that make believable company names in it.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Software": ("Software", "Labs", "Cloud", "Systems", "Technologies"),
    "Financial services": ("Capital", "Finance", "Payments", "Bank", "Insurance"),
    "Healthcare": ("Health", "Care", "Medical", "Clinics", "Bio"),
    "Retail & e-commerce": ("Retail", "Commerce", "Stores", "Brands", "Market"),
    "Manufacturing": ("Manufacturing", "Industries", "Components", "Machines", "Materials"),
    "Logistics": ("Logistics", "Freight", "Transport", "Shipping", "Supply"),
    "Professional services": ("Consulting", "Partners", "Advisory", "Group", "Associates"),
    "Media": ("Media", "Studios", "Publishing", "Digital", "Entertainment"),
    "Education": ("Learning", "Education", "Academy", "Schools", "Training"),
    "Telecommunications": ("Telecom", "Networks", "Connect", "Mobile", "Fibre"),
}
INDUSTRY_WEIGHTS: dict[str, int] = {
    "Software": 22,
    "Financial services": 14,
    "Healthcare": 10,
    "Retail & e-commerce": 12,
    "Manufacturing": 10,
    "Logistics": 8,
    "Professional services": 10,
    "Media": 5,
    "Education": 4,
    "Telecommunications": 5,
}

NAME_HEADS = (
    "Blue", "Bright", "North", "Silver", "Red", "Iron", "Clear", "Green", "Summit", "Harbor",
    "Pioneer", "Vertex", "Crest", "Lumen", "Nova", "Atlas", "Beacon", "Cedar", "Delta", "Ember",
    "Granite", "Maple", "Orbit", "Polar", "Quarry", "River", "Solar", "Tidal", "Upland", "Willow",
)  # fmt: skip
NAME_TAILS = (
    "field", "stone", "bridge", "point", "wave", "line", "path", "gate", "works", "scale",
    "leaf", "peak", "light", "brook", "ridge", "vale", "port", "spring", "wood", "haven",
)  # fmt: skip

# Segment → (share of accounts, employees range, relative lead volume per account).
SEGMENTS: dict[str, tuple[int, tuple[int, int], float]] = {
    Segment.SMB: (55, (10, 200), 1.0),
    Segment.MID_MARKET: (32, (201, 2000), 2.2),
    Segment.ENTERPRISE: (13, (2001, 60000), 4.5),
}

FREEMAIL = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me")

# Buyer titles by seniority: (titles, weight, fit factor for becoming an MQL).
TITLES: tuple[tuple[tuple[str, ...], int, float], ...] = (
    (
        (
            "VP of Data",
            "Head of Analytics",
            "Chief Data Officer",
            "CFO",
            "VP Finance",
            "CTO",
            "Director of Business Intelligence",
            "VP Revenue Operations",
            "Head of Data Engineering",
            "COO",
        ),
        20,
        1.55,
    ),
    (
        (
            "Analytics Manager",
            "Data Engineer",
            "BI Developer",
            "Senior Data Analyst",
            "Analytics Engineer",
            "FP&A Manager",
            "Revenue Operations Manager",
            "Data Scientist",
            "Marketing Analyst",
        ),
        50,
        1.05,
    ),
    (
        (
            "Data Analyst",
            "Business Analyst",
            "Marketing Coordinator",
            "Intern",
            "Student",
            "Consultant",
            "Software Engineer",
        ),
        30,
        0.45,
    ),
)

# Where leads first come from (the lead's source), with weights and how likely such a lead is to
# become an MQL relative to the average.
SOURCES: dict[str, tuple[int, float]] = {
    Channel.ORGANIC_SEARCH: (22, 0.9),
    Channel.PAID_SEARCH: (14, 1.05),
    Channel.PAID_SOCIAL: (9, 0.7),
    Channel.ORGANIC_SOCIAL: (4, 0.6),
    Channel.EMAIL: (4, 0.8),
    Channel.WEBINAR: (9, 1.15),
    Channel.EVENTS: (8, 1.0),
    Channel.CONTENT: (10, 0.75),
    Channel.REFERRAL: (5, 1.7),
    Channel.PARTNER: (4, 1.5),
    Channel.DIRECT: (6, 1.35),
    Channel.OUTBOUND: (5, 1.2),
}

# The touch that creates a lead, by source channel: (kind, content) choices.
CREATION_TOUCH: dict[str, tuple[tuple[str, str], ...]] = {
    Channel.ORGANIC_SEARCH: (
        (TouchKind.CONTENT_DOWNLOAD, "Ebook: The modern metrics layer"),
        (TouchKind.FORM_SUBMIT, "Free trial sign-up"),
        (TouchKind.FORM_SUBMIT, "Contact us form"),
    ),
    Channel.PAID_SEARCH: (
        (TouchKind.FORM_SUBMIT, "Free trial sign-up"),
        (TouchKind.DEMO_REQUEST, "Demo request form"),
        (TouchKind.CONTENT_DOWNLOAD, "Guide: Forecasting playbook"),
    ),
    Channel.PAID_SOCIAL: (
        (TouchKind.CONTENT_DOWNLOAD, "Report: State of B2B analytics"),
        (TouchKind.FORM_SUBMIT, "LinkedIn lead form"),
    ),
    Channel.ORGANIC_SOCIAL: (
        (TouchKind.CONTENT_DOWNLOAD, "Template: Board KPI pack"),
        (TouchKind.FORM_SUBMIT, "Newsletter sign-up"),
    ),
    Channel.EMAIL: ((TouchKind.FORM_SUBMIT, "Newsletter sign-up"),),
    Channel.WEBINAR: ((TouchKind.WEBINAR, ""),),
    Channel.EVENTS: ((TouchKind.EVENT, ""),),
    Channel.CONTENT: (
        (TouchKind.CONTENT_DOWNLOAD, "Ebook: The modern metrics layer"),
        (TouchKind.CONTENT_DOWNLOAD, "Report: State of B2B analytics"),
        (TouchKind.CONTENT_DOWNLOAD, "Template: Board KPI pack"),
        (TouchKind.CONTENT_DOWNLOAD, "Guide: Forecasting playbook"),
    ),
    Channel.REFERRAL: (
        (TouchKind.DEMO_REQUEST, "Demo request form"),
        (TouchKind.FORM_SUBMIT, "Referral form"),
    ),
    Channel.PARTNER: (
        (TouchKind.FORM_SUBMIT, "Partner referral form"),
        (TouchKind.DEMO_REQUEST, "Demo request via partner"),
    ),
    Channel.DIRECT: (
        (TouchKind.DEMO_REQUEST, "Demo request form"),
        (TouchKind.FORM_SUBMIT, "Free trial sign-up"),
        (TouchKind.FORM_SUBMIT, "Contact us form"),
    ),
    Channel.OUTBOUND: ((TouchKind.SALES_EMAIL, "Intro: one set of numbers for sales and finance"),),
}

# Touches before a lead is known (cookie history), by source channel.
FIRST_TOUCH: dict[str, str] = {
    Channel.ORGANIC_SEARCH: TouchKind.PAGE_VIEW,
    Channel.PAID_SEARCH: TouchKind.AD_CLICK,
    Channel.PAID_SOCIAL: TouchKind.AD_CLICK,
    Channel.ORGANIC_SOCIAL: TouchKind.PAGE_VIEW,
    Channel.EMAIL: TouchKind.PAGE_VIEW,
    Channel.WEBINAR: TouchKind.PAGE_VIEW,
    Channel.EVENTS: TouchKind.PAGE_VIEW,
    Channel.CONTENT: TouchKind.PAGE_VIEW,
    Channel.REFERRAL: TouchKind.PAGE_VIEW,
    Channel.PARTNER: TouchKind.PAGE_VIEW,
    Channel.DIRECT: TouchKind.PAGE_VIEW,
    Channel.OUTBOUND: TouchKind.SALES_EMAIL,
}

PAGES = (
    "/",
    "/pricing",
    "/product/metrics-layer",
    "/product/forecasting",
    "/customers",
    "/integrations/snowflake",
    "/integrations/bigquery",
    "/security",
    "/docs/getting-started",
    "/compare/looker",
    "/blog/one-set-of-numbers",
    "/blog/forecasting-from-the-warehouse",
    "/blog/board-reporting-without-spreadsheets",
)
ASSETS = (
    "Ebook: The modern metrics layer",
    "Report: State of B2B analytics",
    "Template: Board KPI pack",
    "Guide: Forecasting playbook",
    "Case study: how a retailer closed its books 4 days faster",
    "Case study: one revenue forecast for sales and finance",
)
# How a buyer meets each kind of campaign, told in the touch's content.
AD_CREATIVES = (
    "Ad: One forecast for sales and finance",
    "Ad: See Northwind in 30 minutes",
    "Ad: Board reporting without spreadsheets",
    "Ad: The metrics layer for your warehouse",
)
WEBINAR_ATTENDANCE = ("Attended live", "Attended live", "Registered, watched the recording")
EVENT_ENCOUNTERS = ("Badge scan at the booth", "Attended our talk", "Meeting at the booth")
NURTURE_EMAILS = (
    "Your guide to a single source of truth",
    "How finance and sales agreed on one forecast",
    "3 metrics every board asks for",
    "Northwind in 30 minutes: watch the demo",
    "What is a metrics layer, really?",
    "Customer story: from 40 dashboards to 1",
)
# What makes an engaged lead an MQL: the touch just before it.
MQL_TRIGGERS: tuple[tuple[str, str], ...] = (
    (TouchKind.DEMO_REQUEST, "Demo request form"),
    (TouchKind.DEMO_REQUEST, "Demo request form"),
    (TouchKind.CONTENT_DOWNLOAD, "Guide: Forecasting playbook"),
    (TouchKind.PAGE_VIEW, "/pricing"),
    (TouchKind.FORM_SUBMIT, "Contact us form"),
    (TouchKind.FORM_SUBMIT, "Free trial sign-up"),
)
PROSPECTING: tuple[tuple[str, str], ...] = (
    (TouchKind.SALES_EMAIL, "Follow-up: a 20-minute look at your month-end numbers"),
    (TouchKind.SALES_EMAIL, "Case study from a peer in your industry"),
    (TouchKind.CALL, "Prospecting call: no answer"),
    (TouchKind.CALL, "Prospecting call: connected, 6 min"),
)
SALES_ACTIVITY: dict[str, tuple[tuple[str, str], ...]] = {
    "accept": (
        (TouchKind.SALES_EMAIL, "Intro and a few times to talk"),
        (TouchKind.CALL, "First call: left a voicemail"),
        (TouchKind.CALL, "First call: connected, 12 min"),
    ),
    "qualify": (
        (TouchKind.MEETING, "Discovery meeting"),
        (TouchKind.CALL, "Follow-up call"),
        (TouchKind.SALES_EMAIL, "Recap and next steps"),
        (TouchKind.MEETING, "Product demo"),
    ),
    "propose": (
        (TouchKind.MEETING, "Product demo for the wider team"),
        (TouchKind.MEETING, "Technical deep-dive"),
        (TouchKind.SALES_EMAIL, "Pricing options"),
        (TouchKind.PAGE_VIEW, "/pricing"),
        (TouchKind.PAGE_VIEW, "/security"),
    ),
    "close": (
        (TouchKind.MEETING, "Proposal review"),
        (TouchKind.MEETING, "Security review"),
        (TouchKind.SALES_EMAIL, "Proposal sent"),
        (TouchKind.SALES_EMAIL, "Checking in on the proposal"),
        (TouchKind.CALL, "Negotiation call"),
        (TouchKind.CONTENT_DOWNLOAD, "Case study: one revenue forecast for sales and finance"),
    ),
    "customer": (
        (TouchKind.MEETING, "Onboarding kickoff"),
        (TouchKind.EMAIL_OPEN, "Welcome to Northwind"),
        (TouchKind.MEETING, "First business review"),
    ),
}

MQL_REJECTIONS = (
    "Not ready to buy: back to nurture",
    "No budget this year",
    "Wrong contact: referred to a colleague",
    "Unresponsive after 5 attempts",
    "Already evaluating with a partner",
)
SALES_RECYCLE = (
    "No project before next quarter",
    "Champion left the company",
    "Unresponsive after 5 attempts",
    "No budget this year",
    "Chose to build in-house for now",
)
DISQUALIFY = (
    "Student or personal use",
    "Competitor",
    "Invalid contact details",
    "Outside our market",
    "Too small for our product",
)
LOSS_REASONS: tuple[tuple[str, int], ...] = (
    ("Price", 20),
    ("Chose a competitor (Looker)", 14),
    ("Chose a competitor (Power BI)", 12),
    ("No decision / status quo", 22),
    ("Timing: budget frozen", 12),
    ("Missing feature", 10),
    ("Went dark", 7),
    ("Failed security review", 3),
)

# Segment → (plan name, amount range, rounding, median sales cycle in days, win-rate factor).
DEAL_TERMS: dict[str, tuple[str, tuple[int, int], int, float, float]] = {
    Segment.SMB: ("Team plan", (6_000, 24_000), 500, 28.0, 1.15),
    Segment.MID_MARKET: ("Business plan", (24_000, 96_000), 1_000, 55.0, 1.0),
    Segment.ENTERPRISE: ("Enterprise", (120_000, 480_000), 5_000, 105.0, 0.8),
}

NOTES = (
    "Spoke with {name}: they run month-end reporting from spreadsheets and want one forecast.",
    "{name} asked for a Snowflake reference customer in {industry}.",
    "Budget sits with finance; {name} will bring the CFO to the demo.",
    "Compared us with Looker last year; pricing was the blocker then.",
    "Security questionnaire sent to {name}'s IT team.",
    "Good fit: data team of 6, warehouse already in place.",
    "Asked marketing for the board KPI template to share internally.",
    "{name} prefers email; not available until after the quarter close.",
)

WAREHOUSES = ("Snowflake", "BigQuery", "Redshift", "Databricks", "PostgreSQL", "Azure Synapse")


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign of the demo year.

    ``start`` is in days after the start of the history; ``days`` is its length (None: still
    running); ``cost`` is per 30 days for running campaigns unless ``one_off``, and in total
    otherwise. Names may use ``{mon}`` and ``{year}`` of the start date.
    """

    name: str
    channel: str
    start: int
    days: int | None
    cost: int
    description: str
    owner_team: str = Team.MARKETING
    one_off: bool = False


CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec("Google Ads - Brand", Channel.PAID_SEARCH, 0, None, 1_800,
                 "Brand keywords, always on."),
    CampaignSpec("Google Ads - Metrics layer keywords", Channel.PAID_SEARCH, 0, None, 6_000,
                 "Non-brand search: metrics layer, KPI software, revenue forecasting."),
    CampaignSpec("Google Ads - Competitor keywords", Channel.PAID_SEARCH, 120, None, 3_500,
                 "Comparison keywords against the big BI suites."),
    CampaignSpec("LinkedIn Ads - Data leaders", Channel.PAID_SOCIAL, 0, None, 7_000,
                 "Heads of data and analytics in mid-market and enterprise accounts."),
    CampaignSpec("LinkedIn Ads - Finance leaders", Channel.PAID_SOCIAL, 150, 180, 5_000,
                 "CFOs and FP&A leads: one forecast for sales and finance."),
    CampaignSpec("Retargeting - Website visitors", Channel.PAID_SOCIAL, 30, None, 1_500,
                 "Visitors of pricing and product pages in the last 30 days."),
    CampaignSpec("Blog & SEO programme", Channel.ORGANIC_SEARCH, 0, None, 4_000,
                 "Two articles a week on metrics, forecasting and board reporting."),
    CampaignSpec("Comparison pages", Channel.ORGANIC_SEARCH, 110, None, 1_500,
                 "Honest comparison pages against the tools buyers already know."),
    CampaignSpec("LinkedIn organic - Founder posts", Channel.ORGANIC_SOCIAL, 0, None, 500,
                 "Weekly posts by the founders and the data team."),
    CampaignSpec("Monthly newsletter", Channel.EMAIL, 0, None, 400,
                 "The Northwind Monthly: one idea, one customer story, one template."),
    CampaignSpec("Nurture - New subscriber", Channel.EMAIL, 0, None, 300,
                 "Six emails over six weeks after a first download."),
    CampaignSpec("Nurture - Trial to demo", Channel.EMAIL, 100, None, 300,
                 "Trial users who have not booked a demo yet."),
    CampaignSpec("Product launch - Northwind Forecast", Channel.EMAIL, 205, 14, 6_000,
                 "Launch of the forecasting module to the whole database."),
    CampaignSpec("Webinar ({mon} {year}): Forecasting from your warehouse", Channel.WEBINAR, 40,
                 1, 3_500, "Live session with a customer's head of FP&A."),
    CampaignSpec("Webinar ({mon} {year}): One set of numbers for sales and finance",
                 Channel.WEBINAR, 130, 1, 4_000, "Panel with two revenue operations leads."),
    CampaignSpec("Webinar ({mon} {year}): A metrics layer in 30 minutes", Channel.WEBINAR, 225,
                 1, 3_000, "Hands-on: from raw tables to governed metrics."),
    CampaignSpec("Webinar ({mon} {year}): Board reporting without spreadsheets",
                 Channel.WEBINAR, 315, 1, 3_500, "With the board KPI pack template."),
    CampaignSpec("SaaStr Annual {year}", Channel.EVENTS, 85, 3, 42_000,
                 "Booth, two speaking slots and a customer dinner."),
    CampaignSpec("Gartner Data & Analytics Summit {year}", Channel.EVENTS, 160, 3, 55_000,
                 "Booth and analyst meetings."),
    CampaignSpec("Big Data London {year}", Channel.EVENTS, 255, 2, 35_000,
                 "Booth and a talk on metrics layers."),
    CampaignSpec("Northwind roadshow - Berlin", Channel.EVENTS, 300, 1, 12_000,
                 "Half-day workshop for DACH prospects and customers."),
    CampaignSpec("Customer dinner - New York", Channel.EVENTS, 335, 1, 8_000,
                 "Dinner for target accounts with three customer CFOs."),
    CampaignSpec("Ebook: The modern metrics layer", Channel.CONTENT, 0, None, 9_000,
                 "Gated ebook, the main top-of-funnel asset.", one_off=True),
    CampaignSpec("Template: Board KPI pack", Channel.CONTENT, 90, None, 4_000,
                 "Spreadsheet and slide template for board reporting.", one_off=True),
    CampaignSpec("Report: State of B2B analytics", Channel.CONTENT, 180, None, 12_000,
                 "Survey of 400 data and finance leaders.", one_off=True),
    CampaignSpec("Guide: Forecasting playbook", Channel.CONTENT, 270, None, 5_000,
                 "Step-by-step guide to a shared revenue forecast.", one_off=True),
    CampaignSpec("Partner programme - Snowflake Marketplace", Channel.PARTNER, 0, None, 3_000,
                 "Listing and co-selling with the warehouse's partner team."),
    CampaignSpec("Partner programme - Consultancies", Channel.PARTNER, 60, None, 1_500,
                 "Referral fees for data consultancies."),
    CampaignSpec("Customer referral programme", Channel.REFERRAL, 0, None, 1_000,
                 "A month free for every referred customer."),
    CampaignSpec("Outbound - Enterprise ABM", Channel.OUTBOUND, 0, None, 4_000,
                 "Sequences to the target account list.", Team.SALES),
    CampaignSpec("Outbound - Mid-market sequences", Channel.OUTBOUND, 150, None, 2_500,
                 "Sequences to mid-market data leaders.", Team.SALES),
)  # fmt: skip
