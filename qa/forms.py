"""Scorecard forms: sections of weighted items, versioned by the time they take effect.

Pure: no I/O. A form is identified by ``key``; each new ``version`` of it has an
``effective_from`` epoch time, and a call is scored with the version in force when the
call started (:meth:`FormHistory.in_force`).

Example (the shape ``Form.from_dict`` reads, as stored in ``qa_forms.definition``)::

    {"key": "inbound", "version": 2, "effective_from": 1767225600,
     "sections": [{"title": "Opening", "items": [
        {"id": "greet", "text": "Standard greeting", "weight": 2, "kind": "yes_no", "fatal": false},
        {"id": "verify", "text": "Verified identity", "kind": "yes_no", "fatal": true},
        {"id": "tone", "text": "Tone 0-4", "kind": "scale", "max": 4, "pass_at": 3}]}]}

An item may carry a ``script`` that automatic QA checks on the agent's transcript
(``qa.script``): ``{"required": ["thank you for calling"], "forbidden": ["not my problem"],
"window": "start", "within_s": 20}``; the form's ``language`` (default ``en``) picks the
transcription engine.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

ItemKind = Literal["yes_no", "scale"]
Window = Literal["any", "start", "end"]
MAX_PHRASES = 20
MAX_PHRASE_CHARS = 120


class FormError(ValueError):
    """A form definition that cannot be used; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class Script:
    """Phrases automatic QA looks for in the agent's speech: every ``required`` phrase must be
    said (within ``within_s`` of the start or the end when ``window`` says so), no
    ``forbidden`` phrase anywhere. Phrases are stored lower-case, single-spaced."""

    required: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    window: Window = "any"
    within_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"required": list(self.required), "forbidden": list(self.forbidden),
                "window": self.window, "within_s": self.within_s}


@dataclass(frozen=True, slots=True)
class Item:
    """One question. ``yes_no`` items are answered ``yes``/``no``/``na``; ``scale`` items
    an integer ``0..max`` or ``na``. A scale item counts as failed below ``pass_at``
    (default ``max``). A fatal item is yes/no: answering ``no`` zeroes the evaluation."""

    id: str
    text: str
    section: str
    weight: float = 1.0
    kind: ItemKind = "yes_no"
    max: int = 1
    pass_at: int = 1
    fatal: bool = False
    script: Script | None = None


@dataclass(frozen=True, slots=True)
class Form:
    key: str
    version: int
    effective_from: float
    items: tuple[Item, ...]
    language: str = "en"

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.section for i in self.items))

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise FormError(f"Form {self.key} v{self.version} has no item {item_id!r}.")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Form:
        try:
            key, version, eff = str(d["key"]), int(d["version"]), float(d["effective_from"])
            sections = d["sections"]
        except (KeyError, TypeError, ValueError) as e:
            raise FormError(f"A form needs key, version, effective_from and sections ({e}).") from e
        items: list[Item] = []
        for s in sections:
            title = str(s.get("title", ""))
            for raw in s.get("items", ()):
                items.append(_item(raw, title))
        if not items:
            raise FormError(f"Form {key} v{version} has no items; add at least one.")
        ids = [i.id for i in items]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise FormError(f"Form {key} v{version} repeats item ids {dup}; ids must be unique.")
        language = str(d.get("language") or "en")
        if not 2 <= len(language) <= 8:
            raise FormError(f"Form {key} v{version}: language is a code like en or zh, not {language!r}.")
        return cls(key, version, eff, tuple(items), language)

    def to_dict(self) -> dict[str, Any]:
        out: list[dict[str, Any]] = []
        for title in self.sections:
            out.append({"title": title, "items": [_item_dict(i) for i in self.items if i.section == title]})
        return {"key": self.key, "version": self.version, "effective_from": self.effective_from,
                "language": self.language, "sections": out}


def _item_dict(i: Item) -> dict[str, Any]:
    d: dict[str, Any] = {"id": i.id, "text": i.text, "weight": i.weight, "kind": i.kind, "max": i.max,
                         "pass_at": i.pass_at, "fatal": i.fatal}
    if i.script is not None:
        d["script"] = i.script.to_dict()
    return d


