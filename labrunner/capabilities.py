"""The capability matrix: what each backend really serves, what each lab needs.

A backend declares ``services`` (botocore service names, as the manifest's
``services`` use them) and ``features`` (names in ``FEATURES``), from
measurement; tests/engine/test_capabilities.py probes each declaration on every
backend that can start here.  A lab needs the services of its manifest entry,
plus what its checker module declares:

    LAB_NEEDS = ("unsigned_sandbox_calls",)     # without it the lab cannot be graded at all
    STEP_NEEDS = {4: ("journal",)}              # without it step 4 is NOT VERIFIABLE ("a|b": either)
    OPTIONAL_SERVICES = {"application-autoscaling": "only the provisioned-capacity path uses it"}

``support(lab, backend)`` turns that into ``full``, ``partly`` (which steps
are not verifiable, and why) or ``unavailable`` (why).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FEATURES = {
    "journal": "the runner's call journal (how the learner called an API)",
    "lambda_code": "handing a deployed function's code to the runner, which runs the handler",
    "lambda_execution": "Lambda Invoke running Python handlers",
    "lambda_recursion_config": "Lambda's recursive loop detection settings (Put/GetFunctionRecursionConfig)",
    "callable_api_routes": "calling a deployed API Gateway REST stage",
    "deployment_snapshots": "API Gateway GetDeployment with embed=apisummary (what a deployment holds)",
    "iam_enforcement": "IAM policies enforced on requests",
    "iam_policy_simulation": "IAM policy simulation (SimulatePrincipalPolicy)",
    "global_tables": "DynamoDB global table replicas in a second region",
    "stream_shard_rollover": "a DynamoDB stream rolling over to a new shard on request (several shards to read)",
    "alarm_metrics_form": "CloudWatch alarms kept in their Metrics (MetricStat) form",
    "rds_public_by_default": "RDS instances publicly accessible unless PubliclyAccessible is false (default VPC)",
    "sqs_wait_limit": "SQS refusing WaitTimeSeconds above 20",
    "beanstalk_swap": "Elastic Beanstalk environment CNAME swaps",
    "redis_cache": "a Redis-protocol cache server beside the emulator",
    "unsigned_sandbox_calls": "unsigned calls (Cognito SignUp, InitiateAuth) reaching the sandbox's account",
    "ec2_instance_attributes": "EC2 ModifyInstanceAttribute (per-device DeleteOnTermination)",
    "rds_option_groups": "RDS ModifyOptionGroup (the TDE option)",
    "sandbox_iam_users": "sandbox keys that belong to IAM users of the account (GetAccessKeyLastUsed names them)",
    "state_reset": "wiping all state in one call",
}

FULL, PARTLY, UNAVAILABLE = "full", "partly", "unavailable"


@dataclass
class Support:
    lab_id: str
    backend: str
    status: str
    reasons: list[str] = field(default_factory=list)  # why unavailable, or notes
    steps: dict[int, str] = field(default_factory=dict)  # step number -> why not verifiable

    def to_dict(self) -> dict:
        return {"lab": self.lab_id, "backend": self.backend, "status": self.status, "reasons": self.reasons,
                "steps_not_verifiable": {str(k): v for k, v in sorted(self.steps.items())}}


def served(backend_cls, need: str) -> bool:
    """``need`` is one name, or alternatives ``a|b`` (either will do)."""
    return any(backend_cls.serves(one) for one in need.split("|"))


def describe(need: str) -> str:
    return " or ".join(FEATURES.get(one, f"the {one} service") for one in need.split("|"))


def missing_sentence(needs, backend_name: str) -> str:
    names = " and ".join(describe(n) for n in needs)
    return f"needs {names}, which {backend_name} does not serve"


def unmet(backend_cls, needs) -> list[str]:
    """The needs ``backend_cls`` does not serve, in order."""
    return [need for need in needs if not served(backend_cls, need)]


def needs_of(lab) -> tuple[tuple[str, ...], dict[int, tuple[str, ...]], dict[str, str]]:
    """The lab's required needs (services + LAB_NEEDS), step needs and optional services."""
    module = lab.check_module()
    optional = dict(getattr(module, "OPTIONAL_SERVICES", {}))
    required = tuple(s for s in lab.services if s not in optional) + tuple(getattr(module, "LAB_NEEDS", ()))
    return required, dict(getattr(module, "STEP_NEEDS", {})), optional


def support(lab, backend_cls) -> Support:
    required, step_needs, optional = needs_of(lab)
    name = backend_cls.name
    lacking = unmet(backend_cls, required)
    if lacking:
        return Support(lab.id, name, UNAVAILABLE, [missing_sentence(lacking, name)])
    steps = {}
    for number, needs in sorted(step_needs.items()):
        gaps = unmet(backend_cls, needs)
        if gaps:
            steps[number] = missing_sentence(gaps, name)
    notes = [f"{service} is not served ({why})" for service, why in optional.items()
             if not served(backend_cls, service)]
    if steps and len(steps) == len(lab.steps()):
        return Support(lab.id, name, UNAVAILABLE, [f"no step of it can be verified on {name}"], steps)
    return Support(lab.id, name, PARTLY if steps else FULL, notes, steps)


def matrix(backend_classes) -> dict:
    """Every backend's declared services and features, for `inv backends`."""
    return {cls.name: {"services": sorted(cls.services), "features": sorted(cls.capabilities),
                       "journal": cls.journal, "notes": getattr(cls, "notes", "")}
            for cls in backend_classes}
