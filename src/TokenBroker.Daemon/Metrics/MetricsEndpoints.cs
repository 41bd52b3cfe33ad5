using System.Net;
using TokenBroker.Daemon.Admin;

namespace TokenBroker.Daemon.Metrics;

/// <summary>
/// <c>GET /metrics</c> (Prometheus text) and <c>GET /health</c>, when <c>Metrics:Enabled</c>: on the
/// admin socket to the peers it allows, and on <c>127.0.0.1:Metrics:Port</c> when set; never on the
/// consent port.
/// </summary>
internal static class MetricsEndpoints
{
    private const string PrometheusText = "text/plain; version=0.0.4; charset=utf-8";

    public static WebApplication MapMetrics(this WebApplication app, MetricsOptions options)
    {
        var group = app.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Connection.LocalIpAddress is { } local)
            {
                // Only the metrics listener, 127.0.0.1:Port: the consent endpoint may use the same port number on ::1.
                return options.Port is { } port && http.Connection.LocalPort == port && local.Equals(IPAddress.Loopback)
                    ? await next(context).ConfigureAwait(false)
                    : Results.NotFound();
            }

            return http.RequestServices.GetRequiredService<AdminAccess>().Refusal(http) is { } refusal
                ? Results.Text($"forbidden: {refusal}\n", statusCode: StatusCodes.Status403Forbidden)
                : await next(context).ConfigureAwait(false);
        });
        group.MapGet("/metrics", async (MetricsCollector collector, AccountReports reports, CancellationToken cancellationToken) =>
            Results.Text(collector.Render(await reports.AllAsync(cancellationToken).ConfigureAwait(false)), PrometheusText));
        group.MapGet("/health", async (AccountReports reports, CancellationToken cancellationToken) =>
        {
            var report = await reports.AllAsync(cancellationToken).ConfigureAwait(false);
            var blocked = options.UnhealthyWhenNeedsConsent
                ? report.Accounts.Where(a => a.State is "needs_consent" or "unreadable").Select(a => $"{a.Name} ({a.State})").ToList()
                : [];
            return blocked.Count == 0
                ? Results.Text($"ok: {report.Accounts.Count} account(s)\n")
                : Results.Text($"unhealthy: {string.Join(", ", blocked)}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }
}
