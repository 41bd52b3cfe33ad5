namespace TokenBroker.TestAuthServer;

/// <summary>What the token endpoint does instead of answering, for the next queued requests.</summary>
public enum Fault
{
    /// <summary>HTTP 500 with an empty body.</summary>
    ServerError,

    /// <summary>HTTP 429 with <c>Retry-After</c> of <see cref="AuthServer.RetryAfter"/>.</summary>
    TooManyRequests,

    /// <summary>Answers normally, but only after <see cref="AuthServer.SlowBy"/> has passed on <see cref="AuthServer.Clock"/>.</summary>
    Slow,

    /// <summary>Never answers (until the client gives up or the server stops).</summary>
    Hang,

    /// <summary>Drops the connection without a response.</summary>
    Drop,
}
