// A mark as the tablet checks it before it is sent: the rule of competition.scoring.parse_mark
// (the server decides; this only tells the judge at once what the server would refuse). Exact
// decimal arithmetic on scaled BigInts, never floats. tests/data/mark-cases.json holds the
// cases both this and parse_mark are tested against.

const FULL_WIDTH = { "０": "0", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5", "６": "6", "７": "7",
  "８": "8", "９": "9", "．": ".", "－": "-" };
const PLAIN = /^([0-9]+\.?[0-9]*|\.[0-9]+)$/;

function halfWidth(text) {
  return text.replace(/[０-９．－]/g, (c) => FULL_WIDTH[c]);
}

/** A decimal text ("7.5") as [BigInt digits, places]: 7.5 → [75n, 1]. */
function scaled(text) {
  const [whole, fraction = ""] = text.split(".");
  return [BigInt((whole || "0") + fraction), fraction.length];
}

function atPlaces([digits, places], target) {
  return digits * 10n ** BigInt(target - places);
}

/**
 * Why `raw` is no mark for the criterion, as parse_mark's code, or null when it is one.
 * `rule`: {max: "10", step: "0.5" or null, judgement: true/false}.
 */
export function refusal(raw, rule) {
  const text = halfWidth(String(raw ?? "").trim());
  if (text === "") return rule.judgement ? "choose_mark" : "empty";
  const negative = text.startsWith("-");
  if (!PLAIN.test(negative ? text.slice(1) : text)) return "not_a_number";
  if (negative) return "negative";
  const value = scaled(text);
  const max = scaled(rule.judgement ? "3" : String(rule.max));
  const step = scaled(rule.judgement ? "1" : String(rule.step || "0.01"));
  const places = Math.max(value[1], max[1], step[1]);
  if (atPlaces(value, places) > atPlaces(max, places)) return "over_max";
  if (atPlaces(value, places) % atPlaces(step, places) !== 0n) {
    if (rule.judgement) return "not_a_whole_mark";
    return rule.step ? "not_a_step" : "too_many_decimals";
  }
  return null;
}

/** The same mark written the same way: "８．５", " 8.50 " and "8.5" are one mark. */
export function canonical(raw) {
  let text = halfWidth(String(raw ?? "").trim());
  if (!PLAIN.test(text)) return text;
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  text = text.replace(/^0+(?=\d)/, "");
  if (text === "" || text === ".") return "0";
  return text.startsWith(".") ? "0" + text : text;
}
