namespace TokenBroker.Core;

/// <summary>
/// Local state or configuration that the broker cannot use: a missing or malformed master key,
/// loose file permissions, a store that is corrupt or locked by another daemon. The message names
/// the file or setting and says what to do; nothing stored has been changed.
/// </summary>
public sealed class SetupException : Exception
{
    /// <summary>Creates the exception with a message that names the problem and its fix.</summary>
    public SetupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the low-level cause.</summary>
    public SetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public SetupException()
        : base("The broker's local state cannot be used.")
    {
    }
}
