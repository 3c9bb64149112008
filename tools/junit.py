"""Verify results as JUnit XML, so that CI systems list each scenario as a test."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from wiretape.html import visible

from .recording import VerifyResult


@dataclass(frozen=True)
class Timed:
    result: VerifyResult
    seconds: float


def junit_xml(results: Sequence[Timed], *, suite: str = "scenarios") -> str:
    """One ``<testcase>`` per scenario (classname: the provider), a ``<failure>`` listing its problems."""
    failures = sum(not timed.result.ok for timed in results)
    total = sum(timed.seconds for timed in results)
    root = ET.Element("testsuites", tests=str(len(results)), failures=str(failures), time=f"{total:.3f}")
    counts = {"tests": str(len(results)), "failures": str(failures), "errors": "0", "skipped": "0"}
    testsuite = ET.SubElement(root, "testsuite", {"name": suite, "time": f"{total:.3f}", **counts})
    for timed in results:
        scenario = timed.result.scenario
        seconds = f"{timed.seconds:.3f}"
        case = ET.SubElement(
            testsuite, "testcase", classname=scenario.provider, name=scenario.name, time=seconds
        )
        if not timed.result.ok:
            problems = [visible(problem) for problem in timed.result.problems]
            ET.SubElement(case, "failure", message=problems[0]).text = "\n".join(problems)
        if timed.result.outcome is not None:
            ET.SubElement(case, "system-out").text = visible(timed.result.outcome.summary())
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
