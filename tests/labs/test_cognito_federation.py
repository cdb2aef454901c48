"""Near-misses and alternatives for cognito-federation."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.cognito_federation import EMAIL_CLAIM, find_client_id, find_pool_id, solve


def pool_id(aws):
    return find_pool_id(aws.cognito_idp, aws.names.pool)


def client_update(aws, **changes):
    """The solved lab, then the client re-saved with some settings changed."""
    solve(aws)
    idp, pid = aws.cognito_idp, pool_id(aws)
    cid = find_client_id(idp, pid, aws.names.client)
    current = idp.describe_user_pool_client(UserPoolId=pid, ClientId=cid)["UserPoolClient"]
    keep = {k: current[k] for k in ("SupportedIdentityProviders", "CallbackURLs", "AllowedOAuthFlows",
                                     "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient") if k in current}
    idp.update_user_pool_client(UserPoolId=pid, ClientId=cid, **{**keep, **changes})


def provider_update(aws, name, **changes):
    solve(aws)
    aws.cognito_idp.update_identity_provider(UserPoolId=pool_id(aws), ProviderName=name, **changes)


def saml_as_oidc(aws):
    solve(aws)
    idp = aws.cognito_idp
    idp.delete_identity_provider(UserPoolId=pool_id(aws), ProviderName=aws.names.saml)
    idp.create_identity_provider(UserPoolId=pool_id(aws), ProviderName=aws.names.saml, ProviderType="OIDC",
                                 ProviderDetails={"client_id": "x", "oidc_issuer": "https://idp.example.com",
                                                  "authorize_scopes": "openid email"},
                                 AttributeMapping={"email": "email"})


def no_domain(aws):
    solve(aws)
    aws.cognito_idp.delete_user_pool_domain(Domain=aws.names.domain, UserPoolId=pool_id(aws))


def no_google(aws):
    solve(aws)
    aws.cognito_idp.delete_identity_provider(UserPoolId=pool_id(aws), ProviderName="Google")


NEAR_MISSES = [
    NearMiss("no domain", step=1, expect="has no domain", apply=no_domain),
    NearMiss("no Google provider", step=2, expect="no identity provider named Google", apply=no_google),
    NearMiss("Google without the email scope", step=2, expect="expected openid and email",
             apply=lambda aws: provider_update(aws, "Google", ProviderDetails={
                 "client_id": "id", "client_secret": "secret", "authorize_scopes": "openid profile"})),
    NearMiss("Google without an email mapping", step=2, expect="maps no attribute",
             apply=lambda aws: provider_update(aws, "Google", AttributeMapping={"username": "sub"})),
    NearMiss("SAML made as OIDC", step=3, expect="expected SAML", apply=saml_as_oidc),
    NearMiss("providers not enabled on the client", step=4, expect="Google is not in SupportedIdentityProviders",
             apply=lambda aws: client_update(aws, SupportedIdentityProviders=["COGNITO"])),
    NearMiss("only Google enabled", step=4, expect="CorpSAML is not in SupportedIdentityProviders",
             apply=lambda aws: client_update(aws, SupportedIdentityProviders=["Google"])),
    NearMiss("no callback URL", step=4, expect="is not among the callback URLs",
             apply=lambda aws: client_update(aws, CallbackURLs=["https://localhost/other"])),
    NearMiss("implicit flow only", step=4, expect="without the authorization code flow",
             apply=lambda aws: client_update(aws, AllowedOAuthFlows=["implicit"])),
]

METADATA = ('<?xml version="1.0"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="https://idp.example.com"><IDPSSODescriptor protocolSupportEnumeration='
            '"urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor>')


def aws_cli(aws):
    """The learner's shell: metadata as a file, every provider plus COGNITO, two callback URLs.

    A lone URL argument is downloaded by AWS CLI v1 (cli_follow_urlparam): the JSON list form is not.
    """
    env, names = aws.learner_env(), aws.names

    def cli(*args):
        run = subprocess.run([sys.executable, "-m", "awscli", "cognito-idp", *args, "--output", "json"], env=env,
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout) if run.stdout.strip() else {}

    pid = cli("create-user-pool", "--pool-name", names.pool)["UserPool"]["Id"]
    cli("create-user-pool-domain", "--domain", names.domain, "--user-pool-id", pid)
    cli("create-identity-provider", "--user-pool-id", pid, "--provider-name", "Google", "--provider-type", "Google",
        "--provider-details", json.dumps({"client_id": "c", "client_secret": "s", "authorize_scopes": "email openid"}),
        "--attribute-mapping", json.dumps({"email": "email", "name": "name"}))
    cli("create-identity-provider", "--user-pool-id", pid, "--provider-name", names.saml, "--provider-type", "SAML",
        "--provider-details", json.dumps({"MetadataFile": METADATA}), "--attribute-mapping",
        json.dumps({"email": EMAIL_CLAIM}))
    cli("create-user-pool-client", "--user-pool-id", pid, "--client-name", names.client, "--no-generate-secret",
        "--supported-identity-providers", "COGNITO", "Google", names.saml,
        "--callback-urls", "http://localhost:3000/callback", names.callback, "--logout-urls", '["https://app.example.com/"]',
        "--allowed-o-auth-flows", "code", "implicit", "--allowed-o-auth-scopes", "openid", "email", "profile",
        "--allowed-o-auth-flows-user-pool-client")


ALTERNATIVES = [
    Alternative("AWS CLI, metadata file, extra flows and URLs", apply=aws_cli),
    Alternative("reference", apply=solve),
]

test_near_miss = near_miss_test("cognito-federation", NEAR_MISSES)
test_alternative = alternative_test("cognito-federation", ALTERNATIVES)
