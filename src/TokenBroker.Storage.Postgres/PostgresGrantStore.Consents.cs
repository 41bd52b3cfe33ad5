using System.Security.Cryptography;
using System.Text;
using Npgsql;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.Storage.Postgres;

/// <summary>
/// Pending consents in <c>tokenbroker_consents</c>: the <c>state</c> only as its SHA-256 (a row does
/// not let a reader forge a callback), the PKCE verifier sealed like any secret. A row is taken by
/// one node at most (an update that only a row not yet taken matches).
/// </summary>
public sealed partial class PostgresGrantStore
{
    /// <inheritdoc />
    public Task SaveConsentAsync(SharedConsent consent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consent);
        return RunAsync(async connection =>
        {
            await using var command = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new("DELETE FROM tokenbroker_consents WHERE expires_at < now() - interval '1 day'"),
                    new("""
                        INSERT INTO tokenbroker_consents (state_hash, account, redirect_uri, pkce_verifier, expires_at, started_by)
                        VALUES ($1, $2, $3, $4, $5, $6)
                        """)
                    {
                        Parameters =
                        {
                            new() { Value = Hash(consent.State) },
                            new() { Value = consent.Account.Value },
                            new() { Value = (object?)consent.Resume?.RedirectUri.OriginalString ?? DBNull.Value },
                            new() { Value = consent.Resume is { } resume ? _sealer.Seal(resume.Verifier, consent.Account, SecretField.PkceVerifier) : DBNull.Value },
                            new() { Value = consent.ExpiresAt.ToUniversalTime() },
                            new() { Value = consent.StartedBy },
                        },
                    },
                },
            };
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SharedConsent?> TakeConsentAsync(string state, string node, CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE tokenbroker_consents SET taken_by = $2 WHERE state_hash = $1 AND taken_by IS NULL
            RETURNING account, redirect_uri, pkce_verifier, expires_at, started_by
            """,
            connection)
        {
            Parameters = { new() { Value = Hash(state) }, new() { Value = node } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || !AccountName.TryParse(reader.GetString(0), out var account))
        {
            return null;
        }

        var resume = reader.IsDBNull(2) ? null : new ConsentResume(
            new Uri(reader.GetString(1), UriKind.Absolute),
            _sealer.Unseal(reader.GetFieldValue<byte[]>(2), account, SecretField.PkceVerifier));
        return new SharedConsent(state, account, resume, reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4));
    }, cancellationToken);

    /// <inheritdoc />
    public Task FinishConsentAsync(string state, ConsentResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        return RunAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(
                "UPDATE tokenbroker_consents SET pkce_verifier = NULL, status_code = $2, title = $3, message = $4, taken_by = $5 WHERE state_hash = $1",
                connection)
            {
                Parameters =
                {
                    new() { Value = Hash(state) },
                    new() { Value = result.StatusCode },
                    new() { Value = result.Title },
                    new() { Value = result.Message },
                    new() { Value = result.TakenBy },
                },
            };
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ConsentResult?> ConsentResultAsync(string state, CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        await using var command = new NpgsqlCommand(
            "SELECT status_code, title, message, taken_by FROM tokenbroker_consents WHERE state_hash = $1 AND status_code IS NOT NULL", connection)
        {
            Parameters = { new() { Value = Hash(state) } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new ConsentResult(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))
            : null;
    }, cancellationToken);

    private static byte[] Hash(string state) => SHA256.HashData(Encoding.UTF8.GetBytes(state));
}
