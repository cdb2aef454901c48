"""Exam mode through the real `inv` command line: random labs, no help until the end, a saved score."""

import json
import re

import pytest

from labrunner import exam
from labrunner.catalog import load
from labrunner.errors import LabError


def test_the_same_seed_picks_the_same_labs_and_sections_filter():
    catalog = load()
    first = exam.pick(catalog, 3, ["dynamodb"], seed=11)
    assert first == exam.pick(catalog, 3, ["DynamoDB"], seed=11)
    assert len(first) == 3 and all(catalog.get(lab_id).section == "dynamodb" for lab_id in first)
    assert len(set(exam.pick(catalog, 99, [], seed=1))) == len(catalog.labs)


def test_an_unknown_section_lists_the_real_ones():
    with pytest.raises(LabError, match="the sections are: .*dynamodb"):
        exam.pick(load(), 2, ["dynamo"], seed=1)


def test_score_adds_steps_per_section_and_counts_passed_labs():
    scored = exam.score({"a": [4, 4], "b": [1, 3], "c": [2, 2]}, {"a": "S3", "b": "S3", "c": "SQS"})
    assert scored["sections"] == {"S3": [5, 7], "SQS": [2, 2]}
    assert scored["overall"] == [7, 9] and scored["labs_passed"] == 2


S3_LABS = sorted(lab.id for lab in load().labs if lab.section == "s3")


def listed_labs(text: str) -> list[str]:
    return re.findall(r"• (\S+) \(", text)


def test_an_exam_hands_out_labs_withholds_help_and_saves_its_score(runner):
    assert runner("up").returncode == 0
    started = runner("exam", "--labs", "9", "--section", "s3", "--seed", "5", "--minutes", "10")
    labs = listed_labs(started.stdout)
    assert started.returncode == 0 and "Exam started" in started.stdout and sorted(labs) == S3_LABS
    assert "left" in runner("exam").stdout

    for refused in ("lab.hint", "lab.solution", "lab.solve"):
        result = runner(refused, labs[0])
        assert result.returncode == 1 and "during the exam" in result.stderr and "Traceback" not in result.stderr
    assert "Exam" in runner("lab.check", labs[0]).stdout

    runner.shell("s3-multipart-upload", 'aws s3 mb "s3://$LABS_NAME_BUCKET" >/dev/null')
    finished = runner("exam", "--finish")
    passed, total = map(int, re.search(r"Overall: (\d+)/(\d+) steps", finished.stdout).groups())
    assert finished.returncode == 1 and "S3" in finished.stdout and 1 <= passed < total

    history = json.loads((runner.home / "state" / "progress.json").read_text())["exams"]
    assert history[-1]["seed"] == 5 and history[-1]["labs"] == labs and history[-1]["overall"] == [passed, total]
    assert runner("lab.hint", labs[0]).returncode == 0


def test_when_time_is_up_help_waits_for_the_score(runner):
    started = runner("exam", "--labs", "1", "--section", "ec2", "--minutes", "0")
    lab = listed_labs(started.stdout)[0]
    refused = runner("lab.hint", lab)
    assert refused.returncode == 1 and "time is up" in refused.stderr
    assert "Overall: 0/" in runner("exam").stdout
    assert runner("lab.hint", lab).returncode == 0
