"""Checker for rds-tde: an option group for an Enterprise engine, holding TDE, attached to the instance."""

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

LAB_NEEDS = ("rds_option_groups",)  # the learner must call ModifyOptionGroup

# Engines whose option groups can hold TDE on RDS, with the oldest major version that can.
TDE_ENGINES = {"sqlserver-ee": "13.00", "sqlserver-se": "15.00", "oracle-ee": "", "oracle-ee-cdb": ""}
DETACHED_STATES = ("removing", "failed")


def check(aws):
    yield from steps(aws, option_group_for_enterprise, option_group_holds_tde, instance_runs, option_group_attached)


def option_group(aws):
    try:
        groups = aws.rds.describe_option_groups(OptionGroupName=aws.names.option_group)["OptionGroupsList"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("OptionGroupNotFoundFault", "OptionGroupNotFound"):
            return None
        raise
    return groups[0] if groups else None


def supports_tde(engine: str, major_version: str) -> bool:
    oldest = TDE_ENGINES.get(engine)
    return oldest is not None and major_version.split(".")[0].zfill(2) >= oldest.split(".")[0].zfill(2)


def option_group_for_enterprise(aws):
    name = aws.names.option_group
    group = option_group(aws)
    if group is None:
        return failed(f"Option group {name} does not exist yet; create it for {aws.names.engine} "
                      f"{aws.names.major_version}.")
    engine, version = group["EngineName"], group["MajorEngineVersion"]
    if not supports_tde(engine, version):
        return failed(f"Option group {name} is for {engine} {version}, which cannot use TDE; expected SQL Server "
                      f"Enterprise Edition ({aws.names.engine} {aws.names.major_version}) or Oracle EE.")
    return passed(f"Option group {name} exists for {engine} {version}.")


def option_group_holds_tde(aws):
    name = aws.names.option_group
    group = option_group(aws)
    if group is None:
        return failed(f"Option group {name} does not exist, so it holds no TDE option.")
    options = [o["OptionName"] for o in group.get("Options", [])]
    if "TDE" not in options:
        return failed(f"Option group {name} holds {', '.join(options) or 'no options'}; expected the TDE option.",
                      hint="modify_option_group with OptionsToInclude=[{'OptionName': 'TDE'}].")
    return passed(f"Option group {name} holds the TDE option.")


def instance(aws):
    found = fetch(aws.rds.describe_db_instances, DBInstanceIdentifier=aws.names.db)
    return found["DBInstances"][0] if found and found["DBInstances"] else None


def instance_runs(aws):
    db, found = aws.names.db, instance(aws)
    if found is None:
        return failed(f"DB instance {db} does not exist yet; create it with engine {aws.names.engine}.")
    engine, version = found["Engine"], found.get("EngineVersion", "")
    if not supports_tde(engine, version):
        return failed(f"DB instance {db} runs {engine} {version}, which cannot use TDE; expected "
                      f"{aws.names.engine} {aws.names.major_version}.")
    return passed(f"DB instance {db} runs {engine} {version} ({found.get('DBInstanceStatus')}).")


def option_group_attached(aws):
    db, name, found = aws.names.db, aws.names.option_group, instance(aws)
    if found is None:
        return failed(f"DB instance {db} does not exist, so no option group is attached to it.")
    memberships = {m["OptionGroupName"]: m.get("Status", "") for m in found.get("OptionGroupMemberships", [])}
    if memberships.get(name, "removing") in DETACHED_STATES:
        shown = ", ".join(memberships) or "none"
        return failed(f"DB instance {db} uses option group {shown}, not {name}; attach {name} to it.",
                      hint="OptionGroupName at creation, or modify_db_instance with ApplyImmediately=True.")
    return passed(f"DB instance {db} uses option group {name} ({memberships[name]}), so TDE is available to it.")
