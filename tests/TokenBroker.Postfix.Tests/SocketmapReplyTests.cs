using System.Buffers;
using System.Text;

namespace TokenBroker.Postfix.Tests;

public sealed class SocketmapReplyTests
{
    [Fact]
    public void Each_status_is_written_as_one_netstring_NOTFOUND_with_its_trailing_space()
    {
        Assert.Equal("9:NOTFOUND ,", Written(SocketmapReply.NotFound));
        Assert.Equal("13:OK user:token,", Written(SocketmapReply.Ok("user:token")));
        Assert.Equal("9:TEMP wait,", Written(SocketmapReply.Temp("wait")));
        Assert.Equal("7:PERM no,", Written(SocketmapReply.Perm("no")));
    }

    [Fact]
    public void Control_characters_in_a_reason_are_replaced_so_Postfix_logs_one_line()
    {
        Assert.Equal("22:TEMP line one line two,", Written(SocketmapReply.Temp("line one\nline two")));
    }

    [Fact]
    public void A_value_too_long_for_Postfix_becomes_PERM()
    {
        var reply = Written(SocketmapReply.Ok(new string('a', SocketmapReply.MaxPayload)));

        Assert.Contains(":PERM the value is 100003 bytes, more than the 100000 a socketmap reply may hold,", reply, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_shows_the_status_and_never_the_value()
    {
        Assert.Equal("Ok", SocketmapReply.Ok("user:secret-token").ToString());
    }

    [Theory]
    [InlineData("sasl user@example.test", "sasl", "user@example.test")]
    [InlineData("sasl [smtp.gmail.com]:587", "sasl", "[smtp.gmail.com]:587")]
    [InlineData("relay a key with spaces", "relay", "a key with spaces")]
    [InlineData("sasl Jürgen@example.test", "sasl", "Jürgen@example.test")]
    public void A_request_splits_at_the_first_space(string payload, string map, string key)
    {
        var request = SocketmapRequest.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload)), out var error);

        Assert.Null(error);
        Assert.Equal(new SocketmapRequest(map, key), request);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'s', (byte)'a', (byte)'s', (byte)'l' }, "request is not \"NAME KEY\"")]
    [InlineData(new byte[] { (byte)' ', (byte)'k' }, "request is not \"NAME KEY\"")]
    [InlineData(new byte[] { (byte)'s', (byte)' ' }, "request has an empty key")]
    [InlineData(new byte[] { 0x01, (byte)' ', (byte)'k' }, "map name is not printable ASCII")]
    [InlineData(new byte[] { (byte)'s', (byte)' ', 0xc3 }, "key is not valid UTF-8")]
    public void A_payload_that_is_not_a_request_is_refused_with_the_reason(byte[] payload, string reason)
    {
        Assert.Null(SocketmapRequest.Parse(new ReadOnlySequence<byte>(payload), out var error));
        Assert.Equal(reason, error);
    }

    private static string Written(SocketmapReply reply)
    {
        var output = new ArrayBufferWriter<byte>();
        reply.WriteTo(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
