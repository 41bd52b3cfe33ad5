using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace TokenBroker.Benchmarks;

/// <summary>
/// A token endpoint on 127.0.0.1 that answers every refresh at once with a fixed-size token, so the
/// daemon's own cost per refresh can be measured apart from a real authorization server's.
/// </summary>
internal sealed class InstantProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private InstantProvider(WebApplication app) => _app = app;

    public Uri TokenEndpoint { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<InstantProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var provider = new InstantProvider(app);
        app.MapPost("/token", () =>
        {
            var n = Interlocked.Increment(ref provider._requests);
            return Results.Text($$"""{"access_token":"instant-{{n:D12}}-{{new string('x', 1200)}}","token_type":"Bearer","expires_in":3600}""", "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider.TokenEndpoint = new Uri(address.TrimEnd('/') + "/token");
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
