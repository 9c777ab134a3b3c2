"""The agreement as a PDF: every section of the document and the signatures, laid out by
reportlab."""

from __future__ import annotations

import base64
import re
import zlib

import pytest

from accord.agreement.pdf import agreement_pdf_bytes
from accord.agreement.selectors import agreement_document
from accord.agreement.signoff import agreement_propose, agreement_sign, agreement_update
from accord.agreement.views import signature_slots

pytestmark = pytest.mark.django_db


def page_text(pdf: bytes) -> str:
    """The text drawn on the pages: reportlab writes each page as an ASCII85, deflated stream
    of ``(text) Tj`` operations."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        chunks.append(zlib.decompress(data))
    raw = b"\n".join(chunks).decode("latin-1")
    lines = []
    # One text block per line of a paragraph; a line may be drawn in several pieces.
    for block in re.findall(r"BT (.*?) ET", raw, re.S):
        pieces = re.findall(r"\(((?:[^()\\]|\\.)*)\) Tj", block)
        lines.append("".join(re.sub(r"\\([0-7]{1,3}|.)", _unescape, p) for p in pieces))
    return "\n".join(line for line in lines if line)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code, 8)) if code.isdigit() else code


@pytest.fixture
def proposal(marketer, marketing_head):
    proposal = agreement_propose(by=marketer, title="Faster follow-up")
    agreement_update(
        agreement=proposal,
        by=marketer,
        disputes="Raised in the weekly meeting; the CRO decides within a week.",
    )
    agreement_sign(agreement=proposal, by=marketing_head)
    return proposal


def test_the_pdf_holds_the_title_every_section_and_the_signatures(proposal):
    sections = agreement_document(proposal)
    pdf = agreement_pdf_bytes(
        proposal, sections=sections, slots=signature_slots(proposal), organisation="Northwind"
    )
    assert pdf.startswith(b"%PDF-")
    text = page_text(pdf)
    assert f"Agreement v{proposal.version}: Faster follow-up" in text
    for number, section in enumerate(sections, 1):
        assert f"{number}. {section.title}" in text
    assert "CRO decides within a week" in text
    assert "Hana Head-of-Marketing" in text
    assert "not signed" in text


def test_the_pdf_page_answers_with_a_pdf_named_after_the_version(marketer_client, proposal):
    response = marketer_client.get(f"/agreement/v{proposal.version}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="agreement-v{proposal.version}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_text_with_markup_characters_is_printed_as_written(marketer, marketer_client):
    proposal = agreement_propose(by=marketer, title="Scores <60 & fit > 30")
    pdf = marketer_client.get(f"/agreement/v{proposal.version}/pdf/").content
    text = page_text(pdf)
    assert "Scores <60 & fit > 30" in text, text


def test_a_visitor_is_sent_to_log_in(client, proposal):
    response = client.get(f"/agreement/v{proposal.version}/pdf/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
