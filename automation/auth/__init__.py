"""OAuth2 access tokens for the mailbox and the SMTP server (issue 13).

`tokens` keeps a token in memory and renews it before it expires; `providers` obtains one from
Microsoft Entra ID (msal), a Google service account (google-auth) or any OAuth2 token endpoint;
`explain` turns what the identity provider or the mail server answered into one line with the fix;
`sasl` builds the XOAUTH2 / OAUTHBEARER strings. Nothing here ever logs a secret or a token.
providers (and so requests, msal, google-auth) is imported only when a config uses OAuth2.
"""
