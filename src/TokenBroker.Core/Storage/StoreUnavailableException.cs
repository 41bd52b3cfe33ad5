namespace TokenBroker.Core.Storage;

/// <summary>
/// A store on a database server cannot be reached or answered with an error. Nothing was changed
/// by the failed call; the next call tries again. An <see cref="IOException"/>, as a full disk under
/// the embedded store is, so callers that keep serving through one keep serving through the other.
/// </summary>
public sealed class StoreUnavailableException : IOException
{
    /// <summary>Creates the exception with a message and cause.</summary>
    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public StoreUnavailableException()
        : base("The store is unavailable.")
    {
    }
}
