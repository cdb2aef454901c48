"""Checker for dynamodb-global-table: an on-demand table, then a replica in a second region.

moto accepts UpdateTable with ReplicaUpdates but keeps no replica, so on moto
step 2 reads the learner's request from the call journal; elsewhere it reads
the table's Replicas from DescribeTable.
"""

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

OPTIONAL_SERVICES = {"application-autoscaling": "only the provisioned-capacity path uses it; on-demand billing "
                                                "is graded without it"}
STEP_NEEDS = {2: ("global_tables|journal",)}  # DescribeTable's Replicas, or on moto the learner's request

GLOBAL_TABLES_VERSION = "2019.11.21"
LIVE_REPLICA_STATES = ("CREATING", "UPDATING", "ACTIVE")


def check(aws):
    yield from steps(aws, table_ready_for_replicas, replica_in_second_region)


def describe(aws, region=None):
    found = fetch(aws.client("dynamodb", region).describe_table, TableName=aws.names.table)
    return found["Table"] if found else None


def write_capacity_is_autoscaled(aws) -> bool:
    resource = f"table/{aws.names.table}"
    targets = aws.application_autoscaling.describe_scalable_targets(
        ServiceNamespace="dynamodb", ResourceIds=[resource]).get("ScalableTargets", [])
    return any(t["ScalableDimension"] == "dynamodb:table:WriteCapacityUnits" for t in targets)


def table_ready_for_replicas(aws):
    table, key = aws.names.table, aws.names.key
    description = describe(aws)
    if description is None:
        return failed(f"Table {table} does not exist in {aws.region}; create it with partition key {key}.")
    hash_keys = [k["AttributeName"] for k in description["KeySchema"] if k["KeyType"] == "HASH"]
    if hash_keys != [key]:
        return failed(f"Table {table} has partition key {', '.join(hash_keys) or 'none'}; the lab expects {key}.")
    mode = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    if mode == "PAY_PER_REQUEST":
        return passed(f"Table {table} exists in {aws.region} with partition key {key}, billed on demand.")
    switch = "UpdateTable with BillingMode PAY_PER_REQUEST switches it to on-demand."
    if not aws.backend.serves("application-autoscaling"):
        return failed(f"Table {table} uses provisioned capacity, and {aws.backend.name} has no Application Auto "
                      "Scaling to show its writes scale; a global table replica needs PAY_PER_REQUEST or "
                      "auto-scaled writes, so use on-demand billing here.", hint=switch)
    if write_capacity_is_autoscaled(aws):
        return passed(f"Table {table} exists in {aws.region} with partition key {key}, provisioned with "
                      "auto scaling on its write capacity.")
    return failed(f"Table {table} uses provisioned capacity without auto scaling on its write capacity; a "
                  "global table replica needs PAY_PER_REQUEST or auto-scaled writes.", hint=switch)


def call_region(call) -> str:
    return call.raw.get("region") or ""


def replica_actions(call) -> list[tuple[str, str]]:
    """(action, region) for each entry of one UpdateTable's ReplicaUpdates."""
    found = []
    for update in call.params.get("ReplicaUpdates") or []:
        for action in ("Create", "Delete", "Update"):
            if isinstance(update.get(action), dict):
                found.append((action, update[action].get("RegionName", "")))
    return found


def names_the_table(aws, call) -> bool:
    name = call.params.get("TableName", "")
    return name == aws.names.table or name.endswith(f":table/{aws.names.table}")


def last_creation(aws) -> int:
    """Journal position of the table's last CreateTable: re-creating a table drops its replicas."""
    created = [c.seq for c in aws.journal.calls("CreateTable", succeeded=True)
               if names_the_table(aws, c) and call_region(c) == aws.region]
    return max(created, default=0)


def replica_calls(aws, since: int = 0) -> list:
    return [c for c in aws.journal.calls("UpdateTable", succeeded=True)
            if c.seq > since and names_the_table(aws, c) and call_region(c) == aws.region and replica_actions(c)]


