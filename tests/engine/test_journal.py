"""The call journal: operations named from raw requests, calls kept per sandbox."""

import pytest

from labrunner.journal import classify

S3_PUT = {"service": "s3", "method": "PUT", "path": "/bucket/a/b.txt", "query": "",
          "headers": {"content-type": "text/plain"}, "body": None}


@pytest.mark.parametrize("raw, operation", [
    (S3_PUT, "PutObject"),
    ({**S3_PUT, "headers": {"x-amz-copy-source": "/other/key"}}, "CopyObject"),
    ({**S3_PUT, "query": "partNumber=2&uploadId=abc"}, "UploadPart"),
    ({**S3_PUT, "method": "POST", "query": "uploads"}, "CreateMultipartUpload"),
    ({**S3_PUT, "path": "/bucket", "query": "lifecycle"}, "PutBucketLifecycleConfiguration"),
    ({"service": "sqs", "method": "POST", "path": "/", "query": "",
      "headers": {"x-amz-target": "AmazonSQS.ReceiveMessage"}, "body": '{"WaitTimeSeconds": 20}'}, "ReceiveMessage"),
    ({"service": "sts", "method": "POST", "path": "/", "query": "",
      "headers": {"content-type": "application/x-www-form-urlencoded"},
      "body": "Action=AssumeRole&Version=2011-06-15&RoleArn=arn"}, "AssumeRole"),
    ({"service": "lambda", "method": "GET", "path": "/2015-03-31/functions/", "query": "", "headers": {},
      "body": None}, "ListFunctions"),
], ids=["PutObject", "CopyObject", "UploadPart", "CreateMultipartUpload", "lifecycle", "sqs-json", "query",
        "rest-json"])
def test_requests_are_named_with_botocore_operations(raw, operation):
    assert classify(raw)[0] == operation


def test_parameters_come_back_under_member_names():
    name, params = classify({**S3_PUT, "query": "partNumber=2&uploadId=abc"})
    assert (params["Bucket"], params["Key"], params["PartNumber"], params["UploadId"]) == ("bucket", "a/b.txt", "2", "abc")
    _, sqs_params = classify({"service": "sqs", "method": "POST", "path": "/", "query": "",
                              "headers": {"x-amz-target": "AmazonSQS.ReceiveMessage"},
                              "body": '{"QueueUrl": "q", "WaitTimeSeconds": 20}'})
    assert sqs_params["WaitTimeSeconds"] == 20


def test_unknown_requests_keep_method_and_path():
    assert classify({"service": "nothing", "method": "GET", "path": "/x", "query": "", "headers": {}})[0] == "GET /x"


def test_journal_holds_the_learners_calls_of_its_own_sandbox_only(lab_sandbox):
    _, checker, learner = lab_sandbox("s3-multipart-upload")
    _, other_checker, other_learner = lab_sandbox("s3-multipart-upload")
    learner.s3.create_bucket(Bucket=learner.names.bucket)
    checker.s3.list_buckets()
    other_learner.s3.list_buckets()
    calls = checker.journal.calls()
    assert [c.operation for c in calls] == ["CreateBucket"]
    assert calls[0].access_key == learner.sandbox.learner.access_key and calls[0].succeeded
    assert [c.operation for c in other_checker.journal.calls()] == ["ListBuckets"]


def test_mark_limits_the_journal_to_later_calls(lab_sandbox):
    _, checker, learner = lab_sandbox("s3-multipart-upload")
    learner.s3.list_buckets()
    mark = checker.journal.mark()
    learner.s3.create_bucket(Bucket=learner.names.bucket)
    assert [c.operation for c in checker.journal.calls(since=mark)] == ["CreateBucket"]


def test_failed_calls_are_recorded_with_their_status(lab_sandbox):
    _, checker, learner = lab_sandbox("s3-multipart-upload")
    with pytest.raises(Exception):
        learner.s3.head_object(Bucket="no-such-bucket-here", Key="k")
    (call,) = checker.journal.calls("HeadObject")
    assert call.status == 404 and not call.succeeded


def test_naming_survives_clients_that_edit_their_models(lab_sandbox):
    """botocore's S3 client rewrites the models it loads; the journal must read pristine ones."""
    _, checker, learner = lab_sandbox("s3-multipart-upload")
    learner.s3.create_bucket(Bucket=learner.names.bucket)
    learner.s3.list_multipart_uploads(Bucket=learner.names.bucket)
    assert [c.operation for c in checker.journal.calls()] == ["CreateBucket", "ListMultipartUploads"]
