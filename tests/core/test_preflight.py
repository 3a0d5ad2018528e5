"""core/preflight.py: every check before sending, with the findings the CLI prints and panes show."""

from __future__ import annotations

from decimal import Decimal

from playground.core.attachments import make_attachment
from playground.core.catalog import ModelCatalog, ModelInfo
from playground.core.conversation import Message
from playground.core.preflight import (
    EMPTY_MODEL,
    FindingKind,
    PaneDraft,
    check_pane,
    is_unknown_model,
    missing_model,
    spend_cap,
    unreadable,
)
from playground.core.request import ChatParams
from playground.core.spend import Thresholds
from tests.core.test_conversation import png_bytes

TEXT_ONLY = ModelInfo(
    "acme/text", "Text", context_length=4000, supported_parameters=("temperature", "max_tokens")
)
VISION = ModelInfo("acme/eyes", "Eyes", context_length=100_000, input_modalities=("text", "image"))
OFFER = "add --require-parameters"


def _draft(model: str, text: str = "hi", **kw: object) -> PaneDraft:
    attachments = kw.pop("attachments", ())
    message = Message("user", text, tuple(attachments))  # type: ignore[arg-type]
    params = kw.pop("params", ChatParams())
    return PaneDraft(model, params, (message,), None, tuple(attachments), **kw)  # type: ignore[arg-type]


def test_an_image_for_a_text_only_model_blocks_and_names_the_file() -> None:
    picture = make_attachment("chart.png", png_bytes())
    finding = unreadable("acme/text", TEXT_ONLY, [picture])
    assert finding is not None and finding.blocks and finding.kind is FindingKind.UNREADABLE
    assert finding.text == "acme/text cannot read images (chart.png)"
    assert unreadable("acme/eyes", VISION, [picture]) is None
    assert unreadable("acme/other", None, [picture]) is None  # unknown to the catalog: not judged


def test_a_thread_over_the_context_blocks_and_one_near_it_only_warns() -> None:
    over = check_pane(_draft("acme/text", "word " * 4000), TEXT_ONLY, offer=OFFER)
    assert [f.kind for f in over] == [FindingKind.CONTEXT] and over[0].blocks
    assert over[0].text.startswith("Too long for acme/text")
    near_draft = _draft("acme/text", "word " * 20, params=ChatParams(max_tokens=3500))
    near = check_pane(near_draft, TEXT_ONLY, offer=OFFER)
    assert [f.kind for f in near] == [FindingKind.CONTEXT] and not near[0].blocks
    # before sending, only what blocks is asked for: the near-context note is not among it
    assert check_pane(near_draft, TEXT_ONLY, offer=OFFER, all_notes=False) == []


def test_parameters_the_model_does_not_list_are_named() -> None:
    params = ChatParams(temperature=0.5, seed=3, response_format={"type": "json_schema", "json_schema": {}})
    findings = check_pane(_draft("acme/text", params=params), TEXT_ONLY, offer=OFFER)
    texts = {f.kind: f.text for f in findings}
    assert texts[FindingKind.UNSUPPORTED] == (
        "acme/text does not list structured outputs: the schema may be ignored - "
        "add --require-parameters to use only providers that do"
    )
    assert texts[FindingKind.IGNORED] == "acme/text ignores: seed, response_format"
    assert not any(f.blocks for f in findings)
    insisted = check_pane(_draft("acme/text", params=params, require_parameters=True), TEXT_ONLY, offer=OFFER)
    assert "add --require-parameters" not in " ".join(f.text for f in insisted)


def test_a_preset_is_named_as_such_not_as_an_unknown_model() -> None:
    findings = check_pane(_draft("@preset/mine"), None, offer=OFFER)
    assert [f.kind for f in findings] == [FindingKind.PRESET]
    assert "OpenRouter preset" in findings[0].text
    catalog = ModelCatalog([TEXT_ONLY])
    assert not is_unknown_model("@preset/mine", catalog)


def test_unknown_models_are_those_the_catalog_does_not_list() -> None:
    catalog = ModelCatalog([TEXT_ONLY])
    assert is_unknown_model("acme/typo", catalog)
    assert not is_unknown_model("acme/text:nitro", catalog)  # a routing variant of a listed model
    assert not is_unknown_model("@ollama/llama3", catalog)  # another endpoint's model
    assert not is_unknown_model("acme/typo", None) and not is_unknown_model("acme/typo", ModelCatalog([]))
    assert is_unknown_model("fault/slow", catalog) and not is_unknown_model("fault/slow", catalog, demo=True)


def test_an_empty_model_id_blocks() -> None:
    finding = missing_model("  ")
    assert finding is not None and finding.blocks and finding.text == EMPTY_MODEL
    assert missing_model("acme/text") is None


def test_the_spend_cap_is_reached_at_its_threshold() -> None:
    cap = Thresholds(estimate_above=Decimal("0.10"))
    assert spend_cap(cap, Decimal("0.09")) is None
    reached = spend_cap(cap, Decimal("0.10"))
    assert reached is not None and reached.kind is FindingKind.SPEND_CAP
    assert reached.text.endswith("at or above your alert of $0.10.")
    assert spend_cap(Thresholds(), Decimal("100")) is None  # no cap set
