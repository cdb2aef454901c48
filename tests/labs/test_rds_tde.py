"""Near-misses and alternatives for rds-tde."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.rds_tde import PASSWORD, ensure_option_group

CLI = [sys.executable, "-m", "awscli"]


def group(aws, engine=None, version=None, options=("TDE",)):
    names = aws.names
    aws.rds.create_option_group(OptionGroupName=names.option_group, EngineName=engine or names.engine,
                                MajorEngineVersion=version or names.major_version, OptionGroupDescription="lab")
    if options:
        aws.rds.modify_option_group(OptionGroupName=names.option_group, ApplyImmediately=True,
                                    OptionsToInclude=[{"OptionName": o} for o in options])


def db(aws, engine=None, version=None, option_group=None):
    names = aws.names
    extra = {"OptionGroupName": option_group} if option_group else {}
    aws.rds.create_db_instance(DBInstanceIdentifier=names.db, Engine=engine or names.engine,
                               EngineVersion=version or names.engine_version, LicenseModel="license-included",
                               DBInstanceClass=names.instance_class, AllocatedStorage=20,
                               MasterUsername=names.master_user, MasterUserPassword=PASSWORD, **extra)


def express_edition_group(aws):
    group(aws, engine="sqlserver-ex")
    db(aws, engine="sqlserver-ex", option_group=aws.names.option_group)


def standard_2017_group(aws):
    group(aws, engine="sqlserver-se", version="14.00")
    db(aws, engine="sqlserver-se", version="14.00.3451.2.v1", option_group=aws.names.option_group)


def group_without_options(aws):
    group(aws, options=())
    db(aws, option_group=aws.names.option_group)


def group_with_backup_restore_only(aws):
    group(aws, options=("SQLSERVER_BACKUP_RESTORE",))
    db(aws, option_group=aws.names.option_group)


def web_edition_instance(aws):
    ensure_option_group(aws.rds, aws.names)
    db(aws, engine="sqlserver-web")


def group_not_attached(aws):
    ensure_option_group(aws.rds, aws.names)
    db(aws)  # RDS gives it the engine's default option group


NEAR_MISSES = [
    NearMiss("no option group", step=1, expect="does not exist yet", apply=lambda aws: None),
    NearMiss("Express Edition option group", step=1, expect="sqlserver-ex 15.00, which cannot use TDE",
             apply=express_edition_group),
    NearMiss("SQL Server 2017 Standard option group", step=1, expect="sqlserver-se 14.00", apply=standard_2017_group),
    NearMiss("option group without TDE", step=2, expect="holds no options", apply=group_without_options),
    NearMiss("option group with another option", step=2, expect="holds SQLSERVER_BACKUP_RESTORE",
             apply=group_with_backup_restore_only),
    NearMiss("no instance", step=3, expect="does not exist yet",
             apply=lambda aws: ensure_option_group(aws.rds, aws.names)),
    NearMiss("Web Edition instance", step=3, expect="runs sqlserver-web", apply=web_edition_instance),
    NearMiss("option group created but not attached", step=4, expect="not lab-sqlserver-tde", apply=group_not_attached),
]


def cli(aws, *args) -> dict:
    out = subprocess.run([*CLI, "rds", *args, "--endpoint-url", aws.endpoint], env=aws.learner_env(), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else {}


def aws_cli_attach_later(aws):
    names = aws.names
    cli(aws, "create-option-group", "--option-group-name", names.option_group, "--engine-name", names.engine,
        "--major-engine-version", names.major_version, "--option-group-description", "TDE")
    cli(aws, "add-option-to-option-group", "--option-group-name", names.option_group, "--options",
        "OptionName=TDE", "--apply-immediately")
    cli(aws, "create-db-instance", "--db-instance-identifier", names.db, "--engine", names.engine,
        "--engine-version", names.engine_version, "--license-model", "license-included", "--db-instance-class",
        names.instance_class, "--allocated-storage", "20", "--master-username", names.master_user,
        "--master-user-password", PASSWORD)
    cli(aws, "modify-db-instance", "--db-instance-identifier", names.db, "--option-group-name", names.option_group,
        "--apply-immediately")


def oracle_enterprise(aws):
    group(aws, engine="oracle-ee", version="19")
    db(aws, engine="oracle-ee", version="19.0.0.0.ru-2024-01.rur-2024-01.r1", option_group=aws.names.option_group)


def sql_server_2019_standard(aws):
    group(aws, engine="sqlserver-se", version="15.00")
    db(aws, engine="sqlserver-se", option_group=aws.names.option_group)


ALTERNATIVES = [
    Alternative("AWS CLI, group attached after creation", apply=aws_cli_attach_later),
    Alternative("Oracle Enterprise Edition", apply=oracle_enterprise),
    Alternative("SQL Server 2019 Standard Edition", apply=sql_server_2019_standard),
]

test_near_miss = near_miss_test("rds-tde", NEAR_MISSES)
test_alternative = alternative_test("rds-tde", ALTERNATIVES)