def requested_replicas(aws, calls) -> set[str]:
    """Regions the learner's successful UpdateTable calls left replicated."""
    regions: set[str] = set()
    for call in calls:
        for action, region in replica_actions(call):
            if action == "Create":
                regions.add(region)
            elif action == "Delete":
                regions.discard(region)
    return regions


def why_no_replica(aws, regions: set[str]) -> str:
    """The sentence for a table without a replica in the wanted region."""
    table, wanted, home = aws.names.table, aws.names.replica_region, aws.region
    if home in regions:
        return (f"Table {table} asked for a replica in {home}, its own region; a replica must live in another "
                f"region: expected {wanted}.")
    if regions:
        return f"Table {table} has replicas requested in {', '.join(sorted(regions))}, not in {wanted}."
    if describe(aws, wanted) is not None:
        return (f"Table {table} in {wanted} is a separate table you created there, not a replica: nothing "
                f"copies writes between the two; add the replica to {table} in {home} with UpdateTable instead.")
    if aws.journal.available and aws.journal.calls("CreateGlobalTable"):
        return (f"Table {table} has no replica in {wanted}: CreateGlobalTable is the legacy 2017.11.29 "
                "version; use UpdateTable with ReplicaUpdates (version 2019.11.21).")
    return f"Table {table} has no replica in {wanted}; expected one requested with UpdateTable ReplicaUpdates Create."


def lost_replica(aws) -> str | None:
    """Why a replica the learner once requested is gone, or None."""
    table, wanted = aws.names.table, aws.names.replica_region
    if wanted in requested_replicas(aws, replica_calls(aws, last_creation(aws))):
        return None
    if wanted in requested_replicas(aws, replica_calls(aws)):
        return (f"Table {table} was deleted and created again after you added its replica in {wanted}, and a "
                "new table starts with no replicas; add it again.")
    if any(("Create", wanted) in replica_actions(c) for c in replica_calls(aws)):
        return (f"The replica of table {table} in {wanted} was removed again by a later UpdateTable with "
                "ReplicaUpdates Delete.")
    return None


def replica_from_journal(aws):
    table, wanted = aws.names.table, aws.names.replica_region
    regions = requested_replicas(aws, replica_calls(aws, last_creation(aws)))
    if wanted in regions:
        return passed(f"Table {table} got a replica in {wanted} from a successful UpdateTable call with "
                      "ReplicaUpdates Create, read from the call journal (moto accepts the request but keeps "
                      "no replica).")
    problem = lost_replica(aws) or why_no_replica(aws, regions)
    return failed(f"From the call journal: {problem[0].lower()}{problem[1:]}",
                  hint=f"UpdateTable on {table} in {aws.region} with ReplicaUpdates=[{{'Create': "
                       f"{{'RegionName': '{wanted}'}}}}].")


def replica_from_table(aws, description):
    table, wanted = aws.names.table, aws.names.replica_region
    replicas = {r["RegionName"]: r.get("ReplicaStatus", "ACTIVE") for r in description.get("Replicas", [])}
    status = replicas.get(wanted)
    if status is None or status not in LIVE_REPLICA_STATES:
        problem = why_no_replica(aws, set(replicas))
        if status is not None:
            problem = f"Table {table}'s replica in {wanted} is {status}; expected CREATING or ACTIVE."
        return failed(problem, hint=f"UpdateTable on {table} with ReplicaUpdates=[{{'Create': "
                                    f"{{'RegionName': '{wanted}'}}}}].")
    version = description.get("GlobalTableVersion")
    if version and version != GLOBAL_TABLES_VERSION:
        return failed(f"Table {table} is a global table of version {version}; expected {GLOBAL_TABLES_VERSION}.")
    return passed(f"Table {table} has a replica in {wanted} ({status}), global tables version "
                  f"{version or GLOBAL_TABLES_VERSION}.")


def replica_in_second_region(aws):
    table = aws.names.table
    description = describe(aws)
    if description is None:
        return failed(f"Table {table} does not exist in {aws.region}, so it has no replica.")
    if aws.backend.name == "moto":
        return replica_from_journal(aws)
    return replica_from_table(aws, description)
