namespace TokenBroker.Core.Accounts;

/// <summary>The kind of OAuth2 provider an account uses.</summary>
public enum ProviderKind
{
    /// <summary>Any OAuth2/OIDC provider, by issuer discovery or explicit endpoints.</summary>
    Generic,

    /// <summary>Gmail and Google Workspace.</summary>
    Google,

    /// <summary>Microsoft 365 and Outlook.com, through MSAL.</summary>
    Microsoft,
}
