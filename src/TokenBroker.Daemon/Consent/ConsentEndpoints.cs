using System.Text.Encodings.Web;

namespace TokenBroker.Daemon.Consent;

/// <summary>The loopback HTTP surface: a Host-header check (DNS-rebinding defence) and the OAuth2 callback.</summary>
internal static class ConsentEndpoints
{
    public static WebApplication MapConsent(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var host = context.Request.Host.Host;
            if (!LoopbackEndpoint.IsLoopbackHost(host))
            {
                ConsentLog.ForeignHost(context.RequestServices.GetRequiredService<ILogger<ConsentCoordinator>>(), host);
                await WritePageAsync(context, new CallbackOutcome(StatusCodes.Status400BadRequest, "Host not allowed", "This endpoint answers only on 127.0.0.1, [::1] and localhost.")).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.MapGet(LoopbackEndpoint.CallbackPath, async (HttpContext context, ConsentCoordinator coordinator) =>
        {
            var request = context.Request;
            var callback = new Uri($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}");
            var outcome = await coordinator.CompleteAsync(callback, context.RequestAborted).ConfigureAwait(false);
            await WritePageAsync(context, outcome).ConfigureAwait(false);
        });
        return app;
    }

    private static Task WritePageAsync(HttpContext context, CallbackOutcome outcome)
    {
        var html = HtmlEncoder.Default;
        context.Response.StatusCode = outcome.StatusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return context.Response.WriteAsync(
            $"<!doctype html><html><head><meta charset=\"utf-8\"><title>TokenBroker: {html.Encode(outcome.Title)}</title></head>"
            + $"<body><h1>{html.Encode(outcome.Title)}</h1><p id=\"message\">{html.Encode(outcome.Message)}</p></body></html>",
            context.RequestAborted);
    }
}
