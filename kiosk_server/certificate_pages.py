"""Public pages of a 参保证明: the verify page (its QR code, or a code typed in), and the phone download of its PDF.

``/verify/<code>`` is reached by the certificate's code alone and shows only masked facts, forever;
``/verify`` has a form to type a code (any case, hyphens and spaces ignored). ``/c/<token>`` is the
phone link the kiosk shows as a QR code: a separate download token (192 bits), good for
``MAX_DOWNLOADS`` downloads within ``phone_expires_at``, then 410. The PDF it serves is the one drawn
and signed at issue, kept sealed under that token's key (docs/kiosk.md §2). Nothing is cached or indexed.
"""

from __future__ import annotations

from typing import Any, Final

from flask import Blueprint, Response, abort, current_app, make_response, redirect, render_template, request, url_for

from content.citizens.certificate_codes import grouped, normalise_code
from content.citizens.certificates import (
    MAX_DOWNLOADS,
    Certificate,
    count_download,
    find_by_download_token,
    find_certificate,
    pdf_with_token,
    phone_download_allowed,
)
from kiosk_server.certificate_pdf import contribution_summary, gap_lines, zh_date, zh_datetime
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime

bp = Blueprint("certificate_pages", __name__)

EXPIRED_MESSAGE: Final = "下载链接已过期，请在自助终端重新开具"
USED_UP_MESSAGE: Final = f"下载链接已使用 {MAX_DOWNLOADS} 次，不能再下载"
NOT_FOUND_MESSAGE: Final = "下载链接无效"


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    # The code or token in the URL is the only key to the certificate: never leak it to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def certificate_or_404(code: str) -> Certificate:
    """The certificate issued under ``code``, or a 404 page that says so."""
    cert = find_certificate(request_session(), code)
    if cert is None:
        abort(make_response(render_template("verify.html", cert=None, typed=code[:64]), 404))
    return cert


def shown_code(code: str) -> str:
    """A code as the page shows it: a new-style code grouped in fours, an old one as it is."""
    plain = normalise_code(code)
    return grouped(plain) if plain else code


@bp.get("/verify")
def verify_form() -> Any:
    """The form to type a code; a submitted code goes to its verify page (normalised, so the URL is tidy)."""
    typed = request.args.get("code", "").strip()
    if not typed:
        return render_template("verify.html", cert=None, form_only=True, typed="")
    plain = normalise_code(typed)
    if plain is None:  # not a code of today's shape: an old code as printed, or a typing mistake
        certificate_or_404(typed)
    return redirect(url_for("certificate_pages.verify", code=grouped(plain) if plain else typed), 303)


@bp.get("/verify/<code>")
def verify(code: str) -> Any:
    cert = certificate_or_404(code)
    facts = cert.facts
    return render_template(
        "verify.html",
        cert=cert,
        facts=facts,
        code=shown_code(code),
        issued_at=zh_datetime(facts["issued_at"]),
        as_of=zh_date(facts["as_of"]),
        since={e["insurance"]: zh_date(e["since"]) for e in facts["enrollments"]},
        summary=contribution_summary(facts),
        gaps=gap_lines(facts),
    )


def _gone(cert: Certificate, message: str) -> Any:
    minutes = max(1, round((cert.phone_expires_at - cert.issued_at).total_seconds() / 60))
    return render_template(
        "certificate_expired.html", message=message, minutes=minutes, max_downloads=MAX_DOWNLOADS
    ), 410


@bp.get("/c/<token>")
def phone_download(token: str) -> Any:
    session = request_session()
    cert = find_by_download_token(session, token)
    if cert is None:
        return render_template(
            "certificate_expired.html", message=NOT_FOUND_MESSAGE, minutes=None, max_downloads=MAX_DOWNLOADS
        ), 404
    now = runtime(current_app).clock()
    if now >= cert.phone_expires_at:
        return _gone(cert, EXPIRED_MESSAGE)
    if not phone_download_allowed(cert, now) or not count_download(session, cert):
        session.rollback()
        return _gone(cert, USED_UP_MESSAGE)
    pdf = pdf_with_token(cert, token, now)
    if pdf is None:  # deleted by the sweep a moment ago
        session.rollback()
        return _gone(cert, EXPIRED_MESSAGE)
    session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{cert.id}.pdf"'
    return response
