"""The learner's lab commands: start, env, check, run, hint, solution, solve, reset."""

from __future__ import annotations

import shutil
import sys
import time

from .. import compare, exam, progress
from ..catalog import load, parse_hints
from ..errors import LabError
from ..grading import LabResult, grade
from ..harness import run_script
from ..render import as_json, code, lab_text, out, output_panel, result, say, table
from ..sandboxes import open_sandbox
from .common import Attempt, attempt_for


def starter_text(attempt: Attempt) -> str:
    lab = attempt.lab
    if lab.starter_path.exists():
        return lab.starter_path.read_text()
    return (f'"""{lab.title} ({lab.id}).\n\nSolve the lab here with plain boto3, then run '
            f'`inv lab.run {lab.id}`:\nthe runner points the SDK at your sandbox, so no endpoint or keys '
            'are needed.\n"""\n\nimport boto3\n\n')


def write_starter(attempt: Attempt, overwrite: bool = False) -> None:
    path, text = attempt.workspace_file, starter_text(attempt)
    if path.exists() and path.read_text() != text and not overwrite:
        say(f"Kept your {path.name} in {path.parent} (pass --overwrite to start it again; "
            "the old file would be saved as .bak).")
        return
    if path.exists() and path.read_text() != text:
        shutil.copy(path, path.with_suffix(".py.bak"))
    path.write_text(text)
    say(f"Your workspace file: {path}")


def names_table(attempt: Attempt) -> None:
    if attempt.sandbox.names:
        out.print("[bold]Your sandbox's names[/] (use them exactly):")
        for key, value in attempt.sandbox.names.items():
            out.print(f"  {key}: [cyan]{value}[/]")


def start(lab_id: str, overwrite: bool = False) -> None:
    attempt = attempt_for(lab_id, quiet=True)
    progress.started(attempt.lab.id)
    lab_text(attempt.lab.handout(attempt.sandbox.names))
    out.rule()
    names_table(attempt)
    write_starter(attempt, overwrite)
    out.print(f"Sandbox account {attempt.sandbox.account_id} on {attempt.backend.endpoint}. Point this shell "
              f"at it with:\n  [bold]eval \"$(inv lab.env {attempt.lab.id})\"[/]\n"
              f"Then `inv lab.check {attempt.lab.id}` grades it, `inv lab.hint {attempt.lab.id}` helps.")


def env(lab_id: str) -> None:
    attempt = attempt_for(lab_id)
    print(attempt.sandbox.shell_exports())


def graded(attempt: Attempt) -> LabResult:
    res = grade(attempt.lab, attempt.checker(), attempt.backend.name)
    progress.checked(attempt.lab.id, res)
    return res


def report(attempt: Attempt, res: LabResult, json_output: bool, compare: bool = False) -> int:
    if json_output:
        as_json(res.to_dict())
        return 0 if res.passed else 1
    result(res)
    running = exam.current()
    if running and attempt.lab.id in running["labs"]:
        out.print(f"[bold]Exam[/]: {exam.format_left(exam.seconds_left(running))} left; "
                  "`inv exam --finish` hands in.")
    elif not res.passed:
        out.print(f"[dim]Stuck? `inv lab.hint {attempt.lab.id}`.[/]")
    elif compare or offer("Show your calls beside the reference solution's?"):
        show_comparison(attempt)
    else:
        out.print(f"`inv lab.check {attempt.lab.id} --compare` shows your calls beside the reference "
                  f"solution's; `inv lab.solution {attempt.lab.id}` shows its code.")
    return 0 if res.passed else 1


