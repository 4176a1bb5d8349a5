"""A certificate as a PDF: A4 landscape, Chinese text in Noto Serif CJK (embedded by WeasyPrint),
the organising union, the contest, the name, the event, the award, the date and a QR code of
<PUBLIC_URL>/verify/<number>. Rendered from templates/certificates/certificate_pdf.html."""
from flask import Response, render_template, request

from .. import qr, scoring, times
from ..addresses import public_url
from ..ledger import services as ledger
from .models import Certificate


def verify_url(certificate: Certificate) -> str:
    """The address the certificate's QR code carries (addresses.public_base)."""
    return public_url(f"/verify/{certificate.number}")


def certificate_pdf(certificate: Certificate) -> bytes:
    from weasyprint import HTML  # Pango is loaded only when a PDF is made
    contest = certificate.contest
    issued_by = ledger.certificate_entry(contest, certificate.number)
    html = render_template("certificates/certificate_pdf.html", certificate=certificate, contest=contest,
                           total=scoring.round_half_up(certificate.total, certificate.event.places),
                           issued=times.local(contest, certificate.issued_at), url=verify_url(certificate),
                           qr_svg=qr.svg(verify_url(certificate)),
                           ledger_hash=issued_by.hash if issued_by is not None else None)
    return HTML(string=html, base_url=request.host_url).write_pdf()


def response(certificate: Certificate) -> Response:
    """The certificate's PDF as a download."""
    out = Response(certificate_pdf(certificate), mimetype="application/pdf")
    out.headers["Content-Disposition"] = f"attachment; filename=\"{certificate.number}.pdf\""
    out.headers["Cache-Control"] = "private, no-store"
    return out
