"""Printed sheets as PDFs: A4, Chinese in Noto CJK embedded by WeasyPrint, from the templates
in templates/printing/. The results book is rendered part by part and the parts' pages joined
into one document, so that a print job can report how far it is."""
import gc
import io
import zipfile
from collections.abc import Callable
from urllib.parse import quote

from flask import Response, render_template, request

from .. import times
from ..certificates import pdf as certificate_pdf
from ..certificates import services as certificates
from ..contests.models import Contest
from ..database import utcnow
from ..errors import ActionRefused
from . import services

Progress = Callable[[int, int], None]


def _html(template: str, **context):
    from weasyprint import HTML  # Pango is loaded only when a PDF is made
    return HTML(string=render_template(template, **context), base_url=request.host_url)


def render(template: str, **context) -> bytes:
    return _html(template, **context).write_pdf()


def download(body: bytes, name: str, mimetype: str = "application/pdf") -> Response:
    """A printed file as a download, never kept by a cache (it carries names and marks)."""
    out = Response(body, mimetype=mimetype)
    out.headers["Content-Disposition"] = f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"
    out.headers["Cache-Control"] = "private, no-store"
    return out


def results_book(contest: Contest, progress: Progress) -> tuple[bytes, str, str]:
    """The whole contest's results book (成绩册): a cover with the ledger head, every event's
    result sheet, the delegation standings. (body, mimetype, file name)."""
    parts = services.book_parts(contest)
    total = len(parts) + 1
    documents, pages_so_far = [], 0
    printed = times.local(contest, utcnow())
    for done, (template, context) in enumerate(parts):
        progress(done, total)
        # Page numbers run on through the book: each part starts where the last one ended.
        document = _html(template, contest=contest, printed=printed, first_page=pages_so_far + 1, **context).render()
        pages_so_far += len(document.pages)
        documents.append(document)
    progress(len(parts), total)
    pages = [page for document in documents for page in document.pages]
    body = documents[0].copy(pages).write_pdf()
    return body, "application/pdf", f"{contest.slug}-results-book.pdf"


def certificates_zip(contest: Contest, progress: Progress) -> tuple[bytes, str, str]:
    """Every valid certificate of the contest as its own PDF, in one ZIP (by event, then rank).
    Refused while the contest has none (they are issued when its results are published)."""
    valid = [c for c in certificates.of_contest(contest) if c.status == "valid"]
    if not valid:
        raise ActionRefused(409, "no_certificates")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, certificate in enumerate(valid):
            progress(done, len(valid))
            folder = _safe(f"{certificate.event.code}-{certificate.event.name}")
            archive.writestr(f"{folder}/{certificate.number}-{_safe(certificate.name)}.pdf",
                             certificate_pdf.certificate_pdf(certificate))
            # What a certificate's rendering leaves (WeasyPrint's styles, boxes and fonts, and the
            # native memory they hold) is in reference cycles that wait for a full collection:
            # without this, 300 certificates peaked at 2.0-2.2 GB RSS, with it at 0.46-0.55 GB
            # (docs/benchmarks.md, "Print jobs").
            gc.collect()
    return out.getvalue(), "application/zip", f"{contest.slug}-certificates.zip"


def _safe(name: str) -> str:
    """A name as a part of a path inside the ZIP: no separators, no dots to climb with."""
    return "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in name).strip(". ") or "_"


#: What each kind of print job makes.
BUILDERS = {"results_book": results_book, "certificates_zip": certificates_zip}