def offer(question: str) -> bool:
    """Ask only a person at a terminal; scripts and CI are never prompted."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    return out.input(f"{question} [y/N] ").strip().lower().startswith("y")


def show_comparison(attempt: Attempt) -> None:
    if not attempt.backend.journal:
        out.print(f"The {attempt.backend.name} backend keeps no call journal, so there are no calls to compare.")
        return
    mine = compare.learner_calls(attempt.checker())
    reference = compare.reference_calls(attempt.lab, attempt.backend)
    table(f"{attempt.lab.id}: your calls and the reference's, in order", ["yours", "reference"],
          compare.side_by_side(mine, reference))


def check(lab_id: str, json_output: bool = False, compare_calls: bool = False) -> int:
    attempt = attempt_for(lab_id)
    return report(attempt, graded(attempt), json_output, compare_calls)


def run(lab_id: str, timeout: float = 60.0, json_output: bool = False) -> int:
    attempt = attempt_for(lab_id)
    path = attempt.workspace_file
    if not path.exists():
        raise LabError(f"There is no {path}: `inv lab.start {attempt.lab.id}` writes a starter.")
    run_result = run_script(path, attempt.sandbox.learner_env(), timeout)
    if not json_output:
        output_panel(run_result.output, f"output of {path.name}")
    if run_result.error:
        say(f"[red]{run_result.error}[/] The sandbox is graded as your script left it.")
    return report(attempt, graded(attempt), json_output)


def hint(lab_id: str) -> None:
    exam.forbid_help("hints")
    attempt = attempt_for(lab_id)
    res = grade(attempt.lab, attempt.checker(), attempt.backend.name)
    failing = res.first_failing()
    if failing is None:
        out.print(f"Every step of {attempt.lab.id} passes already: no hint needed.")
        return
    if failing.hint:
        out.print(f"[bold]About step {failing.number}[/]: {failing.hint}")
    hints = attempt.lab.hints()
    rung = min(progress.of(attempt.lab.id).get("hints_used", 0) + 1, len(hints))
    progress.hint_seen(attempt.lab.id, rung)
    text = attempt.lab.rendered_text(attempt.sandbox.names)
    out.print(f"[bold]Hint {rung} of {len(hints)}[/]: {parse_hints(text)[rung - 1]}")
    if rung == len(hints):
        out.print(f"That was the last hint: `inv lab.solution {attempt.lab.id}` is now open to you.")


def solution(lab_id: str, force: bool = False) -> None:
    exam.forbid_help("solutions")
    lab = load().get(lab_id)
    seen = progress.of(lab.id)
    earned = bool(seen.get("passed_at")) or seen.get("hints_used", 0) >= len(lab.hints())
    if not (earned or force):
        raise LabError(f"The solution of {lab.id} opens after a pass or after the last hint "
                       f"(`inv lab.hint {lab.id}`); `--force` opens it now.", code=1)
    code(lab.solution_path, f"reference solution: {lab.solution_path.name}")


def solve(lab_id: str) -> None:
    exam.forbid_help("reference solutions")
    attempt = attempt_for(lab_id)
    lab = attempt.lab
    lab.solution_module().solve(attempt.learner(code_path=lab.solution_path))
    if lab.kind == "code":
        path = attempt.workspace_file
        if path.exists() and path.read_text() not in (lab.solution_path.read_text(), starter_text(attempt)):
            backup = path.with_suffix(f".py.{time.strftime('%Y%m%d-%H%M%S')}.bak")
            shutil.copy(path, backup)
            say(f"Saved your {path.name} as {backup.name}.")
        shutil.copy(lab.solution_path, path)
        say(f"Copied the reference code into {path}.")
    out.print(f"Applied the reference solution of {lab.id} to its sandbox: `inv lab.check {lab.id}` "
              "should pass now.")


def reset(lab_id: str) -> None:
    lab = load().get(lab_id)
    attempt = attempt_for(lab_id, quiet=True)
    sandbox = open_sandbox(lab, attempt.backend)
    out.print(f"{lab.id} has a fresh sandbox (account {sandbox.account_id}); other labs are untouched. "
              f"Run `eval \"$(inv lab.env {lab.id})\"` again in your shell.")
    names_table(Attempt(lab, attempt.backend, sandbox))


def watch(lab_id: str, timeout: float = 60.0, poll: bool = False) -> None:
    from ..watch.loop import Watch

    attempt = attempt_for(lab_id, quiet=True)
    if not attempt.workspace_file.exists():
        write_starter(attempt)
    Watch(attempt, timeout, poll).run()
