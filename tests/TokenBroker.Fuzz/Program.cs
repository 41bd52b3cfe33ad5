using System.Buffers;
using SharpFuzz;
using TokenBroker.Postfix;

// Reads what a Postfix client (or anyone who can reach the socket) might send, as the connection
// handler does: netstrings cut off one by one, each payload parsed as a request, each answer written.
// Anything but the documented outcomes is a crash for AFL to report.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    var buffer = new ReadOnlySequence<byte>(memory.ToArray());
    var output = new ArrayBufferWriter<byte>();
    while (true)
    {
        var before = buffer.Length;
        var status = Netstring.TryRead(ref buffer, SocketmapLimits.MaxRequestBytes, out var payload, out var problem);
        if (status == NetstringStatus.Incomplete)
        {
            return;
        }

        if (status == NetstringStatus.Malformed)
        {
            Check(problem is not null, "a malformed netstring without a reason");
            SocketmapReply.Perm(problem!).WriteTo(output);
            return;
        }

        Check(buffer.Length < before && payload.Length <= SocketmapLimits.MaxRequestBytes, "a complete netstring that consumed nothing or exceeds the limit");
        var request = SocketmapRequest.Parse(payload, out var error);
        Check((request is null) != (error is null), "a request that is both parsed and refused, or neither");
        (request is null ? SocketmapReply.Perm(error!) : SocketmapReply.Ok(request.Key)).WriteTo(output);
    }
});

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException(what);
    }
}
