"""What tests read out of a PDF, as a person holding the print would: its text (pdftotext), its
pages as PNGs (pdftoppm, saved to test-artifacts/ to look at) and the QR codes on them (zbarimg,
from zbar-tools). A missing tool skips the test on a developer's machine and fails it in CI."""
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from .browser.conftest import ARTIFACTS
from .conftest import IN_CI

PACKAGES = {"pdftoppm": "poppler-utils", "pdftotext": "poppler-utils", "zbarimg": "zbar-tools"}


def need_tools(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (apt-get install {' '.join({PACKAGES[n] for n in missing})})"
    if IN_CI:
        pytest.fail(message + " (CI=true: a test that needs it fails rather than skips)")
    pytest.skip(message)


def text(pdf: Path, page: int | None = None) -> str:
    """The PDF's text in its layout (a table row stays on one line); of one page, if given."""
    only = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *only, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def page_count(pdf: Path) -> int:
    return text(pdf).count("\f")


def pages(pdf: Path, name: str, dpi: int = 40, landscape: bool = False) -> list[Path]:
    """Render every page to a PNG (kept in test-artifacts/ as <name>-<n>.png) and check that each
    is an A4 page, the right way round, with ink on it."""
    out = pdf.parent / f"{pdf.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(out)], check=True, capture_output=True)
    rendered = sorted(pdf.parent.glob(f"{out.name}-*.png"))
    assert rendered, f"pdftoppm made no page of {pdf.name}"
    ARTIFACTS.mkdir(exist_ok=True)
    for n, png in enumerate(rendered, 1):
        with Image.open(png) as image:
            width, height = image.size
            darkest, _lightest = image.convert("L").getextrema()
        short, long = (height, width) if landscape else (width, height)
        assert abs(long / short - 297 / 210) < 0.02, f"{png.name} is {width}×{height}, not A4"
        assert (width > height) == landscape, f"{png.name} is {width}×{height}"
        assert darkest < 100, f"page {n} of {pdf.name} is blank"
        shutil.copy(png, ARTIFACTS / f"{name}-{n}.png")
    return rendered


def qr_codes(png: Path) -> list[str]:
    """What every QR code on the image says."""
    found = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    assert found.returncode == 0, f"zbarimg found no code on {png.name} ({found.returncode}): {found.stderr}"
    return found.stdout.split()
