using System.Buffers;

namespace TokenBroker.Postfix.Tests;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> of several segments, as a socket delivers bytes in pieces.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] bytes, IEnumerable<int> cuts)
    {
        var points = cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length).ToList();
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segments(bytes.AsMemory(0, points[0]), 0);
        var last = first;
        for (var i = 1; i < points.Count; i++)
        {
            var next = new Segments(bytes.AsMemory(points[i - 1], points[i] - points[i - 1]), points[i - 1]);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
