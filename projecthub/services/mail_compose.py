"""Message bodies: every mail has a plain-text and an HTML part, names the product and says
why the person got it. Values people typed (names, organization names) are escaped for HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PRODUCT_NAME = "ProjectHub"


@dataclass(frozen=True)
class MailContent:
    subject: str
    text: str
    html: str


def compose(*, subject: str, paragraphs: list[str], reason: str, link: str = "",
            link_label: str = "") -> MailContent:
    """One layout for every message: paragraphs, an optional button link, then the reason."""
    footer = f"You received this email from {PRODUCT_NAME} because {reason}"
    text_parts = [*paragraphs]
    if link:
        text_parts.append(f"{link_label}:\n{link}")
    text_parts += ["--", footer]
    html_parts = [f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs]
    if link:
        href = escape(link, quote=True)
        html_parts.append(
            f'<p><a href="{href}" style="display:inline-block;padding:10px 16px;'
            f'background:#3e63dd;color:#ffffff;border-radius:6px;text-decoration:none">'
            f"{escape(link_label)}</a></p>"
            f'<p style="color:#666;font-size:13px">Or paste this address into your browser: '
            f"{escape(link)}</p>")
    html_parts.append(f'<hr><p style="color:#666;font-size:13px">{escape(footer)}</p>')
    html = (f"<!doctype html><html><body style=\"font-family:sans-serif\">"
            f"<h2>{escape(PRODUCT_NAME)}</h2>{''.join(html_parts)}</body></html>")
    return MailContent(f"{subject} · {PRODUCT_NAME}", "\n\n".join(text_parts) + "\n", html)
