"""The lab runner's commands. `inv --list` shows them; `inv --help <task>` explains one.

Each task only parses its arguments and calls the engine in labrunner.commands.  A task
imports its command module when it runs, so `inv lab.check` loads what a check needs
and nothing else (boto3 and rich are most of a command's start-up time).
"""

import importlib
import sys

from invoke import Collection, task
from invoke.exceptions import Exit

from labrunner.commands.friendly import friendly

ID_HELP = "The lab id, as `inv labs` lists it (for example s3-multipart-upload)."
JSON_HELP = "Print a machine-readable JSON result instead of the table."


def command(name: str):
    """The command module ``labrunner.commands.<name>``, imported on first use."""
    return importlib.import_module(f"labrunner.commands.{name}")


def exit_with(code: int) -> None:
    if code:
        raise Exit(code=code)


@task(help={"backend": "Emulator to start: moto (default, embedded), ministack or localstack (`inv backends`).",
            "port": "Port on 127.0.0.1 (default 4610 or $LABS_PORT; a free one if taken).",
            "endpoint": "Attach to an emulator already running there instead of starting one."})
@friendly
def up(c, backend="moto", port=None, endpoint=None):
    """Start the local AWS emulator in the background (or attach to a running one)."""
    command("server").up(backend, int(port) if port else None, endpoint)


@task(help={"json": JSON_HELP})
@friendly
def status(c, json=False):
    """Say whether the emulator runs, where, and where its log is."""
    exit_with(command("server").status(json))


@task
@friendly
def down(c):
    """Stop the emulator (fine when none is running)."""
    command("server").down()


@task(help={"json": JSON_HELP, "backend": "Also say whether this backend grades each lab fully, partly or not."})
@friendly
def labs(c, json=False, backend=None):
    """The catalogue: section, id, title, status and best score of every lab."""
    command("catalogue").labs(json, backend)


@task(help={"json": JSON_HELP})
@friendly
def backends(c, json=False):
    """The capability matrix: the services and features each backend really serves."""
    command("backends").show(json)


@task(help={"json": JSON_HELP})
@friendly
def doctor(c, json=False):
    """What this machine has for the labs: versions, emulator, port, Redis, Docker, real credentials."""
    exit_with(command("doctor").run(json))


@task(help={"json": JSON_HELP})
@friendly
def coverage(c, json=False):
    """Each section of the study notes: the labs and steps that cover it, and your progress on each."""
    command("catalogue").coverage(json)


@task(help={"backend": "Emulator to prove the labs on (started privately).",
            "lab": "Only this lab (repeatable).", "junit": "Also write a JUnit XML report here.",
            "json": "Also write a JSON report here.", "workers": "Proofs run at once (default 4)."},
      iterable=["lab"])
@friendly
def verify(c, backend="moto", lab=None, junit=None, json=None, workers=4):
    """Prove the catalogue: fresh sandboxes fail, references pass, near-misses fail."""
    exit_with(command("verify").verify(backend, lab or None, junit, json, int(workers)))


@task(help={"lab_id": ID_HELP, "overwrite": "Replace your workspace file with the starter (keeps a .bak)."})
@friendly
def start(c, lab_id, overwrite=False):
    """Hand out a lab: its task, a sandbox, a starter file and the exports."""
    command("lab").start(lab_id, overwrite)


@task(help={"lab_id": ID_HELP})
@friendly
def env(c, lab_id):
    """Print eval-able exports that point boto3 and the CLI at the lab's sandbox."""
    command("lab").env(lab_id)


@task(help={"lab_id": ID_HELP, "json": JSON_HELP,
            "compare": "After a pass, show your recorded calls beside the reference solution's."})
@friendly
def check(c, lab_id, json=False, compare=False):
    """Grade the lab: one line per step, then the score."""
    exit_with(command("lab").check(lab_id, json, compare))


@task(help={"lab_id": ID_HELP, "timeout": "Seconds the script may run (default 60).", "json": JSON_HELP})
@friendly
def run(c, lab_id, timeout=60, json=False):
    """Run workspace/<lab>.py in the sandbox, then grade."""
    exit_with(command("lab").run(lab_id, float(timeout), json))


@task(help={"lab_id": ID_HELP, "timeout": "Seconds each run may take (default 60).",
            "poll": "Poll the file instead of waiting for file events (network drives, WSL)."})
@friendly
def watch(c, lab_id, timeout=60, poll=False):
    """Re-run and re-check workspace/<lab>.py in a fresh sandbox on every save."""
    command("lab").watch(lab_id, float(timeout), poll)


@task(help={"lab_id": ID_HELP})
@friendly
def hint(c, lab_id):
    """The next hint: about the first failing step, then the next rung of the ladder."""
    command("lab").hint(lab_id)


@task(help={"lab_id": ID_HELP, "force": "Show it now, before a pass or the last hint."})
@friendly
def solution(c, lab_id, force=False):
    """The reference solution, once earned."""
    command("lab").solution(lab_id, force)


@task(help={"lab_id": ID_HELP})
@friendly
def solve(c, lab_id):
    """Apply the reference solution to the lab's sandbox."""
    command("lab").solve(lab_id)


@task(help={"lab_id": ID_HELP})
@friendly
def reset(c, lab_id):
    """Give the lab a fresh, empty sandbox (setup re-applied); other labs are untouched."""
    command("lab").reset(lab_id)


@task(help={"lab_id": ID_HELP})
@friendly
def aws(c, lab_id):
    """The AWS CLI in the lab's sandbox: `inv aws <lab> -- s3 ls` (arguments after `--`)."""
    cli = command("cli")
    exit_with(cli.run(lab_id, cli.arguments_after_dashes(sys.argv, c.remainder)))


@task(help={"minutes": "Time allowed (default 30).", "labs": "How many labs (default 3).",
            "section": "Only labs of this notes section (repeatable), e.g. s3 or DynamoDB.",
            "seed": "Seed for the random choice, to repeat an exam.", "finish": "Hand in now and score."},
      iterable=["section"])
@friendly
def exam(c, minutes=30, labs=3, section=None, seed=None, finish=False):
    """A timed exam: random labs in fresh sandboxes, no hints until the end, a score per section."""
    exit_with(command("exam").run(float(minutes), int(labs), section or [], int(seed) if seed is not None else None,
                               finish))


lab = Collection("lab", start, env, check, run, watch, hint, solution, solve, reset)
ns = Collection(up, status, down, doctor, labs, backends, coverage, verify, exam, aws, lab)
