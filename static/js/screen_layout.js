// A big screen's own layout: its font scale and its rows per page. Read from the screen's address
// (?scale=1.2&rows=12) for now; a screens console can hand the same two settings to the screen
// later (screen.js applies whatever this returns). Pure: no DOM, no page state.

// The same bounds as the screens console's (competition/hall/models.py: SCALE_RANGE in percent,
// ROWS_RANGE), which sends the scale as a factor.
export const SCALE = { min: 0.5, max: 2.5, normal: 1 };
export const ROWS = { min: 4, max: 40 };

// Typed on a Chinese keyboard the digits may be full width (１．２): NFKC makes them ASCII.
function plain(value) {
  if (value === null || value === undefined) return "";
  return String(value).normalize("NFKC").trim();
}

const clamp = (value, { min, max }) => Math.min(max, Math.max(min, value));

/**
 * {scale, rows} from `source` (URLSearchParams, or a plain object such as a console would send):
 * scale a positive decimal, clamped to SCALE; rows a whole number, clamped to ROWS, or null for
 * "as many as fit". Anything else (missing, not a number, zero or negative) is ignored.
 */
export function screenLayout(source) {
  const get = (key) => (!source ? null : typeof source.get === "function" ? source.get(key) : source[key]);
  const scaleText = plain(get("scale"));
  const rowsText = plain(get("rows"));
  const scale = /^(\d+\.?\d*|\.\d+)$/.test(scaleText) ? Number(scaleText) : NaN;
  const rows = /^\d+$/.test(rowsText) ? Number(rowsText) : NaN;
  return {
    scale: Number.isFinite(scale) && scale > 0 ? clamp(scale, SCALE) : SCALE.normal,
    rows: Number.isFinite(rows) && rows > 0 ? clamp(rows, ROWS) : null,
  };
}
