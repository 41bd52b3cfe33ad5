using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.Tests.Secrets;

public sealed class SecretSealerTests : IDisposable
{
    private static readonly AccountName Work = AccountName.Parse("work");
    private static readonly AccountName Home = AccountName.Parse("home");

    private readonly MasterKey _key = MasterKey.Generate("test");
    private readonly SecretSealer _sealer;

    public SecretSealerTests() => _sealer = new SecretSealer(_key);

    [Fact]
    public void A_sealed_secret_unseals_to_the_same_value()
    {
        var secret = Secret.FromText("refresh-token-üñí-✓");

        var sealedValue = _sealer.Seal(secret, Work, SecretField.RefreshToken);

        Assert.Equal(secret, _sealer.Unseal(sealedValue, Work, SecretField.RefreshToken));
    }

    [Fact]
    public void Sealing_twice_gives_different_ciphertexts()
    {
        var secret = Secret.FromText("same");

        Assert.NotEqual(
            _sealer.Seal(secret, Work, SecretField.RefreshToken),
            _sealer.Seal(secret, Work, SecretField.RefreshToken));
    }

    [Fact]
    public void A_ciphertext_does_not_open_for_another_account()
    {
        var sealedValue = _sealer.Seal(Secret.FromText("t"), Work, SecretField.RefreshToken);

        var error = Assert.Throws<SecretUnsealException>(() => _sealer.Unseal(sealedValue, Home, SecretField.RefreshToken));
        Assert.Contains("refresh_token of account home", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ciphertext_does_not_open_as_another_field()
    {
        var sealedValue = _sealer.Seal(Secret.FromText("t"), Work, SecretField.RefreshToken);

        Assert.Throws<SecretUnsealException>(() => _sealer.Unseal(sealedValue, Work, SecretField.AccessToken));
    }

    [Fact]
    public void A_ciphertext_does_not_open_under_another_key()
    {
        var sealedValue = _sealer.Seal(Secret.FromText("t"), Work, SecretField.RefreshToken);
        using var otherKey = MasterKey.Generate("other");

        Assert.Throws<SecretUnsealException>(() => new SecretSealer(otherKey).Unseal(sealedValue, Work, SecretField.RefreshToken));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(28)]
    public void Short_or_unversioned_input_is_refused(int length)
    {
        Assert.Throws<SecretUnsealException>(() => _sealer.Unseal(new byte[length], Work, SecretField.RefreshToken));
    }

    [Property(MaxTest = 200)]
    public Property Any_flipped_bit_is_detected()
    {
        var sealedValue = _sealer.Seal(Secret.FromText("refresh-token"), Work, SecretField.RefreshToken);
        var bits = Gen.Choose(0, (sealedValue.Length * 8) - 1).ToArbitrary();
        return Prop.ForAll(bits, bit =>
        {
            var damaged = (byte[])sealedValue.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            try
            {
                _sealer.Unseal(damaged, Work, SecretField.RefreshToken);
                return false;
            }
            catch (SecretUnsealException)
            {
                return true;
            }
        });
    }

    public void Dispose() => _key.Dispose();
}
