using LiteDB;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Storage.Tests;

/// <summary>A LiteDB store in a temporary state directory, with raw access to its file.</summary>
public sealed class LiteDbStoreFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public LiteDbStoreFixture()
    {
        Layout = new StateLayout(_directory.Combine("state"));
        Key = MasterKey.Generate("test key");
        Store = LiteDbGrantStore.Open(Layout, Key);
    }

    public StateLayout Layout { get; }

    public MasterKey Key { get; }

    public LiteDbGrantStore Store { get; private set; }

    public TempDirectory Directory => _directory;

    public void Reopen()
    {
        Store.Dispose();
        Store = LiteDbGrantStore.Open(Layout, Key);
    }

    /// <summary>Runs <paramref name="edit"/> on the raw database file while the store is closed.</summary>
    public T WithRawDatabase<T>(Func<ILiteCollection<BsonDocument>, T> edit)
    {
        Store.Dispose();
        try
        {
            using var database = new LiteDatabase(new ConnectionString { Filename = Layout.StoreFile, Upgrade = false });
            return edit(database.GetCollection("accounts"));
        }
        finally
        {
            Store = LiteDbGrantStore.Open(Layout, Key);
        }
    }

    public byte[] ReadSealed(AccountName name, SecretField field) =>
        WithRawDatabase(accounts => FieldHolder(accounts.FindById(name.Value), field)[SecretSealer.FieldName(field)].AsBinary);

    public void WriteSealed(AccountName name, SecretField field, byte[] value) =>
        WithRawDatabase(accounts =>
        {
            var document = accounts.FindById(name.Value);
            FieldHolder(document, field)[SecretSealer.FieldName(field)] = value;
            return accounts.Update(document);
        });

    public void Dispose()
    {
        Store.Dispose();
        Key.Dispose();
        _directory.Dispose();
    }

    private static BsonDocument FieldHolder(BsonDocument account, SecretField field) =>
        field == SecretField.ClientSecret ? account : account["grant"].AsDocument;
}
