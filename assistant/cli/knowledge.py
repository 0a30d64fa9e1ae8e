"""`assistant kb check|build|search|eval`: the knowledge base from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from assistant.knowledge import documents
from assistant.knowledge import index as index_module
from assistant.knowledge import service as knowledge_service
from assistant.settings import get_settings

console = Console()
app = typer.Typer(no_args_is_help=True, help="Knowledge base: check, build, search, evaluate.")


@app.command("check")
def check_command(folder: Path = typer.Option(None, help="Markdown folder (default: settings.knowledge_dir).")) -> None:
    """Check front matter, sections, titles and links; print each problem as file:line."""
    folder = folder or get_settings().knowledge_dir
    problems = documents.check(folder)
    for problem in problems:
        console.print(f"[red]{folder / problem.path}:{problem.line}[/]: {problem.message}", highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print(f"[green]✓[/] {folder}: no problems")


@app.command("build")
def build_command(force: bool = typer.Option(False, help="Publish a new version even if nothing changed.")) -> None:
    """Embed changed sections and publish a new index version (nothing changes if the check fails)."""
    try:
        result = index_module.build(force=force, progress=True)
    except index_module.KnowledgeCheckFailed as error:
        for problem in error.problems:
            console.print(f"[red]{problem}[/]", highlight=False)
        console.print("[red]✗ not published: the served index is unchanged[/]")
        raise typer.Exit(1)
    state = "published" if result.published else "unchanged, still serving"
    console.print(f"[green]✓[/] {state} {result.version}: {result.documents} documents, {result.sections} sections, "
                  f"{result.embedded} embedded, {result.seconds:.1f}s")


@app.command("search")
def search_command(question: str, context: list[str] = typer.Option(None, help="Earlier questions, oldest first."),
                   as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Answer a question the way the chat would."""
    result = knowledge_service.search(query=question, context=context or [])
    rows = [{"title": h.title, "url": h.url, "section": h.section.heading, "similarity": round(h.similarity, 3)}
            for h in result.ranking.hits[:3]]
    if as_json:
        console.print_json(json.dumps({"decision": result.decision, "used_context": result.used_context, "top": rows}))
        return
    console.print(f"[bold]{result.decision}[/] (index {result.index_version}, context used: {result.used_context})")
    if result.decision == "answer":
        console.print(knowledge_service.answer_text(result.best), highlight=False)
    for row in rows:
        console.print(f"  {row['similarity']:.3f}  {row['title']} › {row['section']}  {row['url']}", highlight=False)


@app.command("eval")
def eval_command(docs: Path = typer.Option(None, help="A folder of Markdown to evaluate instead of the knowledge base."),
                 questions: Path = typer.Option(None, help='JSONL of {"question", "expected"} (path or title; null = out of scope).'),
                 tune: bool = typer.Option(False, help="Tune the decision thresholds on one half, report the other.")) -> None:
    """Recall@1/@3, MRR and decline figures of embeddings, BM25 and hybrid side by side."""
    from assistant.knowledge import evaluation

    evaluation.evaluate(docs=docs, questions_path=questions, tune_thresholds=tune)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="kb")
