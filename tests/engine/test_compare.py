"""Your calls beside the reference's, after a pass: `inv lab.check ID --compare`."""

from labrunner.compare import collapsed, side_by_side

LAB = "s3-put-object"


def test_runs_of_one_operation_collapse_and_columns_pad():
    assert collapsed(["s3:UploadPart"] * 3 + ["s3:CompleteMultipartUpload"]) == [
        "s3:UploadPart ×3", "s3:CompleteMultipartUpload"]
    assert side_by_side(["a"], ["b", "c"]) == [["a", "b"], ["", "c"]]


def test_a_pass_shows_the_learners_calls_beside_the_references(runner):
    assert runner("up").returncode == 0
    runner.shell(LAB, 'echo "q,total" > /tmp/q4.csv && aws s3 mb "s3://$LABS_NAME_BUCKET" >/dev/null && '
                      'aws s3api put-object --bucket "$LABS_NAME_BUCKET" --key "$LABS_NAME_KEY" --body /tmp/q4.csv '
                      '--content-type text/csv --metadata owner=finance >/dev/null')
    result = runner("lab.check", LAB, "--compare")
    assert result.returncode == 0, result.stdout
    rows = [line for line in result.stdout.splitlines() if "s3:" in line]
    assert any(line.count("s3:CreateBucket") == 2 for line in rows), result.stdout
    assert any(line.count("s3:PutObject") == 2 for line in rows), result.stdout
    assert "HeadObject" not in result.stdout  # the checker's own reads are not the learner's calls


def test_no_comparison_before_a_pass(runner):
    runner("lab.reset", LAB)
    result = runner("lab.check", LAB, "--compare")
    assert result.returncode == 1 and "your calls and the reference's" not in result.stdout
