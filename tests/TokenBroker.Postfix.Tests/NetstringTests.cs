using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace TokenBroker.Postfix.Tests;

public sealed class NetstringTests
{
    private const int Limit = 10_000;

    [Fact]
    public void A_whole_netstring_is_read_and_sliced_off()
    {
        var buffer = Bytes("23:sasl smtp.gmail.com:587,9:sasl next,");

        Assert.Equal(NetstringStatus.Complete, Netstring.TryRead(ref buffer, Limit, out var first, out _));
        Assert.Equal("sasl smtp.gmail.com:587", Text(first));
        Assert.Equal(NetstringStatus.Complete, Netstring.TryRead(ref buffer, Limit, out var second, out _));
        Assert.Equal("sasl next", Text(second));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void An_empty_payload_is_valid()
    {
        var buffer = Bytes("0:,");

        Assert.Equal(NetstringStatus.Complete, Netstring.TryRead(ref buffer, Limit, out var payload, out _));
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void Every_proper_prefix_is_incomplete_and_leaves_the_buffer_alone()
    {
        var whole = Encoding.ASCII.GetBytes("25:sasl [smtp.gmail.com]:587,");
        for (var length = 0; length < whole.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(whole, 0, length);

            Assert.Equal(NetstringStatus.Incomplete, Netstring.TryRead(ref buffer, Limit, out _, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Theory]
    [InlineData("abc", "does not start with a length")]
    [InlineData(":,", "does not start with a length")]
    [InlineData("5hello,", "unexpected byte 0x68")]
    [InlineData("05:hello,", "leading zero")]
    [InlineData("-1:", "does not start with a length")]
    [InlineData("5:hello;", "not terminated")]
    [InlineData("99999999999:", "exceeds the limit")]
    [InlineData("10001", "exceeds the limit")]
    public void Broken_framing_is_malformed_with_a_reason(string input, string reason)
    {
        var buffer = Bytes(input);

        Assert.Equal(NetstringStatus.Malformed, Netstring.TryRead(ref buffer, Limit, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_of_exactly_the_limit_is_accepted()
    {
        var buffer = Bytes($"{Limit}:{new string('k', Limit)},");

        Assert.Equal(NetstringStatus.Complete, Netstring.TryRead(ref buffer, Limit, out var payload, out _));
        Assert.Equal(Limit, payload.Length);
    }

    [Property]
    public Property Written_netstrings_read_back_whatever_the_segmentation(byte[] payload, int[] cuts)
    {
        var writer = new ArrayBufferWriter<byte>();
        Netstring.Write(writer, payload);
        var buffer = Segments.Split(writer.WrittenSpan.ToArray(), cuts.Select(c => Math.Abs(c % (writer.WrittenCount + 1))));

        var status = Netstring.TryRead(ref buffer, int.MaxValue, out var read, out _);

        return (status == NetstringStatus.Complete && read.ToArray().AsSpan().SequenceEqual(payload) && buffer.IsEmpty).ToProperty();
    }

    [Property]
    public Property Arbitrary_bytes_never_throw_and_never_complete_past_the_limit(byte[] input)
    {
        var buffer = new ReadOnlySequence<byte>(input);

        var status = Netstring.TryRead(ref buffer, 16, out var payload, out var error);

        return (status switch
        {
            NetstringStatus.Complete => payload.Length <= 16,
            NetstringStatus.Malformed => error is not null,
            _ => buffer.Length == input.Length,
        }).ToProperty();
    }

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.ASCII.GetBytes(text));

    private static string Text(ReadOnlySequence<byte> payload) => Encoding.ASCII.GetString(payload.ToArray());
}
