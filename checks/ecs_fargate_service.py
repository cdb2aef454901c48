"""Checker for ecs-fargate-service: execution role, cluster, Fargate task definition, a service of two."""

import json
from urllib.parse import unquote

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps
from labrunner.lookups import error_code, fetch

EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
FARGATE_PROVIDERS = {"FARGATE", "FARGATE_SPOT"}


def setup(aws):
    """A VPC with two subnets in two zones and a security group, found by their Name tags."""
    names, ec2 = aws.names, aws.ec2
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": names.vpc}])
    for name, cidr, zone in ((names.subnet_a, "10.20.1.0/24", "us-east-1a"),
                             (names.subnet_b, "10.20.2.0/24", "us-east-1b")):
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        ec2.create_tags(Resources=[subnet], Tags=[{"Key": "Name", "Value": name}])
    group = ec2.create_security_group(GroupName=names.security_group, VpcId=vpc,
                                      Description="Lab web tasks: HTTP in")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.create_tags(Resources=[group], Tags=[{"Key": "Name", "Value": names.security_group}])


def check(aws):
    yield from steps(aws, execution_role_ready, cluster_active, task_definition_for_fargate,
                     service_runs_two_fargate_tasks)


def trusted_services(role: dict) -> set:
    document = role.get("AssumeRolePolicyDocument", {})
    document = json.loads(unquote(document)) if isinstance(document, str) else document
    services = set()
    for statement in document.get("Statement", []):
        service = (statement.get("Principal") or {}).get("Service", []) if statement.get("Effect") == "Allow" else []
        services.update([service] if isinstance(service, str) else service)
    return services


def execution_role_ready(aws):
    name = aws.names.execution_role
    role = fetch(aws.iam.get_role, RoleName=name)
    if role is None:
        return failed(f"Role {name} does not exist; create it for ecs-tasks.amazonaws.com.")
    services = trusted_services(role["Role"])
    if "ecs-tasks.amazonaws.com" not in services:
        return failed(f"Role {name} must trust ecs-tasks.amazonaws.com; its trust policy names "
                      f"{', '.join(sorted(services)) or 'no service'}.")
    attached = [p["PolicyArn"] for p in aws.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    if EXECUTION_POLICY not in attached and not aws.iam.list_role_policies(RoleName=name)["PolicyNames"]:
        return failed(f"Role {name} has no permissions; attach AmazonECSTaskExecutionRolePolicy so tasks can "
                      "pull images and write logs.")
    return passed(f"Role {name} is a task execution role trusted by ecs-tasks.amazonaws.com.")


def cluster_active(aws):
    name = aws.names.cluster
    clusters = aws.ecs.describe_clusters(clusters=[name])["clusters"]
    if not clusters or clusters[0].get("status") != "ACTIVE":
        return failed(f"ECS cluster {name} does not exist; create it.")
    return passed(f"ECS cluster {name} is active.")


def latest_task_definition(aws) -> dict | None:
    arns = aws.ecs.list_task_definitions(familyPrefix=aws.names.family, status="ACTIVE", sort="DESC")
    arns = [a for a in arns["taskDefinitionArns"] if a.rsplit("/", 1)[-1].rsplit(":", 1)[0] == aws.names.family]
    if not arns:
        return None
    newest = max(arns, key=lambda a: int(a.rsplit(":", 1)[1]))
    return aws.ecs.describe_task_definition(taskDefinition=newest)["taskDefinition"]


def log_group_exists(aws, group: str) -> bool:
    found = aws.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    return any(g["logGroupName"] == group for g in found)


def task_level_problem(definition: dict, role: str) -> str | None:
    if "FARGATE" not in definition.get("requiresCompatibilities", []):
        return f"requires {definition.get('requiresCompatibilities') or 'no launch type'}, not FARGATE"
    if definition.get("networkMode") != "awsvpc":
        return f"uses network mode {definition.get('networkMode')}, but Fargate needs awsvpc"
    if not definition.get("cpu") or not definition.get("memory"):
        return "sets no task-level cpu and memory, which Fargate needs"
    if not (definition.get("executionRoleArn") or "").endswith(f":role/{role}"):
        return f"has execution role {definition.get('executionRoleArn') or 'none'}, not {role}"
    return None


def container_problem(aws, container: dict | None) -> str | None:
    names = aws.names
    if container is None:
        return f"has no container named {names.container}"
    if not any(p.get("containerPort") == 80 for p in container.get("portMappings", [])):
        return f"maps no container port 80 on {names.container}"
    logs = container.get("logConfiguration") or {}
    if logs.get("logDriver") != "awslogs":
        return f"gives {names.container} log driver {logs.get('logDriver') or 'none'}, not awslogs"
    options = logs.get("options", {})
    if options.get("awslogs-group") != names.log_group:
        return f"sends logs to group {options.get('awslogs-group')!r}, not {names.log_group}"
    if options.get("awslogs-create-group") != "true" and not log_group_exists(aws, names.log_group):
        return f"logs to {names.log_group}, a log group that does not exist"
    return None


def task_definition_for_fargate(aws):
    names = aws.names
    definition = latest_task_definition(aws)
    if definition is None:
        return failed(f"No active task definition of family {names.family} exists; register one.")
    revision = f"{names.family}:{definition['revision']}"
    container = next((c for c in definition.get("containerDefinitions", []) if c.get("name") == names.container),
                     None)
    problem = task_level_problem(definition, names.execution_role) or container_problem(aws, container)
    if problem:
        return failed(f"Task definition {revision} {problem}.")
    return passed(f"Task definition {revision} runs on Fargate (awsvpc, {definition['cpu']} CPU units, "
                  f"{definition['memory']} MiB) with port 80 and awslogs to {names.log_group}.")


def lab_network(aws) -> tuple[set, str | None]:
    names = aws.names
    subnets = aws.ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [names.subnet_a, names.subnet_b]}])
    groups = aws.ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [names.security_group]}])
    group = groups["SecurityGroups"][0]["GroupId"] if groups["SecurityGroups"] else None
    return {s["SubnetId"] for s in subnets["Subnets"]}, group


