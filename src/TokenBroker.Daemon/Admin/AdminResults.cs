using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;

namespace TokenBroker.Daemon.Admin;

/// <summary>The admin API's error answers: a status code and an <see cref="AdminError"/>.</summary>
internal static class AdminResults
{
    public static IResult Error(int status, AdminError error) => Results.Json(error, AdminJson.Default.AdminError, statusCode: status);

    public static IResult BadName(string name) =>
        Error(StatusCodes.Status400BadRequest, new AdminError("bad_request", $"'{name}' is not a valid account name"));

    public static IResult Unknown(AccountName name) =>
        Error(StatusCodes.Status404NotFound, new AdminError("unknown_account", $"no account named {name}; add it with: tokenbroker account add {name} ..."));
}
