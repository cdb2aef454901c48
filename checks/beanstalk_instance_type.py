"""Checker for beanstalk-instance-type: a saved configuration sets the type, the environment uses it."""

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps
from labrunner.lookups import error_code


def check(aws):
    yield from steps(aws, application_exists, template_sets_instance_type, environment_from_template,
                     environment_runs_instance_type)


def application_exists(aws):
    name = aws.names.app
    apps = aws.elasticbeanstalk.describe_applications(ApplicationNames=[name])["Applications"]
    if not any(a["ApplicationName"] == name for a in apps):
        return failed(f"Elastic Beanstalk application {name} does not exist; create it.")
    return passed(f"Elastic Beanstalk application {name} exists.")


def instance_type(settings: list) -> str | None:
    """aws:ec2:instances InstanceTypes (today's option; its first type wins) or the older launch configuration one."""
    options = {(s.get("Namespace"), s.get("OptionName")): s.get("Value") for s in settings}
    types = options.get(("aws:ec2:instances", "InstanceTypes"))
    if types:
        return types.split(",")[0].strip()
    return options.get(("aws:autoscaling:launchconfiguration", "InstanceType"))


def configuration(aws, **where) -> dict | None:
    try:
        found = aws.elasticbeanstalk.describe_configuration_settings(ApplicationName=aws.names.app, **where)
    except ClientError as exc:
        if error_code(exc) == "InvalidParameterValue":
            return None
        raise
    return (found.get("ConfigurationSettings") or [None])[0]


def template_sets_instance_type(aws):
    names = aws.names
    saved = configuration(aws, TemplateName=names.template)
    if saved is None:
        return failed(f"Application {names.app} has no saved configuration {names.template}; create it.")
    found = instance_type(saved.get("OptionSettings", []))
    if found != names.instance_type:
        return failed(f"Saved configuration {names.template} sets instance type {found or 'none'}, not "
                      f"{names.instance_type}.", hint="Set aws:ec2:instances InstanceTypes in its OptionSettings.")
    return passed(f"Saved configuration {names.template} sets instance type {names.instance_type} on "
                  f"{saved.get('SolutionStackName')}.")


def environment(aws) -> dict | None:
    found = aws.elasticbeanstalk.describe_environments(ApplicationName=aws.names.app,
                                                      EnvironmentNames=[aws.names.environment])["Environments"]
    live = [e for e in found if e.get("Status") != "Terminated" and e["EnvironmentName"] == aws.names.environment]
    return live[0] if live else None


def launched_from_template(aws, env: dict) -> bool:
    if env.get("TemplateName"):
        return env["TemplateName"] == aws.names.template
    calls = [c for c in aws.journal.calls("CreateEnvironment", succeeded=True)
             if c.params.get("EnvironmentName") == aws.names.environment]
    return bool(calls) and calls[-1].params.get("TemplateName") == aws.names.template


def environment_from_template(aws):
    names = aws.names
    env = environment(aws)
    if env is None:
        return failed(f"Environment {names.environment} does not exist in {names.app}; create it from "
                      f"{names.template}.")
    if not launched_from_template(aws, env):
        used = env.get("TemplateName") or "no saved configuration"
        return failed(f"Environment {names.environment} was launched from {used}, not from {names.template}; "
                      "pass TemplateName when you create it.")
    return passed(f"Environment {names.environment} was launched from saved configuration {names.template}.")


def environment_runs_instance_type(aws):
    names = aws.names
    if environment(aws) is None:
        return failed(f"Environment {names.environment} does not exist, so its instance type cannot be checked.")
    settings = configuration(aws, EnvironmentName=names.environment)
    found = instance_type((settings or {}).get("OptionSettings", []))
    if found != names.instance_type:
        return failed(f"Environment {names.environment} runs instance type {found or 'none'}, not "
                      f"{names.instance_type}: an option setting given at creation overrides the saved "
                      "configuration.")
    return passed(f"Environment {names.environment} runs {names.instance_type} instances.")
