namespace TokenBroker.Core.Secrets;

/// <summary>
/// A sealed value failed authentication: it was altered, belongs to another account or field, or
/// was sealed under another master key.
/// </summary>
public sealed class SecretUnsealException : Exception
{
    /// <summary>Creates the exception for one account's field.</summary>
    public SecretUnsealException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SecretUnsealException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public SecretUnsealException()
        : base("A sealed secret failed authentication.")
    {
    }
}
