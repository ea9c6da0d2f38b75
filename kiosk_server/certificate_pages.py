"""Public pages of a 参保证明: the verify page its QR code opens, and the phone download of its PDF.

Both are reached by the certificate's code alone (128 random bits, docs/kiosk.md §2), so neither
needs a screen key or a session: ``/verify/<code>`` shows the masked facts forever, ``/c/<code>``
serves the PDF for the few minutes after issue (``phone_expires_at``). Everything is rebuilt from
the stored facts; the records backend is never asked. Nothing is cached or indexed.
"""

from __future__ import annotations

from typing import Any, Final

from flask import Blueprint, Response, abort, current_app, make_response, render_template, url_for

from content.citizens.certificates import Certificate, find_certificate, phone_download_allowed
from kiosk_server.certificate_pdf import contribution_summary, gap_lines, render_certificate_pdf, zh_date, zh_datetime
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime

bp = Blueprint("certificate_pages", __name__)

EXPIRED_MESSAGE: Final = "下载链接已过期，请在自助终端重新打印"


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    # The code in the URL is the only key to the certificate: never leak it to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def certificate_or_404(code: str) -> Certificate:
    """The certificate issued under ``code``, or a 404 page that says so."""
    cert = find_certificate(request_session(), code)
    if cert is None:
        abort(make_response(render_template("verify.html", cert=None), 404))
    return cert


def _verify_url(code: str) -> str:
    return url_for("certificate_pages.verify", code=code, _external=True)


@bp.get("/verify/<code>")
def verify(code: str) -> Any:
    cert = certificate_or_404(code)
    facts = cert.facts
    return render_template(
        "verify.html",
        cert=cert,
        facts=facts,
        code=code,
        issued_at=zh_datetime(facts["issued_at"]),
        as_of=zh_date(facts["as_of"]),
        since={e["insurance"]: zh_date(e["since"]) for e in facts["enrollments"]},
        summary=contribution_summary(facts),
        gaps=gap_lines(facts),
    )


@bp.get("/c/<code>")
def phone_download(code: str) -> Any:
    cert = certificate_or_404(code)
    if not phone_download_allowed(cert, runtime(current_app).clock()):
        minutes = max(1, round((cert.phone_expires_at - cert.issued_at).total_seconds() / 60))
        return render_template("certificate_expired.html", message=EXPIRED_MESSAGE, minutes=minutes), 410
    response = Response(render_certificate_pdf(cert.facts, code, _verify_url(code)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{code[:8]}.pdf"'
    return response
