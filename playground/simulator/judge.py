"""The simulator playing a judge: deterministic verdicts for ``llm-rubric`` and ``select-best``.

A request that asks for the judge's JSON Schema (``rubric_verdict`` or ``select_best``) is answered
with a verdict instead of prose, by any simulated model:
- rubric: the criteria are the rubric's quoted phrases and its words written with an inner capital
  or in capitals (``ETags``, ``JSON``), plus "under/at most N words"; the answer passes when it meets
  them all, and its score is the share it meets.
- select-best: the answer meeting most criteria wins, then the longest, then the first shown.
``judge/biased`` always prefers the first answer shown (the bias the order swap must neutralise);
``judge/fair`` (or any catalog model) judges as above.
"""

from __future__ import annotations

import json
import re
from typing import Any

from playground.simulator.models import SimModel

_BLOCK = re.compile(r"<<<(RUBRIC|QUESTION|ANSWER(?: [A-Z0-9]+)?)\n(.*?)\n\1>>>", re.DOTALL)
_QUOTED = re.compile(r"[\"“']([^\"”']{2,60})[\"”']")
_TERM = re.compile(r"\b(?:[A-Za-z][a-z]*[A-Z][A-Za-z]*|[A-Z]{2,})\b")
_LIMIT = re.compile(r"\b(?:under|at most|fewer than|less than)\s+(\d+)\s+words\b", re.IGNORECASE)


def judge_model(model_id: str) -> SimModel | None:
    """A stand-in catalog entry for ``judge/...`` ids."""
    if not model_id.startswith("judge/"):
        return None
    return SimModel(model_id, model_id, "Judging Inc", 400, 0.05, "0.0000001", "0.0000004", 64_000, "A judge")


def judge_answer(model_id: str, body: dict[str, Any]) -> str | None:
    """The verdict JSON when ``body`` asks for one, else None (an ordinary answer)."""
    form = body.get("response_format")
    schema = form.get("json_schema") if isinstance(form, dict) else None
    name = schema.get("name") if isinstance(schema, dict) else None
    if name not in ("rubric_verdict", "select_best"):
        return None
    blocks = _blocks(body)
    rubric = blocks.get("RUBRIC", "")
    answers = [
        (label.removeprefix("ANSWER").strip(), text)
        for label, text in blocks.items()
        if label.startswith("ANSWER")
    ]
    if name == "rubric_verdict":
        return json.dumps(_rubric(rubric, answers[0][1] if answers else ""))
    return json.dumps(_best(rubric, answers, biased="biased" in model_id))


def _blocks(body: dict[str, Any]) -> dict[str, str]:
    messages = body.get("messages") or []
    text = next(
        (m.get("content") for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), ""
    )
    return {
        match.group(1): match.group(2) for match in _BLOCK.finditer(text if isinstance(text, str) else "")
    }


def _criteria(rubric: str) -> tuple[list[str], int | None]:
    quoted = _QUOTED.findall(rubric)
    rest = _QUOTED.sub(" ", rubric)
    terms = list(dict.fromkeys([*quoted, *_TERM.findall(rest)]))
    limit = _LIMIT.search(rubric)
    return terms, int(limit.group(1)) if limit else None


def _met(rubric: str, answer: str) -> tuple[int, int, list[str]]:
    terms, limit = _criteria(rubric)
    folded = answer.casefold()
    missing = [t for t in terms if t.casefold() not in folded]
    checks = len(terms) + (limit is not None)
    met = len(terms) - len(missing)
    if limit is not None:
        words = len(answer.split())
        if words < limit:
            met += 1
        else:
            missing.append(f"under {limit} words (has {words})")
    return met, checks, missing


def _rubric(rubric: str, answer: str) -> dict[str, Any]:
    met, checks, missing = _met(rubric, answer)
    if not checks:
        ok = bool(answer.strip())
        return {"pass": ok, "score": 1.0 if ok else 0.0, "reason": "An answer was given." if ok else "Empty."}
    reason = "Meets every criterion." if not missing else f"Misses: {', '.join(missing)}."
    return {"pass": not missing, "score": round(met / checks, 4), "reason": reason}


def _best(rubric: str, answers: list[tuple[str, str]], *, biased: bool) -> dict[str, Any]:
    if not answers:
        return {"best": "A", "reason": "Nothing to compare."}
    if biased:
        return {"best": answers[0][0], "reason": "The first answer reads best."}
    ranked = sorted(
        enumerate(answers), key=lambda item: (-_met(rubric, item[1][1])[0], -len(item[1][1]), item[0])
    )
    label = ranked[0][1][0]
    return {"best": label, "reason": f"Answer {label} meets the most criteria."}
