"""Script compliance on a transcript: required and forbidden phrases per scorecard item.
Pure: a :class:`~qa.transcribe.Transcript` and a form in, one verdict per scripted item out.

A phrase of n words is found where the transcript holds it with at most ``n // 3`` words
wrong, missing or extra (approximate matching over words: speech recognition of phone
audio drops and swaps short words; "can you for calling hotline" is the greeting
"thank you for calling hotline"). An item passes (``yes``) when every required phrase is
found inside its window and no forbidden phrase anywhere; the verdict pre-fills the
evaluation, the evaluator has the last word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.forms import Form, Script
from qa.transcribe import Transcript, Word, normalise


@dataclass(frozen=True, slots=True)
class Hit:
    phrase: str
    at_s: float
    heard: str  # the transcript's words that matched


@dataclass(frozen=True, slots=True)
class ScriptVerdict:
    item_id: str
    answer: str  # yes | no
    found: tuple[Hit, ...]
    missing: tuple[str, ...]
    forbidden: tuple[Hit, ...]


def find(phrase: str, words: Sequence[Word]) -> list[Hit]:
    """Every place ``phrase`` occurs in ``words`` within its error budget, earliest first."""
    target = normalise(phrase).split()
    if not target:
        return []
    budget = len(target) // 3
    heard = [w.text for w in words]
    hits: list[Hit] = []
    # Sellers' approximate substring match: d[j] = fewest edits to match target[:i]
    # ending at heard[j-1], any start; start[j] remembers where that match began.
    prev, prev_start = list(range(len(target) + 1)), [0] * (len(target) + 1)
    # cols[j] = (edits, first heard index) of the best match ending at heard[j]
    cols: list[tuple[int, int]] = []
    for j in range(1, len(heard) + 1):
        cur, cur_start = [0], [j]
        for i in range(1, len(target) + 1):
            options = [
                (prev[i - 1] + (target[i - 1] != heard[j - 1]), prev_start[i - 1]),  # match / swap
                (prev[i] + 1, prev_start[i]),  # an extra heard word
                (cur[i - 1] + 1, cur_start[i - 1]),  # a target word not heard
            ]
            cost, st = min(options)
            cur.append(cost)
            cur_start.append(st)
        cols.append((cur[-1], cur_start[-1]))
        prev, prev_start = cur, cur_start
    j, last_end = 0, -1
    while j < len(cols):
        cost, st = cols[j]
        if cost <= budget and st > last_end:
            # extend to the best end of this match, then skip past it
            end = j
            while end + 1 < len(cols) and cols[end + 1][1] == st and cols[end + 1][0] <= cost:
                end += 1
                cost = cols[end][0]
            hits.append(Hit(" ".join(target), words[st].start_s, " ".join(heard[st:end + 1])))
            j = last_end = end
            continue
        j += 1
    return hits


def _in_window(hit: Hit, script: Script, duration_s: float) -> bool:
    if script.window == "start":
        return hit.at_s <= (script.within_s or 0.0)
    if script.window == "end":
        return hit.at_s >= duration_s - (script.within_s or 0.0)
    return True


def check_item(item_id: str, script: Script, transcript: Transcript, duration_s: float) -> ScriptVerdict:
    found: list[Hit] = []
    missing: list[str] = []
    for p in script.required:
        hits = [h for h in find(p, transcript.words) if _in_window(h, script, duration_s)]
        if hits:
            found.append(hits[0])
        else:
            missing.append(p)
    bad = [h for p in script.forbidden for h in find(p, transcript.words)]
    bad.sort(key=lambda h: h.at_s)
    return ScriptVerdict(item_id, "no" if missing or bad else "yes", tuple(found), tuple(missing), tuple(bad))


def check(form: Form, transcript: Transcript, duration_s: float) -> list[ScriptVerdict]:
    """One verdict per item of ``form`` that has a script, in form order."""
    return [check_item(i.id, i.script, transcript, duration_s) for i in form.items if i.script is not None]


def hints(form: Form) -> list[str]:
    """Every phrase of the form's scripts (what the transcriber is told to listen for)."""
    return [p for i in form.items if i.script is not None for p in (*i.script.required, *i.script.forbidden)]
