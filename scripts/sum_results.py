"""Adds up the JUnit files and CLI steps of one test run and prints a single total line."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

root = Path(sys.argv[1])
passed = failed = skipped = 0
rows = []
for xml in sorted(root.glob("*.xml")):
    suites = ET.parse(xml).getroot()
    suites = [suites] if suites.tag == "testsuite" else list(suites)
    t = sum(int(s.get("tests", 0)) for s in suites)
    f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    k = sum(int(s.get("skipped", 0)) for s in suites)
    rows.append((xml.stem, t - f - k, f, k))
for step in sorted(root.glob("*.step")):
    ok = step.read_text().strip() == "passed"
    rows.append((step.stem, int(ok), int(not ok), 0))
for name, p, f, k in rows:
    passed, failed, skipped = passed + p, failed + f, skipped + k
    print(f"  {name:<22} {p:>5} passed {f:>4} failed {k:>4} skipped")
print(f"total: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
