using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TokenBroker.Cli;

/// <summary>How the CLI shows things to a person: aligned tables, relative times, colour on a terminal only.</summary>
internal static class Display
{
    private const string Reset = "\e[0m";

    /// <summary>True when stdout is a terminal that wants colour (no <c>NO_COLOR</c>, not <c>TERM=dumb</c>).</summary>
    public static bool Colour { get; } =
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    /// <summary>A time relative to <paramref name="now"/>: <c>in 52m</c>, <c>3h 4m ago</c>, or <c>-</c>.</summary>
    public static string Relative(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } time)
        {
            return "-";
        }

        var span = time - now;
        var text = Span(span.Duration());
        return span >= TimeSpan.Zero ? $"in {text}" : $"{text} ago";
    }

    /// <summary>An account state, coloured on a terminal: green active, yellow failing, red otherwise.</summary>
    public static string State(string state) => !Colour ? state : state switch
    {
        "active" => $"\e[32m{state}{Reset}",
        "failing" => $"\e[33m{state}{Reset}",
        _ => $"\e[31m{state}{Reset}",
    };

    /// <summary>Text from elsewhere (a provider's error description) made safe for a terminal: control characters become <c>?</c>.</summary>
    public static string Plain(string? text) => text is null ? "-" : string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));

    /// <summary>Writes rows under headers, each column as wide as its widest cell (escape codes not counted).</summary>
    public static async Task TableAsync(TextWriter output, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = headers.Select((_, i) => all.Max(row => Visible(row[i]))).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(row[i]);
                if (i < row.Length - 1)
                {
                    line.Append(' ', widths[i] - Visible(row[i]) + 2);
                }
            }

            await output.WriteLineAsync(line.ToString()).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="value"/> as one line of JSON, the daemon's own shape.</summary>
    public static Task JsonAsync<T>(TextWriter output, T value, JsonTypeInfo<T> type) => output.WriteLineAsync(JsonSerializer.Serialize(value, type));

    private static string Span(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => $"{(int)span.TotalDays}d {span.Hours}h",
        { TotalHours: >= 1 } => $"{span.Hours}h {span.Minutes}m",
        { TotalMinutes: >= 1 } => $"{span.Minutes}m",
        _ => $"{span.Seconds.ToString(CultureInfo.InvariantCulture)}s",
    };

    private static int Visible(string cell)
    {
        var length = 0;
        for (var i = 0; i < cell.Length; i++)
        {
            if (cell[i] == '\e' && cell.IndexOf('m', i) is var end and >= 0)
            {
                i = end;
                continue;
            }

            length++;
        }

        return length;
    }
}
