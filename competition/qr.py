"""QR codes as inline SVG (segno): the big screen's link to the phone board, judges' login
links. Black on white with a quiet zone, sized by the page's CSS."""
import io

import segno


def svg(data: str) -> str:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=1, border=2, dark="#000", light="#fff",
                                     omitsize=True, xmldecl=False, svgns=True)
    return out.getvalue().decode()
