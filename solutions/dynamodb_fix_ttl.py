"""Reference solution: re-point TTL to expires_at, then convert every session's expiry to epoch seconds."""

from botocore.exceptions import ClientError

MILLISECONDS_THRESHOLD = 10**11  # epoch seconds stay below this until the year 5138; milliseconds are far above


def repoint_ttl(dynamodb, table, wrong, right):
    current = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    status, name = current.get("TimeToLiveStatus"), current.get("AttributeName")
    if status in ("ENABLED", "ENABLING") and name == right:
        return  # already fixed: AWS rejects a second identical update
    if status in ("ENABLED", "ENABLING"):
        # A table has one TTL attribute and AWS will not rename it in place: disable first.
        dynamodb.update_time_to_live(TableName=table,
                                     TimeToLiveSpecification={"Enabled": False, "AttributeName": name or wrong})
    # On AWS this second call is refused (ValidationException) until the disable has finished
    # processing, which can take up to an hour; the emulator accepts it at once.
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": right})


def convert_items(dynamodb, table, key, attribute):
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ProjectionExpression="#k, #a",
                                                        ExpressionAttributeNames={"#k": key, "#a": attribute}):
        for item in page["Items"]:
            value = item.get(attribute, {}).get("N")
            if value is None or float(value) < MILLISECONDS_THRESHOLD:
                continue  # already seconds (a rerun), or nothing to convert
            seconds = int(float(value)) // 1000  # same moment, whole seconds: TTL ignores fractions anyway
            try:
                # The condition lets a writer who changed the item since the scan win over this conversion.
                dynamodb.update_item(TableName=table, Key={key: item[key]},
                                     UpdateExpression="SET #a = :seconds", ConditionExpression="#a = :old",
                                     ExpressionAttributeNames={"#a": attribute},
                                     ExpressionAttributeValues={":seconds": {"N": str(seconds)},
                                                                ":old": {"N": value}})
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise


def solve(aws):
    names = aws.names
    repoint_ttl(aws.dynamodb, names.table, names.wrong_attribute, names.attribute)
    convert_items(aws.dynamodb, names.table, names.key, names.attribute)
