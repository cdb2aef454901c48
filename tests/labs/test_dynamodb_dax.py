"""Near-misses and alternatives for dynamodb-dax."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.dynamodb_dax import role_arn, solve


def cluster(aws, **overrides):
    arn = role_arn(aws.iam, aws.names.role)
    params = {"ClusterName": aws.names.cluster, "NodeType": aws.names.node_type,
              "ReplicationFactor": int(aws.names.replicas), "IamRoleArn": arn, "SSESpecification": {"Enabled": True}}
    params.update(overrides)
    aws.dax.create_cluster(**{k: v for k, v in params.items() if v is not None})


def lambda_trust(aws):
    aws.iam.create_role(RoleName=aws.names.role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    solve(aws)


NEAR_MISSES = [
    NearMiss("role trusts Lambda", step=1, expect="does not let dax.amazonaws.com assume it", apply=lambda_trust),
    NearMiss("no encryption", step=3, expect="encryption at rest DISABLED", apply=lambda aws: cluster(aws, SSESpecification=None)),
    NearMiss("one node", step=2, expect="1 node(s) (expected a replication factor of 3)",
             apply=lambda aws: cluster(aws, ReplicationFactor=1)),
    NearMiss("bigger node type", step=2, expect="node type dax.r5.large", apply=lambda aws: cluster(aws, NodeType="dax.r5.large")),
    NearMiss("another role", step=2, expect="expected arn:aws:iam::", apply=lambda aws: cluster(
        aws, IamRoleArn=aws.iam.create_role(RoleName="other", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "dax.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}))["Role"]["Arn"])),
    NearMiss("no cluster", step=2, expect="does not exist", apply=lambda aws: role_arn(aws.iam, aws.names.role)),
]


def aws_cli(aws):
    """The learner's shell: trust policy from a string, inline table policy, cluster with the CLI."""
    env, cli = aws.learner_env(), [sys.executable, "-m", "awscli"]
    run = lambda *args: subprocess.run([*cli, *args], env=env, check=True, capture_output=True, text=True)  # noqa: E731
    trust = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": ["dax.amazonaws.com"]},
                                                    "Action": ["sts:AssumeRole"]}}
    arn = run("iam", "create-role", "--role-name", aws.names.role, "--assume-role-policy-document", json.dumps(trust),
              "--query", "Role.Arn", "--output", "text").stdout.strip()
    run("iam", "put-role-policy", "--role-name", aws.names.role, "--policy-name", "tables", "--policy-document",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*",
                                                            "Resource": "*"}]}))
    run("dax", "create-cluster", "--cluster-name", aws.names.cluster, "--node-type", aws.names.node_type,
        "--replication-factor", aws.names.replicas, "--iam-role-arn", arn, "--sse-specification", "Enabled=true",
        "--cluster-endpoint-encryption-type", "TLS")


ALTERNATIVES = [Alternative("AWS CLI with TLS endpoint and inline policy", apply=aws_cli)]

test_near_miss = near_miss_test("dynamodb-dax", NEAR_MISSES)
test_alternative = alternative_test("dynamodb-dax", ALTERNATIVES)
