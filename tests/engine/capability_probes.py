"""One small probe per service and feature of the capability matrix.

A probe takes a fresh sandbox's checker ``Aws`` bundle and returns True when
the backend really serves the thing; an error answer or an exception is False.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import time
import uuid
import zipfile

from botocore import UNSIGNED
from botocore.config import Config

from labrunner import cache_server, lambda_runner, routes
from labrunner.sessions import isolated_session

NOW = datetime.datetime(2026, 1, 1)
PROBE_CONFIG = Config(retries={"max_attempts": 1}, connect_timeout=3, read_timeout=15)

SERVICE_CALLS = {
    "apigateway": ("get_rest_apis", {}), "apigatewayv2": ("get_apis", {}),
    "application-autoscaling": ("describe_scalable_targets", {"ServiceNamespace": "dynamodb"}),
    "cloudformation": ("list_stacks", {}), "cloudwatch": ("list_metrics", {}), "codebuild": ("list_projects", {}),
    "codedeploy": ("list_applications", {}), "codepipeline": ("list_pipelines", {}),
    "cognito-idp": ("list_user_pools", {"MaxResults": 10}), "dax": ("describe_clusters", {}),
    "dynamodb": ("list_tables", {}), "dynamodbstreams": ("list_streams", {}), "ec2": ("describe_vpcs", {}),
    "ecs": ("list_clusters", {}), "elasticache": ("describe_cache_clusters", {}),
    "elasticbeanstalk": ("describe_applications", {}), "iam": ("list_users", {}), "kinesis": ("list_streams", {}),
    "kms": ("list_keys", {}), "lambda": ("list_functions", {}), "logs": ("describe_log_groups", {}),
    "rds": ("describe_db_instances", {}), "s3": ("list_buckets", {}), "secretsmanager": ("list_secrets", {}),
    "sns": ("list_topics", {}), "sqs": ("list_queues", {}), "ssm": ("describe_parameters", {}),
    "sts": ("get_caller_identity", {}), "xray": ("get_trace_summaries", {"StartTime": NOW, "EndTime": NOW}),
}

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
HANDLER = "def handler(event, context):\n    return {'echo': event.get('n', 0) + 1}\n"


def client(aws, service, region=None, signed=True):
    config = PROBE_CONFIG if signed else PROBE_CONFIG.merge(Config(signature_version=UNSIGNED))
    return aws._session.client(service, endpoint_url=aws.endpoint, region_name=region or aws.region, config=config)


def service(aws, name: str) -> bool:
    if name == "lambda":  # listing works on LocalStack's core too, but its functions never become Active
        return active_function(aws)
    operation, kwargs = SERVICE_CALLS[name]
    answer = getattr(client(aws, name), operation)(**kwargs)
    return answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def active_function(aws) -> bool:
    name, lam = function(aws), client(aws, "lambda")
    for _ in range(50):
        state = lam.get_function_configuration(FunctionName=name).get("State", "Active")
        if state != "Pending":
            return state == "Active"
        time.sleep(0.1)
    return False


def function(aws) -> str:
    """A deployed Python function (and its role); returns its name."""
    role = client(aws, "iam").create_role(RoleName=f"probe-{uuid.uuid4().hex[:8]}",
                                          AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    name = f"probe-{uuid.uuid4().hex[:8]}"
    client(aws, "lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                          Code={"ZipFile": buffer.getvalue()})
    return name


def journal(aws) -> bool:
    client(aws.as_learner(), "sqs").list_queues()  # the checker's own calls are left out of the journal
    return aws.backend.journal and any(c.operation == "ListQueues" for c in aws.journal.calls())


def lambda_code(aws) -> bool:
    code = lambda_runner.fetch_code(aws, function(aws))
    return code is not None and code.handler == "app.handler" and len(code.zip_bytes) > 0


def lambda_execution(aws) -> bool:
    answer = client(aws, "lambda").invoke(FunctionName=function(aws), Payload=json.dumps({"n": 41}))
    return json.loads(answer["Payload"].read() or b"null") == {"echo": 42}


def lambda_recursion_config(aws) -> bool:
    lam, name = client(aws, "lambda"), function(aws)
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    return lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Allow"


def deployed_api(aws) -> tuple[object, str]:
    """A REST API whose GET /items answers 200 through a MOCK integration, deployed to stage dev."""
    api = client(aws, "apigateway")
    api_id = api.create_rest_api(name="probe")["id"]
    root = next(r["id"] for r in api.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    resource = api.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    target = {"restApiId": api_id, "resourceId": resource, "httpMethod": "GET"}
    api.put_method(**target, authorizationType="NONE")
    api.put_integration(**target, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    api.put_method_response(**target, statusCode="200")
    api.put_integration_response(**target, statusCode="200", responseTemplates={"application/json": "{}"})
    api.create_deployment(restApiId=api_id, stageName="dev")
    return api, api_id


def callable_api_routes(aws) -> bool:
    _, api_id = deployed_api(aws)
    return routes.call_status(aws, api_id, "dev", "items") == 200


def deployment_snapshots(aws) -> bool:
    api, api_id = deployed_api(aws)
    deployment = api.get_deployments(restApiId=api_id)["items"][0]["id"]
    summary = api.get_deployment(restApiId=api_id, deploymentId=deployment, embed=["apisummary"]).get("apiSummary")
    return bool(summary) and "GET" in summary.get("/items", {})


def iam_enforcement(aws) -> bool:
    enforce = getattr(aws.backend, "enforce_iam", None)
    if enforce is None:
        return False
    iam = client(aws, "iam")
    iam.create_user(UserName="probe-nobody")
    key = iam.create_access_key(UserName="probe-nobody")["AccessKey"]
    if not enforce(aws.account_id):
        return False
    nobody = isolated_session(key["AccessKeyId"], key["SecretAccessKey"], aws.region)
    try:
        nobody.client("s3", endpoint_url=aws.endpoint, config=PROBE_CONFIG).list_buckets()
    except Exception as exc:
        return "AccessDenied" in str(exc)
    finally:
        enforce(aws.account_id, False)
    return False


def iam_policy_simulation(aws) -> bool:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    answer = client(aws, "iam").simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject",
                                                                                               "s3:PutObject"])
    decisions = [r["EvalDecision"] for r in answer["EvaluationResults"]]
    return decisions == ["allowed", "implicitDeny"]


def global_tables(aws) -> bool:
    dynamodb, table = client(aws, "dynamodb"), f"probe-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    dynamodb.update_table(TableName=table, ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    replicas = dynamodb.describe_table(TableName=table)["Table"].get("Replicas", [])
    replica = client(aws, "dynamodb", "eu-west-1").describe_table(TableName=table)["Table"]
    return any(r["RegionName"] == "eu-west-1" for r in replicas) and replica["TableName"] == table


def beanstalk_swap(aws) -> bool:
    eb = client(aws, "elasticbeanstalk")
    eb.create_application(ApplicationName="probe")
    stack = "64bit Amazon Linux 2023 v4.6.0 running Python 3.12"
    for name in ("probe-blue", "probe-green"):
        eb.create_environment(ApplicationName="probe", EnvironmentName=name, SolutionStackName=stack,
                              CNAMEPrefix=f"{name}-{aws.account_id}")
    before = {e["EnvironmentName"]: e["CNAME"] for e in eb.describe_environments(ApplicationName="probe")["Environments"]}
    eb.swap_environment_cnames(SourceEnvironmentName="probe-blue", DestinationEnvironmentName="probe-green")
    after = {e["EnvironmentName"]: e["CNAME"] for e in eb.describe_environments(ApplicationName="probe")["Environments"]}
    return after["probe-blue"] == before["probe-green"] and after["probe-green"] == before["probe-blue"]


def redis_cache(aws) -> bool:
    import redis

    url = cache_server.url_for(aws.endpoint)
    return bool(url) and redis.Redis.from_url(url, socket_timeout=3).ping()


def unsigned_sandbox_calls(aws) -> bool:
    idp = client(aws, "cognito-idp")
    pool = idp.create_user_pool(PoolName="probe")["UserPool"]["Id"]
    app = idp.create_user_pool_client(UserPoolId=pool, ClientName="probe", GenerateSecret=False)
    client(aws, "cognito-idp", signed=False).sign_up(ClientId=app["UserPoolClient"]["ClientId"], Username="probe",
                                                     Password="Probe-passw0rd!")
    return idp.admin_get_user(UserPoolId=pool, Username="probe")["Username"] == "probe"


def ec2_instance_attributes(aws) -> bool:
    ec2 = client(aws, "ec2")
    images = ec2.describe_images(Owners=["amazon"]).get("Images") or [{"ImageId": "ami-12c6146b"}]
    instance = ec2.run_instances(ImageId=images[0]["ImageId"], MinCount=1, MaxCount=1,
                                 InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    ec2.modify_instance_attribute(InstanceId=instance, DisableApiTermination={"Value": True})
    attribute = ec2.describe_instance_attribute(InstanceId=instance, Attribute="disableApiTermination")
    return attribute["DisableApiTermination"]["Value"] is True


def rds_option_groups(aws) -> bool:
    rds = client(aws, "rds")
    rds.create_option_group(OptionGroupName="probe-tde", EngineName="oracle-ee", MajorEngineVersion="19",
                            OptionGroupDescription="probe")
    rds.modify_option_group(OptionGroupName="probe-tde", OptionsToInclude=[{"OptionName": "TDE"}],
                            ApplyImmediately=True)
    group = rds.describe_option_groups(OptionGroupName="probe-tde")["OptionGroupsList"][0]
    return [o["OptionName"] for o in group["Options"]] == ["TDE"]


def sandbox_iam_users(aws) -> bool:
    answer = client(aws, "iam").get_access_key_last_used(AccessKeyId=aws.sandbox.learner.access_key)
    return bool(answer.get("UserName"))


def state_reset(aws) -> bool:
    s3, bucket = client(aws, "s3"), f"probe-reset-{aws.account_id}"
    s3.create_bucket(Bucket=bucket)
    aws.backend.reset()
    return bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def stream_shard_rollover(aws) -> bool:
    from labrunner.backends.moto_ext.dynamodb_stream_shards import request_rotation

    dynamodb, table = client(aws, "dynamodb"), f"probe-{uuid.uuid4().hex[:8]}"
    arn = dynamodb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    request_rotation(aws.endpoint, aws.account_id, aws.region, table)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "b"}})
    shards = client(aws, "dynamodbstreams").describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return len(shards) >= 2


def alarm_metrics_form(aws) -> bool:
    cloudwatch, name = client(aws, "cloudwatch"), f"probe-{uuid.uuid4().hex[:8]}"
    cloudwatch.put_metric_alarm(AlarmName=name, EvaluationPeriods=1, Threshold=1,
                                ComparisonOperator="GreaterThanThreshold", Metrics=[{
                                    "Id": "m", "ReturnData": True, "MetricStat": {
                                        "Metric": {"Namespace": "Probe", "MetricName": "Errors"},
                                        "Period": 60, "Stat": "Sum"}}])
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return [m.get("MetricStat", {}).get("Stat") for m in alarm.get("Metrics", [])] == ["Sum"]


def rds_public_by_default(aws) -> bool:
    rds, name = client(aws, "rds"), f"probe-{uuid.uuid4().hex[:8]}"
    rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="probe", MasterUserPassword="Probe-passw0rd!", AllocatedStorage=20)
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0].get("PubliclyAccessible") is not False


def sqs_wait_limit(aws) -> bool:
    sqs = client(aws, "sqs")
    queue = sqs.create_queue(QueueName=f"probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    try:
        sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=21)
    except Exception as exc:
        return "WaitTimeSeconds" in str(exc)
    return False


@contextlib.contextmanager
def emulator(name: str):
    """A private server on a free port; stopped at the end (killed if it lingers: LocalStack may)."""
    from labrunner.private_server import private_emulator

    with private_emulator(name) as (backend, _):
        yield backend


FEATURE_PROBES = {name: globals()[name] for name in (
    "journal", "lambda_code", "lambda_execution", "lambda_recursion_config", "callable_api_routes",
    "deployment_snapshots",
    "iam_enforcement", "iam_policy_simulation", "global_tables", "beanstalk_swap", "redis_cache",
    "unsigned_sandbox_calls", "ec2_instance_attributes", "rds_option_groups", "sandbox_iam_users",
    "stream_shard_rollover", "alarm_metrics_form", "rds_public_by_default", "sqs_wait_limit",
    "state_reset")}
