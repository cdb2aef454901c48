"""Elastic Beanstalk saved configurations, application versions and CNAME swaps (moto 5.2.x).

moto 5.2.x models an environment as a name and nothing else: it drops
``TemplateName``, ``OptionSettings``, ``CNAMEPrefix`` and ``VersionLabel``,
reports an empty CNAME, and answers every other operation with HTTP 500.
This extension keeps what CreateEnvironment is given and adds the operations
the saved-configuration and blue/green workflows need:

- CreateConfigurationTemplate, DescribeConfigurationSettings,
  DeleteConfigurationTemplate (a saved configuration is a named set of
  option settings on a solution stack, copied from a stack, another template
  or a running environment);
- CreateApplicationVersion, DescribeApplicationVersions;
- SwapEnvironmentCNAMEs (by name or id);
- CreateEnvironment from a template and/or option settings, with an
  environment id, a CNAME (``<prefix>.<region>.elasticbeanstalk.com``, a taken
  prefix is refused) and a version label; DescribeEnvironments honouring its
  ApplicationName, EnvironmentNames and EnvironmentIds filters.

State lives on moto's own backend objects, so ``/moto-api/reset`` clears it.
"""

from __future__ import annotations

import random
import string

from moto.core.utils import utcnow


def option_map(settings: list | None) -> dict:
    return {(s.get("Namespace", ""), s.get("OptionName", "")): s.get("Value", "") for s in settings or []}


def option_list(options: dict) -> list[dict]:
    return [{"Namespace": ns, "OptionName": name, "Value": value} for (ns, name), value in sorted(options.items())]


def random_suffix(length: int = 8) -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=length))


class ConfigurationTemplate:
    """A saved configuration: option settings on a solution stack, stored by name in one application."""

    def __init__(self, application_name: str, template_name: str, solution_stack: str | None,
                 options: dict, description: str | None) -> None:
        self.application_name = application_name
        self.template_name = template_name
        self.solution_stack = solution_stack
        self.options = dict(options)
        self.description = description
        self.created = self.updated = utcnow()

    def describe(self) -> dict:
        found = {"ApplicationName": self.application_name, "TemplateName": self.template_name,
                 "SolutionStackName": self.solution_stack, "DateCreated": self.created,
                 "DateUpdated": self.updated, "OptionSettings": option_list(self.options)}
        if self.description:
            found["Description"] = self.description
        return found


def state(backend) -> dict:
    """Per-backend extension state, created on first use (and dropped with the backend on reset)."""
    if "_labrunner_eb" not in backend.__dict__:
        backend.__dict__["_labrunner_eb"] = {"templates": {}, "versions": {}}
    return backend.__dict__["_labrunner_eb"]


