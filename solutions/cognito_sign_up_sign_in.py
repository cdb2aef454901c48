"""Reference solution: a pool with rules, a public client, a user who signed up and was confirmed."""

from botocore.exceptions import ClientError

PASSWORD_POLICY = {"MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True,
                   "RequireNumbers": True, "RequireSymbols": True}


def find_pool_id(idp, name: str) -> str | None:
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return pool["Id"]
    return None


def find_client_id(idp, pool_id: str, name: str) -> str | None:
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60):
        for client in page["UserPoolClients"]:
            if client["ClientName"] == name:
                return client["ClientId"]
    return None


def user_status(idp, pool_id: str, username: str) -> str | None:
    try:
        return idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "UserNotFoundException":
            return None
        raise


def solve(aws):
    idp, names = aws.cognito_idp, aws.names
    # Pool names are not unique in Cognito: look before creating, or a second run makes a twin.
    pool_id = find_pool_id(idp, names.pool) or idp.create_user_pool(
        PoolName=names.pool, Policies={"PasswordPolicy": PASSWORD_POLICY})["UserPool"]["Id"]

    # A browser cannot keep a secret; the password flow must be switched on explicitly.
    client_id = find_client_id(idp, pool_id, names.client) or idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=names.client, GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]

    # SignUp is the app's own path (the user chooses a permanent password); an admin confirms
    # because there is no mailbox for the code here.
    status = user_status(idp, pool_id, names.username)
    if status is None:
        idp.sign_up(ClientId=client_id, Username=names.username, Password=names.password)
        status = "UNCONFIRMED"
    if status == "UNCONFIRMED":
        idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=names.username)
