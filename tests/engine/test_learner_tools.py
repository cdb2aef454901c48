"""`inv coverage`, `inv doctor` and `inv aws` through the real command line."""

import json

from labrunner.catalog import load

LAB = "s3-put-object"


def test_coverage_maps_every_section_of_the_notes_to_labs_and_steps(runner):
    mapped = json.loads(runner("coverage", "--json").stdout)
    catalog = load()
    assert [s["section"] for s in mapped["sections"]] == list(catalog.sections)
    assert mapped["sections_covered"] == mapped["sections_total"] == 22
    assert mapped["steps"] == sum(len(lab.steps()) for lab in catalog.labs)
    assert mapped["steps_passed"] == 0
    text = runner("coverage").stdout
    assert "22 of 22 sections have labs" in text and "ec2-ebs-data-volume" in text


def test_coverage_counts_the_steps_a_learner_passed(runner):
    assert runner("up").returncode == 0
    assert runner("lab.solve", LAB).returncode == 0
    assert runner("lab.check", LAB).returncode == 0
    mapped = json.loads(runner("coverage", "--json").stdout)
    s3 = next(s for s in mapped["sections"] if s["section"] == "s3")
    lab = next(lab for lab in s3["labs"] if lab["id"] == LAB)
    assert lab["status"] == "passed" and all(step["passed"] for step in lab["steps"])
    assert s3["steps_passed"] == len(lab["steps"]) == mapped["steps_passed"]


def test_doctor_reports_the_machine_without_printing_credentials(runner):
    result = runner("doctor")
    assert result.returncode == 0 and "Ready for the labs" in result.stdout
    assert "AKIAREALLOOKING00001" not in result.stdout + result.stderr
    findings = {f["topic"]: f for f in json.loads(runner("doctor", "--json").stdout)["findings"]}
    assert findings["emulator"]["level"] == "ok"
    assert findings["AWS credentials"]["level"] == "warn" and "AWS_PROFILE" in findings["AWS credentials"]["sentence"]
    assert {"Python", "packages", "port", "cache server", "Docker", "Python 3.13", "folders"} <= set(findings)


def test_aws_runs_the_cli_in_the_sandbox_whatever_profile_is_set(runner):
    exports = runner("lab.env", LAB).stdout
    account = next(line.split("=", 1)[1].strip("'\"") for line in exports.splitlines()
                   if line.startswith("export LABS_ACCOUNT_ID="))
    identity = runner("aws", LAB, "--", "sts", "get-caller-identity", "--output", "json")
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Arn"] == f"arn:aws:iam::{account}:user/lab-learner"


def test_aws_keeps_quoted_arguments_whole(runner):
    bucket = f"lab-put-{json.loads(runner('aws', LAB, '--', 'sts', 'get-caller-identity').stdout)['Account']}"
    listed = runner("aws", LAB, "--", "s3api", "list-objects-v2", "--bucket", bucket,
                    "--query", "Contents[].Key | [0]", "--output", "text")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip()


def test_aws_without_arguments_or_with_an_unknown_lab_is_one_sentence(runner):
    empty = runner("aws", LAB)
    assert empty.returncode == 2 and "Say what to run after `--`" in empty.stderr
    unknown = runner("aws", "s3-put", "--", "s3", "ls")
    assert unknown.returncode == 2 and "Did you mean s3-put-object" in unknown.stderr
