namespace TokenBroker.Core.OAuth;

/// <summary>The outcome of a provider request: a value, or a classified failure.</summary>
/// <typeparam name="T">The value on success.</typeparam>
public sealed record OAuthResult<T>
    where T : class
{
    internal OAuthResult(T? value, OAuthFailure? failure)
    {
        Value = value;
        Failure = failure;
    }

    /// <summary>The value, on success.</summary>
    public T? Value { get; }

    /// <summary>The failure, otherwise.</summary>
    public OAuthFailure? Failure { get; }

    /// <summary>Lets a failure flow into a result of any type.</summary>
    public static implicit operator OAuthResult<T>(OAuthFailure failure) => new(null, failure ?? throw new ArgumentNullException(nameof(failure)));
}

/// <summary>Creates <see cref="OAuthResult{T}"/> values.</summary>
public static class OAuthResult
{
    /// <summary>A successful result.</summary>
    public static OAuthResult<T> Success<T>(T value)
        where T : class => new(value ?? throw new ArgumentNullException(nameof(value)), null);
}
