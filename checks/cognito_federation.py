"""Checker for cognito-federation: a pool with a domain, Google and SAML providers, a client offering both."""

from labrunner.grading import failed, passed, steps
from labrunner.lookups import fetch

GOOGLE = "Google"
NEEDED_SCOPES = {"openid", "email"}


def check(aws):
    yield from steps(aws, pool_has_domain, google_provider, saml_provider, client_enables_providers)


def find_pool(aws) -> dict | None:
    for page in aws.cognito_idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == aws.names.pool:
                return pool
    return None


def provider(aws, pool_id: str, name: str) -> dict | None:
    found = fetch(aws.cognito_idp.describe_identity_provider, UserPoolId=pool_id, ProviderName=name)
    return found["IdentityProvider"] if found else None


def pool_has_domain(aws):
    pool, domain = find_pool(aws), aws.names.domain
    if pool is None:
        return failed(f"User pool {aws.names.pool} does not exist yet.")
    description = aws.cognito_idp.describe_user_pool_domain(Domain=domain).get("DomainDescription") or {}
    if description.get("UserPoolId") != pool["Id"]:
        other = f" (it belongs to pool {description['UserPoolId']})" if description.get("UserPoolId") else ""
        return failed(f"User pool {aws.names.pool} has no domain {domain}{other}; the hosted sign-in needs it.",
                      hint="create_user_pool_domain(Domain=..., UserPoolId=...).")
    return passed(f"User pool {aws.names.pool} has the domain {domain}.")


def maps_email(found: dict) -> bool:
    return bool(found.get("AttributeMapping", {}).get("email"))


def google_provider(aws):
    pool = find_pool(aws)
    if pool is None:
        return failed(f"User pool {aws.names.pool} does not exist, so it has no Google provider.")
    found = provider(aws, pool["Id"], GOOGLE)
    if found is None:
        return failed(f"User pool {aws.names.pool} has no identity provider named {GOOGLE}.")
    if found.get("ProviderType") != "Google":
        return failed(f"Provider {GOOGLE} is of type {found.get('ProviderType')}; expected Google.")
    scopes = set(found.get("ProviderDetails", {}).get("authorize_scopes", "").split())
    if not NEEDED_SCOPES <= scopes:
        return failed(f"Provider {GOOGLE} asks Google for scopes {' '.join(sorted(scopes)) or 'none'}; expected "
                      "openid and email among them.")
    if not maps_email(found):
        return failed(f"Provider {GOOGLE} maps no attribute to the pool's email; expected email -> email.")
    return passed(f"Provider {GOOGLE} is a Google provider with the openid and email scopes, mapping email.")


def saml_provider(aws):
    pool, name = find_pool(aws), aws.names.saml
    if pool is None:
        return failed(f"User pool {aws.names.pool} does not exist, so it has no SAML provider.")
    found = provider(aws, pool["Id"], name)
    if found is None:
        return failed(f"User pool {aws.names.pool} has no identity provider named {name}.")
    if found.get("ProviderType") != "SAML":
        return failed(f"Provider {name} is of type {found.get('ProviderType')}; expected SAML.")
    details = found.get("ProviderDetails", {})
    if not (details.get("MetadataURL") or details.get("MetadataFile")):
        return failed(f"Provider {name} has no metadata; expected MetadataURL or MetadataFile.")
    if not maps_email(found):
        return failed(f"Provider {name} maps no SAML claim to the pool's email; expected an email mapping.")
    return passed(f"Provider {name} is a SAML provider with metadata and an email mapping.")


def find_client(aws, pool_id: str) -> dict | None:
    idp = aws.cognito_idp
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60):
        for client in page["UserPoolClients"]:
            if client["ClientName"] == aws.names.client:
                return idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])[
                    "UserPoolClient"]
    return None


def client_gaps(aws, pool_id: str, client: dict) -> list[str]:
    names, gaps = aws.names, []
    enabled = client.get("SupportedIdentityProviders", [])
    for wanted in (GOOGLE, names.saml):
        if wanted not in enabled:
            gaps.append(f"{wanted} is not in SupportedIdentityProviders (found {', '.join(enabled) or 'none'})")
        elif provider(aws, pool_id, wanted) is None:
            gaps.append(f"{wanted} is enabled but no such provider exists in the pool")
    if names.callback not in client.get("CallbackURLs", []):
        gaps.append(f"{names.callback} is not among the callback URLs "
                    f"({', '.join(client.get('CallbackURLs', [])) or 'none'})")
    flows = client.get("AllowedOAuthFlows", [])
    if "code" not in flows:
        gaps.append(f"the OAuth flows are {', '.join(flows) or 'none'}, without the authorization code flow")
    scopes = set(client.get("AllowedOAuthScopes", []))
    if not NEEDED_SCOPES <= scopes:
        gaps.append(f"the OAuth scopes are {', '.join(sorted(scopes)) or 'none'}, expected openid and email")
    if not client.get("AllowedOAuthFlowsUserPoolClient"):
        gaps.append("OAuth is not enabled for the client (AllowedOAuthFlowsUserPoolClient)")
    return gaps


def client_enables_providers(aws):
    pool, name = find_pool(aws), aws.names.client
    if pool is None:
        return failed(f"User pool {aws.names.pool} does not exist, so app client {name} cannot be in it.")
    client = find_client(aws, pool["Id"])
    if client is None:
        return failed(f"User pool {aws.names.pool} has no app client named {name}.")
    gaps = client_gaps(aws, pool["Id"], client)
    if gaps:
        return failed(f"App client {name} is not ready for federation: {'; '.join(gaps)}.",
                      hint="update_user_pool_client replaces every setting you leave out: pass them all.")
    return passed(f"App client {name} offers Google and {aws.names.saml} with the code flow back to "
                  f"{aws.names.callback}.")
