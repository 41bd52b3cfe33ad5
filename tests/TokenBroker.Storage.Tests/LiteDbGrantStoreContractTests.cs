using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;
using TokenBroker.TestUtils;

namespace TokenBroker.Storage.Tests;

public sealed class LiteDbGrantStoreContractTests : GrantStoreContract, IDisposable
{
    private readonly LiteDbStoreFixture _fixture = new();

    protected override IGrantStore Store => _fixture.Store;

    protected override Task ReopenAsync()
    {
        _fixture.Reopen();
        return Task.CompletedTask;
    }

    protected override Task<byte[]> ReadSealedAsync(AccountName name, SecretField field) =>
        Task.FromResult(_fixture.ReadSealed(name, field));

    protected override Task WriteSealedAsync(AccountName name, SecretField field, byte[] value)
    {
        _fixture.WriteSealed(name, field, value);
        return Task.CompletedTask;
    }

    public void Dispose() => _fixture.Dispose();
}
