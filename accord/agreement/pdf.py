"""The agreement as a PDF, laid out with reportlab from the same sections as the page and the
print view (``accord.agreement.selectors.agreement_document``)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from accord.agreement.models import Agreement


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5
    )
    return {
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontSize=17, leading=21, alignment=0, spaceAfter=4
        ),
        "meta": ParagraphStyle(
            "meta", parent=body, textColor=colors.HexColor("#555555"), fontSize=9
        ),
        "section": ParagraphStyle(
            "section",
            parent=base["Heading2"],
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "label": ParagraphStyle("label", parent=body, textColor=colors.HexColor("#555555")),
        "body": body,
    }


def _text(value: Any) -> str:
    """Paragraph markup for a value: escaped, line breaks kept, a dash for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return "<br/>".join(escape(str(v)) for v in value) or "—"
    return escape(str(value)).replace("\n", "<br/>")


def _item_value(item: Any) -> Any:
    lines = getattr(item, "lines", None)
    return lines if lines else getattr(item, "value", None)


def agreement_pdf_bytes(
    agreement: Agreement,
    *,
    sections: Iterable[Any],
    slots: Sequence[Any],
    organisation: str,
) -> bytes:
    """The PDF of ``agreement``: a title block, every section as a table of labelled terms, and
    the signature block."""
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Agreement v{agreement.version}: {agreement.title}",
        author=organisation,
        subject="Service level agreement between marketing and sales",
    )
    width = document.width
    story: list[Any] = [
        Paragraph(
            escape(f"{organisation} · service level agreement between marketing and sales"),
            styles["meta"],
        ),
        Paragraph(escape(f"Agreement v{agreement.version}: {agreement.title}"), styles["title"]),
    ]
    meta = [agreement.get_status_display()]
    if agreement.in_force_at:
        meta.append(f"in force since {agreement.in_force_at:%d %B %Y}")
    if agreement.archived_at:
        meta.append(f"archived on {agreement.archived_at:%d %B %Y}")
    if agreement.review_date:
        meta.append(f"review due {agreement.review_date:%d %B %Y}")
    story.append(Paragraph(escape(" · ".join(meta)), styles["meta"]))
    if agreement.summary:
        story += [Spacer(1, 4 * mm), Paragraph(_text(agreement.summary), styles["body"])]

    for number, section in enumerate(sections, 1):
        rows = [
            [
                Paragraph(_text(getattr(item, "label", "")), styles["label"]),
                Paragraph(_text(_item_value(item)), styles["body"]),
            ]
            for item in getattr(section, "items", [])
        ]
        heading = Paragraph(escape(f"{number}. {section.title}"), styles["section"])
        if not rows:
            story.append(heading)
            continue
        table = Table(rows, colWidths=[width * 0.32, width * 0.68], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#dddddd")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        # The heading stays with the start of its section.
        story += [KeepTogether([heading, table])] if len(rows) <= 12 else [heading, table]

    signatures = [
        [
            Paragraph(
                escape(f"Head of {slot.label.lower()}")
                + "<br/>"
                + (
                    f"<b>{escape(str(slot.signature.signed_by))}</b>, signed "
                    f"{slot.signature.signed_at:%d %B %Y, %H:%M} UTC"
                    if slot.signature
                    else "<i>not signed</i>"
                ),
                styles["body"],
            )
            for slot in slots
        ]
    ]
    if signatures[0]:
        block = Table(signatures, colWidths=[width / len(slots)] * len(slots), hAlign="LEFT")
        block.setStyle(
            TableStyle(
                [
                    ("LINEABOVE", (0, 0), (-1, 0), 0.75, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                ]
            )
        )
        story += [Spacer(1, 12 * mm), KeepTogether([block])]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(18 * mm, 10 * mm, f"{organisation} · agreement v{agreement.version}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
