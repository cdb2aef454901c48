"""Reference solution: one pool, two federated providers, one client that offers both."""

from botocore.exceptions import ClientError

EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"


def find_pool_id(idp, name: str) -> str | None:
    pages = idp.get_paginator("list_user_pools").paginate(MaxResults=60)
    return next((p["Id"] for page in pages for p in page["UserPools"] if p["Name"] == name), None)


def find_client_id(idp, pool_id: str, name: str) -> str | None:
    pages = idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60)
    return next((c["ClientId"] for page in pages for c in page["UserPoolClients"] if c["ClientName"] == name), None)


def put_provider(idp, pool_id: str, name: str, kind: str, details: dict, mapping: dict) -> None:
    """Create the provider, or bring an existing one to the same settings."""
    try:
        idp.create_identity_provider(UserPoolId=pool_id, ProviderName=name, ProviderType=kind,
                                     ProviderDetails=details, AttributeMapping=mapping)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "DuplicateProviderException":
            raise
        idp.update_identity_provider(UserPoolId=pool_id, ProviderName=name, ProviderDetails=details,
                                     AttributeMapping=mapping)


def ensure_domain(idp, pool_id: str, domain: str) -> None:
    current = idp.describe_user_pool_domain(Domain=domain).get("DomainDescription", {})
    if current.get("UserPoolId") != pool_id:
        idp.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)


def solve(aws):
    idp, names = aws.cognito_idp, aws.names
    pool_id = find_pool_id(idp, names.pool) or idp.create_user_pool(PoolName=names.pool)["UserPool"]["Id"]
    # The hosted pages (and so every redirect to a provider) need a domain.
    ensure_domain(idp, pool_id, names.domain)

    # "openid email" is what lets Cognito learn who the user is and fill the mapped attribute.
    put_provider(idp, pool_id, "Google", "Google",
                 {"client_id": "lab-google-client.apps.googleusercontent.com", "client_secret": "lab-google-secret",
                  "authorize_scopes": "openid email profile"}, {"email": "email"})
    put_provider(idp, pool_id, names.saml, "SAML", {"MetadataURL": "https://idp.example.com/saml/metadata"},
                 {"email": EMAIL_CLAIM})

    # Providers are offered per client; the code flow keeps tokens out of the browser's URL bar.
    settings = dict(SupportedIdentityProviders=["Google", names.saml], CallbackURLs=[names.callback],
                    AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
                    AllowedOAuthFlowsUserPoolClient=True)
    client_id = find_client_id(idp, pool_id, names.client)
    if client_id is None:
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName=names.client, GenerateSecret=False, **settings)
    else:
        idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName=names.client, **settings)
