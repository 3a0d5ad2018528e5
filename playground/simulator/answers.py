"""The simulated models' answers: plausible Markdown in a style of each model's own, deterministic.

A newcomer's first look at the app (and every screenshot) is the demo, so the answers read like
real ones: a few topics the demo and the README use are written out, anything else gets a sensible
answer built around the prompt's own words. Each simulated model keeps one style - terse, thorough,
with code, or with a table - so the panes differ the way real models do. The same model and prompt
always give the same text.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

# The last line checks that accents, CJK and emoji survive streaming end to end (tests rely on it).
UNICODE_LINE = "Simulated answer · unicode check: café, naïve, 日本語, emoji 🚀."


@dataclass(frozen=True)
class Topic:
    """What a good answer on one subject says, in pieces each style can use."""

    summary: str
    points: tuple[tuple[str, str], ...]
    table: tuple[tuple[str, ...], ...]  # header row first
    language: str
    code: str
    advice: str


CACHING = Topic(
    summary=(
        "HTTP caching lets a browser or proxy keep a copy of a response and reuse it, so repeat "
        "requests skip the network or send a cheap revalidation instead of a full download."
    ),
    points=(
        ("Freshness", "`Cache-Control: max-age=3600` says how long a stored copy may be reused as is."),
        (
            "Validation",
            "after that, the client asks again with `If-None-Match`; the server answers "
            "`304 Not Modified` with no body when the `ETag` still matches.",
        ),
        (
            "Scope",
            "`private` keeps a response in the browser only; `public` lets shared caches and "
            "CDNs store it too.",
        ),
        ("Opting out", "`no-store` forbids storing at all - use it for anything personal or secret."),
    ),
    table=(
        ("Header", "Sent by", "Purpose"),
        ("`Cache-Control`", "server", "how long and where a response may be stored"),
        ("`ETag`", "server", "a version tag for the response body"),
        ("`If-None-Match`", "client", 'revalidate: "send it only if it changed"'),
        ("`Last-Modified`", "server", "a timestamp validator, coarser than an ETag"),
        ("`Vary`", "server", "which request headers change the response"),
    ),
    language="python",
    code=(
        "import httpx\n\n"
        'first = httpx.get("https://example.com/data.json")\n'
        'etag = first.headers["etag"]\n\n'
        "# later: revalidate instead of downloading again\n"
        'again = httpx.get("https://example.com/data.json", headers={"If-None-Match": etag})\n'
        "print(again.status_code)  # 304 when nothing changed"
    ),
    advice="Give static assets a long `max-age` with a hashed file name, and revalidate HTML and API "
    "responses with an `ETag`.",
)

IDEMPOTENCY = Topic(
    summary=(
        "An idempotency key is a unique value the client sends with a request that changes state, so "
        "the server can recognise a retry and return the first result instead of acting twice."
    ),
    points=(
        ("Client", "generates one key per logical operation (a UUID) and reuses it on every retry."),
        ("Server", "stores the key with the response and replays that response for a repeated key."),
        ("Expiry", "keys are kept for a window such as 24 hours, long enough to cover retries."),
        ("Mismatch", "the same key with a different body is an error (`422`), not a new operation."),
    ),
    table=(
        ("Situation", "Without a key", "With a key"),
        ("Timeout, then retry", "charged twice", "charged once"),
        ("Double click", "two orders", "one order"),
        ("Network drop after commit", "unknown state", "the retry returns the result"),
    ),
    language="python",
    code=(
        "import uuid\n\n"
        "def create_payment(client, amount: int) -> dict:\n"
        "    key = str(uuid.uuid4())  # one key for this payment, reused on retries\n"
        "    for attempt in range(3):\n"
        "        try:\n"
        '            return client.post("/payments", json={"amount": amount},\n'
        '                               headers={"Idempotency-Key": key}).json()\n'
        "        except TimeoutError:\n"
        "            continue\n"
        '    raise RuntimeError("payment service unavailable")'
    ),
    advice="Make every retried POST carry a key, and store keys in the same transaction as the effect.",
)

NAMING = Topic(
    summary="A good library name is short, easy to say, and hints at what it does without "
    "claiming a word other projects already own.",
    points=(
        ("Stash", 'short and friendly; says "keep it for later".'),
        ("Keepwarm", "suggests a warm cache and reads well in code: `keepwarm.get(key)`."),
        ("Hoard", "memorable, a little playful; check the package registry first."),
        ("Memo", "plain and obvious, but crowded: many projects use it."),
    ),
    table=(
        ("Name", "Length", "Clear?", "Likely free?"),
        ("stash", "5", "yes", "no"),
        ("keepwarm", "8", "yes", "probably"),
        ("hoard", "5", "somewhat", "probably"),
    ),
    language="python",
    code=(
        "from keepwarm import Cache\n\n"
        "cache = Cache(max_items=10_000, ttl=300)\n"
        'cache.set("user:42", profile)'
    ),
    advice="Shortlist two, search PyPI and GitHub for each, and pick the one you can say on a call.",
)

TOPICS: tuple[tuple[re.Pattern[str], Topic], ...] = (
    (re.compile(r"idempot", re.IGNORECASE), IDEMPOTENCY),
    (re.compile(r"\bnames?\b.*\blibrar|librar.*\bname", re.IGNORECASE), NAMING),
    (re.compile(r"cach|etag|cache-control|hit rate", re.IGNORECASE), CACHING),
)


def _generic(prompt: str) -> Topic:
    """A sensible answer to any prompt, built around its own words."""
    subject = _subject(prompt)
    return Topic(
        summary=f"Here is a practical way to approach {subject}: be clear about the goal, start "
        "with the simplest thing that works, and check the result against that goal.",
        points=(
            ("Goal", f"write down what a good outcome for {subject} looks like, in one sentence."),
            ("Constraints", "list what cannot change - time, budget, compatibility - before choosing."),
            ("Options", "compare two or three approaches side by side instead of the first one found."),
            ("Check", "try the chosen approach on a small real example and adjust from what you see."),
        ),
        table=(
            ("Step", "Question to ask", "Done when"),
            ("Goal", "What should change?", "one sentence everyone agrees on"),
            ("Options", "What are the alternatives?", "two or three written down"),
            ("Check", "Did it work?", "a small real example passes"),
        ),
        language="python",
        code=(
            "def choose(options: list[str], score) -> str:\n"
            '    """Pick the option with the best score; ties keep the first."""\n'
            "    return max(options, key=score)"
        ),
        advice="Keep the first version small, measure it, and let the measurements choose the next step.",
    )


def _subject(prompt: str) -> str:
    words = re.sub(r"\s+", " ", prompt).strip().rstrip("?.!").split(" ")
    text = " ".join(words[:10])
    if not text:
        return "your question"
    return text[0].lower() + text[1:] if not text[:2].isupper() else text


def _rng(*parts: str) -> random.Random:
    seed = hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()[:8]
    return random.Random(int.from_bytes(seed, "big"))


def _table(rows: tuple[tuple[str, ...], ...]) -> list[str]:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(row) + " |" for row in body]


def terse(topic: Topic, rng: random.Random) -> list[str]:
    points = topic.points[:3]
    return [topic.summary, "", *[f"- **{name}**: {text}" for name, text in points], "", topic.advice]


def thorough(topic: Topic, rng: random.Random) -> list[str]:
    lines = ["## In short", "", topic.summary, "", "## How it works", ""]
    lines += [f"{n}. **{name}** - {text}" for n, (name, text) in enumerate(topic.points, 1)]
    lines += ["", "## At a glance", "", *_table(topic.table), "", "## Example", ""]
    lines += [f"```{topic.language}", topic.code, "```", "", "## Recommendation", "", topic.advice]
    return lines


def with_code(topic: Topic, rng: random.Random) -> list[str]:
    opener = rng.choice(("Let's work through it.", "Step by step:", "Here is the idea, then code."))
    lines = [opener, "", topic.summary, "", f"```{topic.language}", topic.code, "```", ""]
    lines += [f"- **{name}**: {text}" for name, text in topic.points[:3]]
    return [*lines, "", topic.advice]


def with_table(topic: Topic, rng: random.Random) -> list[str]:
    return [topic.summary, "", *_table(topic.table), "", f"**Bottom line:** {topic.advice}"]


STYLES = {"terse": terse, "thorough": thorough, "code": with_code, "table": with_table}


def write_answer(model_id: str, style: str, prompt: str) -> str:
    """The answer ``model_id`` gives to ``prompt`` in ``style``."""
    rng = _rng(model_id, prompt)
    topic = next((t for pattern, t in TOPICS if pattern.search(prompt)), None) or _generic(prompt)
    lines = STYLES.get(style, terse)(topic, rng)
    return "\n".join([*lines, "", UNICODE_LINE])
