"""'Get code': a request reproduced as curl, Python (httpx) or JavaScript - reading the key from the
environment, never containing it."""

from __future__ import annotations

import json
import pprint
import shlex

from playground.core.request import ChatRequest

LANGUAGES = ("curl", "python", "javascript")


def snippet(request: ChatRequest, base_url: str, language: str) -> str:
    body = request.body(stream=False)
    url = base_url.rstrip("/") + "/chat/completions"
    if language == "curl":
        return _curl(url, body)
    if language == "python":
        return _python(url, body)
    if language == "javascript":
        return _javascript(url, body)
    raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")


def _curl(url: str, body: dict[str, object]) -> str:
    payload = json.dumps(body, indent=2, ensure_ascii=False)
    return (
        f"curl {shlex.quote(url)} \\\n"
        '  -H "Authorization: Bearer $OPENROUTER_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d {shlex.quote(payload)}\n"
    )


def _python(url: str, body: dict[str, object]) -> str:
    # a Python literal, not JSON text with true/false patched: a schema's own words stay as written
    payload = pprint.pformat(body, indent=1, width=100, sort_dicts=False)
    return (
        "import os\n\nimport httpx\n\n"
        f"body = {payload}\n\n"
        "response = httpx.post(\n"
        f"    {url!r},\n"
        '    headers={"Authorization": f"Bearer {os.environ[\'OPENROUTER_API_KEY\']}"},\n'
        "    json=body,\n"
        "    timeout=120,\n"
        ")\n"
        "response.raise_for_status()\n"
        'message = response.json()["choices"][0]["message"]\n'
        'print(message.get("content") or message.get("tool_calls"))\n'
    )


def _javascript(url: str, body: dict[str, object]) -> str:
    payload = json.dumps(body, indent=2, ensure_ascii=False)
    return (
        f"const response = await fetch({json.dumps(url)}, {{\n"
        '  method: "POST",\n'
        "  headers: {\n"
        "    Authorization: `Bearer ${process.env.OPENROUTER_API_KEY}`,\n"
        '    "Content-Type": "application/json",\n'
        "  },\n"
        f"  body: JSON.stringify({payload}),\n"
        "});\n"
        "const data = await response.json();\n"
        "const message = data.choices[0].message;\n"
        "console.log(message.content ?? message.tool_calls);\n"
    )