def install() -> None:
    from moto.elasticbeanstalk.exceptions import InvalidParameterValueError
    from moto.elasticbeanstalk.models import EBBackend
    from moto.elasticbeanstalk.responses import EBResponse
    from moto.core.responses import ActionResult, EmptyResult

    if getattr(EBResponse, "_labrunner_beanstalk", False):
        return

    def application(backend, name: str):
        if name not in backend.applications:
            raise InvalidParameterValueError(f"No Application named '{name}' found.")
        return backend.applications[name]

    def template(backend, app: str, name: str) -> ConfigurationTemplate:
        found = state(backend)["templates"].get((app, name))
        if found is None:
            raise InvalidParameterValueError(f"No Configuration Template named '{app}/{name}' found.")
        return found

    def environment(backend, name: str | None = None, env_id: str | None = None):
        for env in backend.describe_environments():
            if (name and env.environment_name == name) or (env_id and getattr(env, "environment_id", "") == env_id):
                return env
        raise InvalidParameterValueError(f"No Environment found for EnvironmentName = '{name or env_id}'.")

    def environment_options(env) -> dict:
        return env.__dict__.setdefault("labrunner_options", {})

    # --- saved configurations -------------------------------------------------------------------

    def create_configuration_template(self) -> ActionResult:
        backend = self.elasticbeanstalk_backend
        app, name = self._get_param("ApplicationName"), self._get_param("TemplateName")
        application(backend, app)
        if (app, name) in state(backend)["templates"]:
            raise InvalidParameterValueError(f"Configuration Template {name} already exists.")
        stack, options = self._get_param("SolutionStackName") or self._get_param("PlatformArn"), {}
        source = self._get_param("SourceConfiguration") or {}
        if source.get("TemplateName"):
            base = template(backend, source.get("ApplicationName") or app, source["TemplateName"])
            stack, options = stack or base.solution_stack, dict(base.options)
        elif self._get_param("EnvironmentId"):
            env = environment(backend, env_id=self._get_param("EnvironmentId"))
            stack, options = stack or env.solution_stack_name, dict(environment_options(env))
        if not stack:
            raise InvalidParameterValueError("Configuration template requires a solution stack: give "
                                             "SolutionStackName, PlatformArn, SourceConfiguration or EnvironmentId.")
        options.update(option_map(self._get_param("OptionSettings")))
        saved = ConfigurationTemplate(app, name, stack, options, self._get_param("Description"))
        state(backend)["templates"][(app, name)] = saved
        return ActionResult(saved.describe())

    def describe_configuration_settings(self) -> ActionResult:
        backend = self.elasticbeanstalk_backend
        app = self._get_param("ApplicationName")
        application(backend, app)
        if self._get_param("TemplateName"):
            return ActionResult({"ConfigurationSettings": [
                template(backend, app, self._get_param("TemplateName")).describe()]})
        env = environment(backend, name=self._get_param("EnvironmentName"))
        return ActionResult({"ConfigurationSettings": [{
            "ApplicationName": app, "EnvironmentName": env.environment_name,
            "SolutionStackName": env.solution_stack_name, "DeploymentStatus": "deployed",
            "DateCreated": env.date_created, "DateUpdated": env.date_updated,
            "OptionSettings": option_list(environment_options(env))}]})

    def delete_configuration_template(self) -> EmptyResult:
        backend = self.elasticbeanstalk_backend
        app, name = self._get_param("ApplicationName"), self._get_param("TemplateName")
        template(backend, app, name)
        del state(backend)["templates"][(app, name)]
        return EmptyResult()

    # --- application versions -------------------------------------------------------------------

    def create_application_version(self) -> ActionResult:
        backend = self.elasticbeanstalk_backend
        app, label = self._get_param("ApplicationName"), self._get_param("VersionLabel")
        application(backend, app)
        if (app, label) in state(backend)["versions"]:
            raise InvalidParameterValueError(f"Application Version {label} already exists.")
        arn = backend.applications[app].arn.replace(":application/", ":applicationversion/")
        version = {"ApplicationName": app, "VersionLabel": label, "Description": self._get_param("Description"),
                   "SourceBundle": self._get_param("SourceBundle"), "DateCreated": utcnow(),
                   "DateUpdated": utcnow(), "Status": "PROCESSED",
                   "ApplicationVersionArn": f"{arn}/{label}"}
        state(backend)["versions"][(app, label)] = {k: v for k, v in version.items() if v is not None}
        return ActionResult({"ApplicationVersion": state(backend)["versions"][(app, label)]})

    def describe_application_versions(self) -> ActionResult:
        backend = self.elasticbeanstalk_backend
        app, labels = self._get_param("ApplicationName"), self._get_param("VersionLabels") or []
        found = [v for (a, label), v in state(backend)["versions"].items()
                 if (not app or a == app) and (not labels or label in labels)]
        return ActionResult({"ApplicationVersions": found})

    # --- environments -------------------------------------------------------------------------------

    def create_environment(self) -> ActionResult:
        backend = self.elasticbeanstalk_backend
        app_name = self._get_param("ApplicationName")
        app = application(backend, app_name)
        template_name = self._get_param("TemplateName")
        saved = template(backend, app_name, template_name) if template_name else None
        label = self._get_param("VersionLabel")
        if label and (app_name, label) not in state(backend)["versions"]:
            raise InvalidParameterValueError(f"No Application Version named '{label}' found.")
        region = self.region
        prefix = self._get_param("CNAMEPrefix") or f"{self._get_param('EnvironmentName')}-{random_suffix()}"
        cname = f"{prefix}.{region}.elasticbeanstalk.com"
        if any(getattr(e, "cname", "") == cname for e in backend.describe_environments()):
            raise InvalidParameterValueError(f"DNS name ({cname}) is not available.")
        stack = (self._get_param("SolutionStackName") or self._get_param("PlatformArn")
                 or (saved and saved.solution_stack))
        if not stack:
            raise InvalidParameterValueError("An environment needs a solution stack, a platform or a template.")
        tags = {tag["Key"]: tag["Value"] for tag in self._get_param("Tags", [])}
        env = backend.create_environment(app, environment_name=self._get_param("EnvironmentName"),
                                         stack_name=stack, tags=tags)
        options = dict(saved.options) if saved else {}
        options.update(option_map(self._get_param("OptionSettings")))
        env.__dict__.update(
            labrunner_options=options, environment_id=f"e-{random_suffix(10)}", cname=cname, endpoint_url=cname,
            solution_stack_name=stack, template_name=saved.template_name if saved else None,
            version_label=label, description=self._get_param("Description"))
        return ActionResult(env)

    def describe_environments(self) -> ActionResult:
        app = self._get_param("ApplicationName")
        names = self._get_param("EnvironmentNames") or []
        ids = self._get_param("EnvironmentIds") or []
        found = [e for e in self.elasticbeanstalk_backend.describe_environments()
                 if (not app or e.application_name == app) and (not names or e.environment_name in names)
                 and (not ids or getattr(e, "environment_id", "") in ids)]
        return ActionResult({"Environments": found})

    def swap_environment_cnames(self) -> EmptyResult:
        backend = self.elasticbeanstalk_backend
        source = environment(backend, self._get_param("SourceEnvironmentName"), self._get_param("SourceEnvironmentId"))
        target = environment(backend, self._get_param("DestinationEnvironmentName"),
                             self._get_param("DestinationEnvironmentId"))
        source.cname, target.cname = target.cname, source.cname
        source.endpoint_url, target.endpoint_url = target.endpoint_url, source.endpoint_url
        source.date_updated = target.date_updated = utcnow()
        return EmptyResult()

    EBResponse.create_configuration_template = create_configuration_template
    EBResponse.describe_configuration_settings = describe_configuration_settings
    EBResponse.delete_configuration_template = delete_configuration_template
    EBResponse.create_application_version = create_application_version
    EBResponse.describe_application_versions = describe_application_versions
    EBResponse.create_environment = create_environment
    EBResponse.describe_environments = describe_environments
    # moto finds the handler by camelcase_to_underscores(action): "SwapEnvironmentCNAMEs" -> this name.
    EBResponse.swap_environment_cnam_es = swap_environment_cnames
    EBResponse._labrunner_beanstalk = True
    EBBackend._labrunner_beanstalk = True
