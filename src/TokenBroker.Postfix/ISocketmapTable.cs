namespace TokenBroker.Postfix;

/// <summary>What answers socketmap requests: every map this service serves.</summary>
public interface ISocketmapTable
{
    /// <summary>Answers one request. Exceptions other than cancellation are answered with <c>TEMP</c> and logged.</summary>
    ValueTask<SocketmapReply> LookupAsync(SocketmapRequest request, CancellationToken cancellationToken);
}
