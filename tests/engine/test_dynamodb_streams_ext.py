"""The moto extensions for DynamoDB streams: shard rollover and re-enabling a stream."""

import pytest

from labrunner.backends.moto_ext.dynamodb_stream_shards import request_rotation


@pytest.fixture
def clients(lab_sandbox, emulator):
    """A sandbox on the runner's moto server, where the extensions are installed."""
    if emulator.name != "moto":
        pytest.skip("moto extensions")
    _, checker, _ = lab_sandbox("dynamodb-streams")
    checker.rotate = lambda: request_rotation(checker.endpoint, checker.account_id, checker.region, "t")
    return checker


def streamed_table(dynamodb, view="NEW_AND_OLD_IMAGES"):
    dynamodb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
                          KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    return dynamodb.describe_table(TableName="t")["Table"]["LatestStreamArn"]


def read(streams, arn, shard_id):
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records, pages = [], 0
    while iterator and pages < 10:
        page = streams.get_records(ShardIterator=iterator)
        records += page["Records"]
        iterator, pages = page.get("NextShardIterator"), pages + 1
    return records, iterator


def test_rotation_closes_the_shard_and_opens_a_child(clients):
    dynamodb, streams = clients.dynamodb, clients.dynamodbstreams
    arn = streamed_table(dynamodb)
    dynamodb.put_item(TableName="t", Item={"k": {"S": "a"}})
    clients.rotate()
    dynamodb.put_item(TableName="t", Item={"k": {"S": "a"}, "v": {"S": "2"}})
    parent, child = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert child["ParentShardId"] == parent["ShardId"]
    assert "EndingSequenceNumber" not in child["SequenceNumberRange"]
    closed_records, closed_next = read(streams, arn, parent["ShardId"])
    open_records, open_next = read(streams, arn, child["ShardId"])
    assert [r["eventName"] for r in closed_records] == ["INSERT"] and closed_next is None
    assert [r["eventName"] for r in open_records] == ["MODIFY"] and open_next is not None


def test_one_shard_without_rotation(clients):
    dynamodb, streams = clients.dynamodb, clients.dynamodbstreams
    arn = streamed_table(dynamodb)
    assert len(streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]) == 1


def test_a_disabled_stream_can_be_enabled_again_and_writes_still_work(clients):
    dynamodb = clients.dynamodb
    streamed_table(dynamodb, view="KEYS_ONLY")
    dynamodb.update_table(TableName="t", StreamSpecification={"StreamEnabled": False})
    dynamodb.put_item(TableName="t", Item={"k": {"S": "while-off"}})
    dynamodb.update_table(TableName="t", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    assert dynamodb.describe_table(TableName="t")["Table"]["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"


def test_enabling_an_enabled_stream_is_still_refused(clients):
    dynamodb = clients.dynamodb
    streamed_table(dynamodb)
    with pytest.raises(dynamodb.exceptions.ResourceInUseException):
        dynamodb.update_table(TableName="t", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})


def test_the_runner_endpoint_answers_with_the_new_shard(clients):
    arn = streamed_table(clients.dynamodb)
    answer = clients.rotate()
    shards = clients.dynamodbstreams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert answer["shard"]["ShardId"] == shards[-1]["ShardId"] and len(shards) == 2
