using TokenBroker.TestUtils;

namespace TokenBroker.Storage.Tests;

public sealed class OverlayStreamTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Reads_writes_seeks_and_truncations_behave_as_on_a_copy_and_never_touch_the_file(int seed)
    {
        var random = new Random(seed);
        var original = new byte[(8192 * 5) + 1234];
        random.NextBytes(original);
        var file = _directory.Combine("data.db");
        File.WriteAllBytes(file, original);
        using var model = new MemoryStream();
        model.Write(original);
        using var overlay = OverlayStream.Open(file);

        for (var step = 0; step < 2000; step++)
        {
            var position = random.NextInt64(0, model.Length + 9000);
            model.Position = overlay.Position = position;
            switch (random.Next(4))
            {
                case 0 or 1:
                    var expected = new byte[random.Next(0, 20000)];
                    var actual = new byte[expected.Length];
                    Assert.Equal(model.Read(expected), overlay.Read(actual));
                    Assert.Equal(expected, actual);
                    break;
                case 2:
                    var data = new byte[random.Next(1, 20000)];
                    random.NextBytes(data);
                    model.Write(data);
                    overlay.Write(data);
                    break;
                default:
                    var length = random.NextInt64(0, original.Length + 20000);
                    model.SetLength(length);
                    overlay.SetLength(length);
                    break;
            }

            Assert.Equal(model.Length, overlay.Length);
            Assert.Equal(model.Position, overlay.Position);
        }

        Assert.Equal(original, File.ReadAllBytes(file));
    }

    [Fact]
    public void A_missing_file_reads_as_empty_and_is_not_created()
    {
        var file = _directory.Combine("missing-log.db");

        using var overlay = OverlayStream.Open(file);
        overlay.Write([1, 2, 3]);

        Assert.Equal(3, overlay.Length);
        Assert.False(File.Exists(file));
    }

    public void Dispose() => _directory.Dispose();
}
