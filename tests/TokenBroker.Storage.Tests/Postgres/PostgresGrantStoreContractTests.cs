using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;
using TokenBroker.Storage.Postgres;
using TokenBroker.TestUtils;

namespace TokenBroker.Storage.Tests.Postgres;

/// <summary>The store contract, unchanged, against the PostgreSQL store on a database of its own per test.</summary>
public sealed class PostgresGrantStoreContractTests(PostgresFixture fixture) : GrantStoreContract, IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private readonly MasterKey _key = MasterKey.Generate("test key");
    private string _database = string.Empty;
    private PostgresGrantStore? _store;

    protected override IGrantStore Store => _store!;

    public async Task InitializeAsync()
    {
        _database = await fixture.Server.CreateDatabaseAsync();
        _store = await PostgresGrantStore.OpenAsync(_database, _key, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store!.DisposeAsync();
        _key.Dispose();
    }

    protected override async Task ReopenAsync()
    {
        await _store!.DisposeAsync();
        _store = await PostgresGrantStore.OpenAsync(_database, _key, CancellationToken.None);
    }

    protected override Task<byte[]> ReadSealedAsync(AccountName name, SecretField field) =>
        PostgresSql.ScalarAsync<byte[]>(_database, $"SELECT {SecretSealer.FieldName(field)} FROM tokenbroker_accounts WHERE name = $1", name.Value);

    protected override Task WriteSealedAsync(AccountName name, SecretField field, byte[] value) =>
        PostgresSql.ExecuteAsync(_database, $"UPDATE tokenbroker_accounts SET {SecretSealer.FieldName(field)} = $2 WHERE name = $1", name.Value, value);
}
