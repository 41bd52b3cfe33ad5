using System.Data.Common;
using System.Globalization;
using Npgsql;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Storage;

namespace TokenBroker.Storage.Postgres;

/// <summary>
/// The change feed: one connection listening for the notifications every commit sends, and reading
/// the change counter whenever it has heard nothing for the check interval, so a lost notification
/// is noticed within that interval. After the connection was lost, every account counts as changed.
/// </summary>
public sealed partial class PostgresGrantStore
{
    private const string ChangeChannel = "tokenbroker_changes";
    private static readonly TimeSpan MostBetweenReconnects = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _feedStop = new();
    private Task? _feed;
    private long _lastChange;

    /// <inheritdoc />
    public event EventHandler<StoreChange>? ChangedElsewhere;

    /// <summary>Raised with null once the feed listens (at start and after each loss), and with the problem when it loses its connection.</summary>
    public event EventHandler<string?>? FeedStateChanged;

    /// <summary>True while the change feed listens.</summary>
    public bool FeedListening { get; private set; }

    /// <summary>Why the change feed last lost its connection, or null when it has not (since it last listened).</summary>
    public string? FeedProblem { get; private set; }

    /// <summary>Starts the change feed; it runs until the store is disposed.</summary>
    /// <param name="checkInterval">The longest the feed goes without reading the change counter.</param>
    public void StartFeed(TimeSpan checkInterval)
    {
        if (_feed is null)
        {
            _feed = Task.Run(() => FeedAsync(checkInterval, _feedStop.Token));
        }
    }

    private async Task StopFeedAsync()
    {
        await _feedStop.CancelAsync().ConfigureAwait(false);
        if (_feed is not null)
        {
            await _feed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _feedStop.Dispose();
    }

    private async Task FeedAsync(TimeSpan checkInterval, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromMilliseconds(250);
        var lost = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                connection.Notification += (_, notification) => Notified(notification.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChangeChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                SawChange(await CurrentChangeAsync(connection, cancellationToken).ConfigureAwait(false));
                (FeedListening, FeedProblem) = (true, null);
                FeedStateChanged?.Invoke(this, null);
                if (lost)
                {
                    // Listening again: whatever was committed meanwhile was not heard.
                    lost = false;
                    ChangedElsewhere?.Invoke(this, new StoreChange(null, AccountsChanged: true));
                }

                wait = TimeSpan.FromMilliseconds(250);
                while (true)
                {
                    if (!await connection.WaitAsync(checkInterval, cancellationToken).ConfigureAwait(false)
                        && SawChange(await CurrentChangeAsync(connection, cancellationToken).ConfigureAwait(false)))
                    {
                        ChangedElsewhere?.Invoke(this, new StoreChange(null, AccountsChanged: true));
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is DbException or TimeoutException or IOException)
            {
                (FeedListening, FeedProblem) = (false, ex.Message);
                if (!lost)
                {
                    // Nothing is heard until the feed is back: lookups read the store again, and keep a
                    // still-valid token they served if the store cannot be read.
                    lost = true;
                    FeedStateChanged?.Invoke(this, ex.Message);
                    ChangedElsewhere?.Invoke(this, new StoreChange(null, AccountsChanged: false));
                }
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            wait = wait * 2 < MostBetweenReconnects ? wait * 2 : MostBetweenReconnects;
        }
    }

    /// <summary>Handles "instance change kind name" from a commit; this store's own commits only move the counter.</summary>
    private void Notified(string payload)
    {
        var parts = payload.Split(' ', 4);
        if (parts.Length != 4 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var change))
        {
            return;
        }

        SawChange(change);
        if (parts[0] == _instance)
        {
            return;
        }

        var account = AccountName.TryParse(parts[3], out var name) ? name : (AccountName?)null;
        ChangedElsewhere?.Invoke(this, new StoreChange(account, AccountsChanged: parts[2] != "grant"));
    }

    /// <summary>Records the highest change number seen; true when <paramref name="change"/> is higher than any before.</summary>
    private bool SawChange(long change)
    {
        var seen = Interlocked.Read(ref _lastChange);
        while (change > seen)
        {
            var was = Interlocked.CompareExchange(ref _lastChange, change, seen);
            if (was == seen)
            {
                return true;
            }

            seen = was;
        }

        return false;
    }

    private static async Task<long> CurrentChangeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Short: on a connection that died without a word, this is what notices it.
        await using var command = new NpgsqlCommand("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM tokenbroker_change", connection)
        {
            CommandTimeout = 5,
        };
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
