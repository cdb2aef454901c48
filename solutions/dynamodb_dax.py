"""Reference solution: a role DAX can assume, and an encrypted three-node cluster."""

import json

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "dax.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
# DAX reads (and writes through) the tables as this role; read-only is enough for a read cache.
TABLE_ACCESS = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"


def role_arn(iam, name):
    existing = iam.get_role(RoleName=name)["Role"] if name in {r["RoleName"] for r in iam.list_roles()["Roles"]} else None
    if existing:
        return existing["Arn"]
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=TABLE_ACCESS)
    return arn


def solve(aws):
    arn = role_arn(aws.iam, aws.names.role)
    clusters = aws.dax.describe_clusters()["Clusters"]
    if any(c["ClusterName"] == aws.names.cluster for c in clusters):
        return  # encryption cannot change after creation: never recreate a good cluster
    # Three nodes: the primary and two replicas in other AZs survive an AZ outage.
    # No SubnetGroupName: the default is enough here (moto 500s on CreateSubnetGroup).
    aws.dax.create_cluster(ClusterName=aws.names.cluster, NodeType=aws.names.node_type,
                           ReplicationFactor=int(aws.names.replicas), IamRoleArn=arn,
                           SSESpecification={"Enabled": True})
