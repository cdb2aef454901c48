"""Reference solution: an option group holding TDE, attached to a SQL Server Enterprise instance."""

PASSWORD = "Lab-only-password-42"  # a sandbox; real passwords belong in Secrets Manager


def ensure_option_group(rds, names):
    try:
        rds.create_option_group(OptionGroupName=names.option_group, EngineName=names.engine,
                                MajorEngineVersion=names.major_version,
                                OptionGroupDescription="Transparent Data Encryption for the ledger")
    except rds.exceptions.OptionGroupAlreadyExistsFault:
        pass
    # TDE takes no settings: RDS creates and keeps the certificate that
    # protects the database encryption keys.
    rds.modify_option_group(OptionGroupName=names.option_group, OptionsToInclude=[{"OptionName": "TDE"}],
                            ApplyImmediately=True)


def solve(aws):
    rds, names = aws.rds, aws.names
    ensure_option_group(rds, names)
    try:
        # Naming the group at creation: otherwise RDS attaches the default
        # group of the engine, which holds no options.
        rds.create_db_instance(DBInstanceIdentifier=names.db, Engine=names.engine,
                               EngineVersion=names.engine_version, LicenseModel="license-included",
                               DBInstanceClass=names.instance_class, AllocatedStorage=20,
                               MasterUsername=names.master_user, MasterUserPassword=PASSWORD,
                               OptionGroupName=names.option_group)
    except rds.exceptions.DBInstanceAlreadyExistsFault:
        rds.modify_db_instance(DBInstanceIdentifier=names.db, OptionGroupName=names.option_group,
                               ApplyImmediately=True)
