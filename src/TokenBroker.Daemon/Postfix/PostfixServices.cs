using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TokenBroker.Core;
using TokenBroker.Postfix;

namespace TokenBroker.Daemon.Postfix;

/// <summary>Registers the socketmap lookup service and its listeners (a unix socket, and optionally a port on 127.0.0.1).</summary>
internal static class PostfixServices
{
    private const string SocketSetting = PostfixOptions.Section + ":Socket";

    /// <summary>Registers the service; returns its settings, or null when it is disabled.</summary>
    /// <exception cref="SetupException">A setting is invalid.</exception>
    public static PostfixOptions? AddPostfixLookup(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(PostfixOptions.Section);
        var options = section.Get<PostfixOptions>() ?? new PostfixOptions();
        var limits = options.Limits();
        if (options.SocketGroup is { } group && Posix.ResolveGroup(group) is null)
        {
            throw new SetupException($"{PostfixOptions.Section}:SocketGroup names group '{group}', which does not exist");
        }

        services.AddOptions<PostfixOptions>().Bind(section);
        if (!options.Enabled)
        {
            return null;
        }

        services.AddSingleton(limits);
        services.AddSingleton<ClaimIndex>();
        services.AddSingleton<ISocketmapTable, PostfixMaps>();
        services.AddSingleton<SocketmapConnectionHandler>();
        services.AddSingleton<SocketmapMetrics>();
        return options;
    }

    /// <summary>Adds the listeners to Kestrel.</summary>
    /// <exception cref="SetupException">The socket path is taken or its directory is missing.</exception>
    public static void ListenForPostfix(this KestrelServerOptions kestrel, PostfixOptions options, string socket, string stateDirectory)
    {
        kestrel.ListenUnixSocket(SocketFile.PrepareForBind(socket, stateDirectory, SocketSetting), l => l.UseConnectionHandler<SocketmapConnectionHandler>());
        if (options.Port is { } port)
        {
            kestrel.Listen(IPAddress.Loopback, port, l => l.UseConnectionHandler<SocketmapConnectionHandler>());
        }
    }

    /// <summary>Once listening: gives the socket its mode and group, and says where Postfix finds it. A failure stops the daemon.</summary>
    public static void OpenForPostfix(this WebApplication app, PostfixOptions options, string socket)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TokenBroker.Daemon.Postfix");
        try
        {
            SocketFile.SetAccess(socket, options.Mode(), options.SocketGroup, PostfixOptions.Section + ":SocketGroup");
        }
        catch (SetupException ex)
        {
            PostfixLog.SocketAccessFailed(logger, ex.Message);
            Environment.ExitCode = 78;
            app.Lifetime.StopApplication();
            return;
        }

        var endpoints = options.Port is { } port ? $"unix:{socket} and 127.0.0.1:{port}" : $"unix:{socket}";
        PostfixLog.Listening(logger, endpoints, options.MapName, options.RelayMapName, socket);
    }
}
