"""Reference solution: a sessions table whose items expire through TTL."""

import time

from botocore.exceptions import ClientError

SESSION_LENGTH = 3600  # one hour, in seconds: the unit TTL reads


def create_table(dynamodb, table, key):
    try:
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":  # already there: rerun is fine
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=table)


def enable_ttl(dynamodb, table, attribute):
    current = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and current.get("AttributeName") == attribute:
        return  # AWS rejects enabling TTL twice, so only switch it on when it is off
    dynamodb.update_time_to_live(TableName=table,
                                 TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute})


def solve(aws):
    dynamodb = aws.dynamodb
    table, key, attribute = aws.names.table, aws.names.key, aws.names.attribute
    create_table(dynamodb, table, key)
    enable_ttl(dynamodb, table, attribute)
    now = int(time.time())  # whole seconds: TTL ignores milliseconds and strings
    for number in range(1, 4):
        dynamodb.put_item(TableName=table, Item={
            key: {"S": f"session-{number}"},
            "user": {"S": f"user-{number}"},
            attribute: {"N": str(now + SESSION_LENGTH * number)},
        })
