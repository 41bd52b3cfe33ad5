using TokenBroker.TestAuthServer;

// A test authorization server to try the broker by hand:
//   dotnet run --project tests/TokenBroker.TestAuthServer -- [--port N] [--https] [--approve-by-hand]
var port = args.SkipWhile(a => a != "--port").Skip(1).Select(int.Parse).FirstOrDefault();
await using var server = await AuthServer.StartAsync(new AuthServerOptions
{
    Port = port,
    Https = args.Contains("--https"),
    AutoApprove = !args.Contains("--approve-by-hand"),
});
Console.WriteLine($"Test authorization server at {server.BaseUri} (issuer; discovery at {server.BaseUri}.well-known/openid-configuration)");
Console.WriteLine($"Clients: {AuthServer.PublicClient} (public), {AuthServer.ConfidentialClient} (secret {AuthServer.ConfidentialSecret}); user {AuthServer.User}");
Console.WriteLine("Ctrl-C stops it.");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
await stop.Task;
