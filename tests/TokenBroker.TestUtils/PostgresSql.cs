using Npgsql;

namespace TokenBroker.TestUtils;

/// <summary>One statement on a connection of its own, for tests that read or change a database behind a store's back.</summary>
public static class PostgresSql
{
    /// <summary>Runs <paramref name="sql"/> with positional parameters <c>$1</c>, <c>$2</c>… and returns the first column of the first row.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs <paramref name="sql"/> with positional parameters and returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }
}