def runs_on_fargate(service: dict) -> bool:
    """A capacity provider strategy wins over launchType (moto reports EC2 beside a strategy)."""
    strategy = service.get("capacityProviderStrategy") or []
    if strategy:
        return all(s.get("capacityProvider") in FARGATE_PROVIDERS for s in strategy)
    return service.get("launchType") == "FARGATE"


def strategy_dropped_by_moto(aws) -> bool:
    """moto ignores CreateService's capacityProviderStrategy (it reports EC2): read the request instead."""
    if aws.backend.name != "moto":
        return False
    calls = [c for c in aws.journal.calls("CreateService", succeeded=True)
             if c.params.get("serviceName") == aws.names.service]
    strategy = calls[-1].params.get("capacityProviderStrategy") if calls else None
    return bool(strategy) and all(s.get("capacityProvider") in FARGATE_PROVIDERS for s in strategy)


def service_problem(aws, service: dict) -> str | None:
    names = aws.names
    family = service.get("taskDefinition", "").rsplit("/", 1)[-1].rsplit(":", 1)[0]
    if family != names.family:
        return f"runs task definition {family or 'none'}, not {names.family}"
    if not runs_on_fargate(service) and not strategy_dropped_by_moto(aws):
        return f"uses launch type {service.get('launchType') or 'none'}, not FARGATE"
    if service.get("desiredCount") != 2:
        return f"wants {service.get('desiredCount')} task(s), not 2"
    config = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration", {})
    subnets, group = lab_network(aws)
    if set(config.get("subnets", [])) != subnets:
        return (f"runs in subnets {', '.join(sorted(config.get('subnets', []))) or 'none'}, not the lab's "
                f"{names.subnet_a} and {names.subnet_b} ({', '.join(sorted(subnets))})")
    if group not in config.get("securityGroups", []):
        return f"does not use security group {names.security_group} ({group})"
    return None


def active_services(aws) -> list:
    try:
        found = aws.ecs.describe_services(cluster=aws.names.cluster, services=[aws.names.service])
    except ClientError as exc:
        if error_code(exc) == "ClusterNotFoundException":
            return []
        raise
    return [s for s in found.get("services", []) if s.get("status") == "ACTIVE"]


def service_runs_two_fargate_tasks(aws):
    names = aws.names
    active = active_services(aws)
    if not active:
        return failed(f"Service {names.service} does not exist in cluster {names.cluster}; create it.")
    problem = service_problem(aws, active[0])
    if problem:
        return failed(f"Service {names.service} {problem}.")
    return passed(f"Service {names.service} runs 2 Fargate tasks of {names.family} in {names.subnet_a} and "
                  f"{names.subnet_b}.")