def _phrases(iid: str, raw: object, what: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple) or not all(isinstance(p, str) for p in raw):
        raise FormError(f"Item {iid}: script {what} is a list of phrases.")
    out = tuple(" ".join(p.lower().split()) for p in raw)
    if len(out) > MAX_PHRASES or any(not p or len(p) > MAX_PHRASE_CHARS for p in out):
        raise FormError(f"Item {iid}: script {what} holds 1..{MAX_PHRASE_CHARS}-character phrases, "
                        f"at most {MAX_PHRASES}.")
    return out


def _script(iid: str, raw: object) -> Script | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise FormError(f"Item {iid}: script is {{required, forbidden, window, within_s}}.")
    required, forbidden = _phrases(iid, raw.get("required"), "required"), _phrases(iid, raw.get("forbidden"), "forbidden")
    if not required and not forbidden:
        raise FormError(f"Item {iid}: a script needs at least one required or forbidden phrase.")
    window = raw.get("window", "any")
    if window not in ("any", "start", "end"):
        raise FormError(f"Item {iid}: script window is any, start or end, not {window!r}.")
    within = raw.get("within_s")
    if within is not None:
        try:
            within = float(within)
        except (TypeError, ValueError):
            raise FormError(f"Item {iid}: script within_s is a number of seconds.") from None
        if not 0 < within < 86400:
            raise FormError(f"Item {iid}: script within_s must be between 0 and 86400 seconds.")
    if window != "any" and within is None:
        raise FormError(f"Item {iid}: a script window {window} needs within_s (seconds).")
    return Script(required, forbidden, window, within)


def _item(raw: Mapping[str, Any], section: str) -> Item:
    iid = str(raw.get("id") or "")
    if not iid:
        raise FormError(f"An item in section {section!r} has no id.")
    kind = raw.get("kind", "yes_no")
    if kind not in ("yes_no", "scale"):
        raise FormError(f"Item {iid}: kind must be yes_no or scale, not {kind!r}.")
    fatal = bool(raw.get("fatal", False))
    weight = float(raw.get("weight", 1.0))
    if weight < 0:
        raise FormError(f"Item {iid}: weight must be >= 0, not {weight}.")
    if kind == "scale":
        if fatal:
            raise FormError(f"Item {iid}: a fatal item must be yes_no (missed or not).")
        top = int(raw.get("max", 0))
        if top < 1:
            raise FormError(f"Item {iid}: a scale item needs max >= 1.")
        pass_at = int(raw.get("pass_at", top))
        if not 0 <= pass_at <= top:
            raise FormError(f"Item {iid}: pass_at must be within 0..{top}.")
        if raw.get("script") is not None:
            raise FormError(f"Item {iid}: a script is checked yes or no, so its item must be yes_no.")
        return Item(iid, str(raw.get("text", iid)), section, weight, "scale", top, pass_at, False)
    return Item(iid, str(raw.get("text", iid)), section, weight, "yes_no", 1, 1, fatal,
                _script(iid, raw.get("script")))


class FormHistory:
    """All versions of all forms; picks the one in force at a call's start."""

    def __init__(self, forms: Iterable[Form] = ()) -> None:
        self._by_key: dict[str, list[Form]] = {}
        for f in forms:
            self.add(f)

    def add(self, form: Form) -> None:
        versions = self._by_key.setdefault(form.key, [])
        if any(v.version == form.version for v in versions):
            raise FormError(f"Form {form.key} already has a version {form.version}; "
                            "publish a new version number instead of editing one in use.")
        versions.append(form)
        versions.sort(key=lambda f: (f.effective_from, f.version))

    def in_force(self, key: str, at: float) -> Form:
        """The latest version whose ``effective_from`` <= ``at``."""
        versions = self._by_key.get(key)
        if not versions:
            raise FormError(f"There is no form {key!r}.")
        i = bisect.bisect_right([v.effective_from for v in versions], at)
        if i == 0:
            raise FormError(f"No version of form {key!r} was in force at {at}; "
                            f"the first takes effect at {versions[0].effective_from}.")
        return versions[i - 1]
