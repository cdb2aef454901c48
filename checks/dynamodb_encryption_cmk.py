"""Checker for dynamodb-encryption-cmk: a customer managed key, a table, the table encrypted with it.

moto ignores SSESpecification in UpdateTable (it keeps the key chosen at
creation), so on moto the learner's latest UpdateTable that sets a key is read
from the call journal and wins over describe_table.
"""

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps
from labrunner.lookups import error_code, fetch


def check(aws):
    yield from steps(aws, key_with_alias, table_exists, table_uses_the_key)


def key_metadata(aws, reference):
    try:
        return aws.kms.describe_key(KeyId=reference)["KeyMetadata"]
    except ClientError as exc:
        if error_code(exc) == "NotFoundException":  # KMS's own "not there" code
            return None
        raise


def aliases_of(aws, key_id):
    return [a["AliasName"] for a in aws.kms.list_aliases(KeyId=key_id).get("Aliases", [])]


def is_aws_managed(aws, metadata) -> bool:
    # moto reports KeyManager CUSTOMER for alias/aws/* keys: the alias tells the truth there.
    return metadata.get("KeyManager") == "AWS" or any(a.startswith("alias/aws/") for a in aliases_of(aws, metadata["KeyId"]))


def key_with_alias(aws):
    alias = aws.names.alias
    metadata = key_metadata(aws, alias)
    if metadata is None:
        return failed(f"KMS alias {alias} does not exist; create a key and give it this alias.")
    if is_aws_managed(aws, metadata):
        return failed(f"KMS alias {alias} points at an AWS managed key; expected a key you created.")
    if metadata.get("KeyState") != "Enabled":
        return failed(f"KMS key {metadata['KeyId']} behind {alias} is {metadata.get('KeyState')}; expected Enabled.")
    return passed(f"KMS alias {alias} names customer managed key {metadata['KeyId']}, which is enabled.")


def describe(aws):
    found = fetch(aws.dynamodb.describe_table, TableName=aws.names.table)
    return found["Table"] if found else None


def table_exists(aws):
    table, key = aws.names.table, aws.names.key
    description = describe(aws)
    if description is None:
        return failed(f"Table {table} does not exist; create it with partition key {key}.")
    hash_keys = [k["AttributeName"] for k in description["KeySchema"] if k["KeyType"] == "HASH"]
    if hash_keys != [key]:
        return failed(f"Table {table} has partition key {', '.join(hash_keys) or 'none'}; the lab expects {key}.")
    return passed(f"Table {table} exists with partition key {key}.")


def key_from_update(aws):
    """On moto: the key the learner's latest UpdateTable asked for, as (spec, True), or (None, False)."""
    if aws.backend.name != "moto":
        return None, False
    updates = [c for c in aws.journal.calls("UpdateTable", succeeded=True)
               if c.params.get("TableName") == aws.names.table and "SSESpecification" in c.params]
    return (updates[-1].params["SSESpecification"], True) if updates else (None, False)


def key_in_use(aws, description):
    """(spec-like dict or None, read from the journal?) describing the table's key."""
    spec, from_journal = key_from_update(aws)
    if from_journal:
        return spec, True
    sse = description.get("SSEDescription")
    if not sse or sse.get("Status") not in ("ENABLED", "ENABLING", "UPDATING"):
        return None, False
    return {"Enabled": True, "SSEType": sse.get("SSEType"), "KMSMasterKeyId": sse.get("KMSMasterKeyArn")}, False


def describe_choice(aws, spec):
    """Why `spec` is not the lab's key, or None when it is."""
    table, alias = aws.names.table, aws.names.alias
    if not spec or not spec.get("Enabled"):
        return f"Table {table} uses the AWS owned key (the default); expected the customer managed key {alias}."
    reference = spec.get("KMSMasterKeyId")
    used = key_metadata(aws, reference) if reference else None
    if used is None or is_aws_managed(aws, used):
        return f"Table {table} uses the AWS managed key aws/dynamodb; expected the customer managed key {alias}."
    wanted = key_metadata(aws, alias)
    if wanted is None or used["KeyId"] != wanted["KeyId"]:
        return f"Table {table} is encrypted with KMS key {used['KeyId']}, which is not the key behind {alias}."
    return None


def table_uses_the_key(aws):
    table, alias = aws.names.table, aws.names.alias
    description = describe(aws)
    if description is None:
        return failed(f"Table {table} does not exist, so it is not encrypted with {alias}.")
    spec, from_journal = key_in_use(aws, description)
    problem = describe_choice(aws, spec)
    source = " (read from the call journal: moto does not show key changes made by UpdateTable)" if from_journal else ""
    if problem:
        return failed(problem.rstrip(".") + source + ".",
                      hint="Set SSESpecification with SSEType KMS and KMSMasterKeyId naming your alias.")
    return passed(f"Table {table} is encrypted with the customer managed key behind {alias}{source}.")
