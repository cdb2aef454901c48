"""Reference solution: the instance type lives in a saved configuration; the environment is launched from it."""

from botocore.exceptions import ClientError

STACK = "64bit Amazon Linux 2023 v4.6.0 running Python 3.12"


def ignore_existing(call, **kwargs) -> None:
    try:
        call(**kwargs)
    except ClientError as exc:
        if "already exists" not in exc.response["Error"]["Message"]:
            raise


def environment_exists(aws) -> bool:
    found = aws.elasticbeanstalk.describe_environments(ApplicationName=aws.names.app,
                                                      EnvironmentNames=[aws.names.environment])
    return any(e["Status"] != "Terminated" for e in found["Environments"])


def solve(aws):
    eb, names = aws.elasticbeanstalk, aws.names
    ignore_existing(eb.create_application, ApplicationName=names.app)
    # The saved configuration is the reusable part: every environment launched from it gets t3.small.
    ignore_existing(eb.create_configuration_template, ApplicationName=names.app, TemplateName=names.template,
                    SolutionStackName=STACK, OptionSettings=[{
                        "Namespace": "aws:ec2:instances", "OptionName": "InstanceTypes",
                        "Value": names.instance_type}])
    if not environment_exists(aws):
        # No OptionSettings here: the environment takes its instance type from the template.
        eb.create_environment(ApplicationName=names.app, EnvironmentName=names.environment,
                              TemplateName=names.template)
