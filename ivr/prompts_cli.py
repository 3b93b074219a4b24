"""``hotline prompts build``: render every missing prompt with espeak-ng + sox.

Output: ``<prompts_dir>/<lang>/<id>.wav``, 8 kHz mono 16-bit PCM (what Asterisk plays
without transcoding for slin). Existing files (recorded prompts) are never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.progress import Progress

from ivr.loader import MenuError, load_menus
from ivr.prompts import prompt_texts

app = typer.Typer(help="Voice prompts.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Voice prompts."""

# espeak-ng voices per prompt language.
VOICES = {"zh": "cmn", "en": "en-us"}


class PromptBuildError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class PromptJob:
    language: str
    prompt_id: str
    text: str
    target: Path


def plan(prompts_dir: Path, texts: dict[str, dict[str, str]], languages: Iterable[str]) -> list[PromptJob]:
    """The prompts that have no file yet (recorded or rendered before)."""
    jobs = []
    for lang in languages:
        for pid, by_lang in sorted(texts.items()):
            target = prompts_dir / lang / f"{pid}.wav"
            if lang in by_lang and not target.exists():
                jobs.append(PromptJob(lang, pid, by_lang[lang], target))
    return jobs


def render(job: PromptJob) -> None:
    """espeak-ng → temporary WAV → sox 8 kHz mono 16-bit → atomic rename."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise PromptBuildError(f"{tool} is not installed; apt-get install espeak-ng sox")
    job.target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        out = Path(tmp) / "out.wav"
        voice = VOICES.get(job.language, job.language)
        for cmd in (["espeak-ng", "-v", voice, "-w", str(raw), job.text],
                    ["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", str(out)]):
            res = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if res.returncode != 0:
                raise PromptBuildError(f"{cmd[0]} failed for {job.language}/{job.prompt_id}: "
                                       f"{res.stderr.strip()[:200]}")
        shutil.move(str(out), job.target)


def build(jobs: list[PromptJob], on_done: Callable[[PromptJob], None] | None = None) -> int:
    for job in jobs:
        render(job)
        if on_done is not None:
            on_done(job)
    return len(jobs)


@app.command("build")
def build_cmd(
    menu: Path = typer.Option(None, help="Menu file whose own prompt texts are added (default: settings)."),
    out: Path = typer.Option(None, help="Prompts directory (default: settings.prompts_dir)."),
    language: list[str] = typer.Option(None, "--language", "-l", help="Only these languages."),
) -> None:
    """Render every missing prompt from its text; recorded prompts are kept."""
    from hotline.settings import get_settings

    settings = get_settings()
    prompts_dir = out or settings.prompts_dir
    menu = menu or settings.ivr_menu_file or Path(__file__).parent / "menus" / "default.yaml"
    try:
        menus = load_menus(menu)
    except MenuError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    texts = prompt_texts(menus.file.prompts)
    jobs = plan(prompts_dir, texts, language or menus.defaults.languages)
    if not jobs:
        typer.echo(f"all prompts present in {prompts_dir}")
        return
    with Progress() as progress:
        task = progress.add_task("rendering prompts", total=len(jobs))
        try:
            build(jobs, on_done=lambda j: progress.update(task, advance=1, description=f"{j.language}/{j.prompt_id}"))
        except PromptBuildError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"rendered {len(jobs)} prompts into {prompts_dir}")
