using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.Storage;

/// <summary>
/// An account's stored secrets fail authentication (tampered, or sealed under another key). The
/// stored data is left as it is; other accounts are not affected.
/// </summary>
public sealed class AccountUnreadableException : Exception
{
    /// <summary>Creates the exception for <paramref name="account"/>.</summary>
    public AccountUnreadableException(AccountName account, Exception innerException)
        : base($"account {account} is unreadable: {innerException?.Message} Restore it from a backup or consent again after removing it.", innerException)
    {
        Account = account;
    }

    /// <summary>Creates the exception with a message.</summary>
    public AccountUnreadableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public AccountUnreadableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public AccountUnreadableException()
        : base("An account is unreadable.")
    {
    }

    /// <summary>The unreadable account.</summary>
    public AccountName Account { get; }
}
