"""Checker for dynamodb-dax: a role trusting DAX, a sized cluster using it, encryption at rest."""

import json
from urllib.parse import unquote

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

DAX_PRINCIPAL = "dax.amazonaws.com"


def check(aws):
    yield from steps(aws, role_trusts_dax, cluster_is_sized, cluster_is_encrypted)


def role(aws):
    found = fetch(aws.iam.get_role, RoleName=aws.names.role)
    return found["Role"] if found else None


def as_list(value):
    return value if isinstance(value, list) else [value]


def trusts_dax(document) -> bool:
    if isinstance(document, str):
        document = json.loads(unquote(document))
    for statement in as_list(document.get("Statement", [])):
        services = as_list((statement.get("Principal") or {}).get("Service", []))
        actions = as_list(statement.get("Action", []))
        if statement.get("Effect") == "Allow" and DAX_PRINCIPAL in services and \
                any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            return True
    return False


def role_trusts_dax(aws):
    name, found = aws.names.role, role(aws)
    if found is None:
        return failed(f"IAM role {name} does not exist; create it with a trust policy for {DAX_PRINCIPAL}.")
    if not trusts_dax(found["AssumeRolePolicyDocument"]):
        return failed(f"IAM role {name} does not let {DAX_PRINCIPAL} assume it; its trust policy needs an Allow "
                      f"of sts:AssumeRole for the service principal {DAX_PRINCIPAL}.")
    return passed(f"IAM role {name} can be assumed by {DAX_PRINCIPAL}.")


def cluster(aws):
    found = [c for c in aws.dax.describe_clusters()["Clusters"] if c["ClusterName"] == aws.names.cluster]
    return found[0] if found else None


def cluster_is_sized(aws):
    name, node_type, replicas = aws.names.cluster, aws.names.node_type, int(aws.names.replicas)
    found = cluster(aws)
    if found is None:
        return failed(f"DAX cluster {name} does not exist; create it with node type {node_type}.")
    wrong = []
    if found["NodeType"] != node_type:
        wrong.append(f"node type {found['NodeType']} (expected {node_type})")
    if found["TotalNodes"] != replicas:
        wrong.append(f"{found['TotalNodes']} node(s) (expected a replication factor of {replicas})")
    expected_role = (role(aws) or {}).get("Arn")
    if found.get("IamRoleArn") != expected_role:
        wrong.append(f"IAM role {found.get('IamRoleArn')} (expected {expected_role or 'role ' + aws.names.role})")
    if wrong:
        return failed(f"DAX cluster {name} has {', '.join(wrong)}.")
    return passed(f"DAX cluster {name} runs {replicas} {node_type} node(s) as role {aws.names.role}.")


def cluster_is_encrypted(aws):
    name, found = aws.names.cluster, cluster(aws)
    if found is None:
        return failed(f"DAX cluster {name} does not exist, so it is not encrypted.")
    status = (found.get("SSEDescription") or {}).get("Status", "DISABLED")
    if status not in ("ENABLED", "ENABLING"):
        return failed(f"DAX cluster {name} has encryption at rest {status}; expected ENABLED, which can only be "
                      "chosen at creation.", hint="Delete the cluster and create it with SSESpecification Enabled.")
    return passed(f"DAX cluster {name} has encryption at rest {status}.")
