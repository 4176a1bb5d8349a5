"""Paper fallback: a dead tablet's marks entered from the judge's signed paper sheet, twice."""
