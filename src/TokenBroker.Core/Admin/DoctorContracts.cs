namespace TokenBroker.Core.Admin;

/// <summary>One thing <c>tokenbroker doctor</c> checked.</summary>
/// <param name="Check">What was checked, e.g. <c>store file</c> or <c>account work</c>.</param>
/// <param name="Status"><c>ok</c>, <c>warn</c> or <c>fail</c>.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Fix">What to do about it, when something is to be done.</param>
public sealed record Finding(string Check, string Status, string Detail, string? Fix = null)
{
    /// <summary>Nothing to do.</summary>
    public const string Ok = "ok";

    /// <summary>Worth a look; the broker works.</summary>
    public const string Warn = "warn";

    /// <summary>Something does not work until it is fixed.</summary>
    public const string Fail = "fail";
}

/// <summary>Everything <c>tokenbroker doctor</c> found.</summary>
/// <param name="Findings">The findings, in the order checked.</param>
public sealed record DoctorReport(IReadOnlyList<Finding> Findings);

/// <summary>What <c>tokenbroker reload</c> did.</summary>
/// <param name="Applied">False when the new configuration was refused and the running one kept.</param>
/// <param name="Message">One line for a person.</param>
/// <param name="AtNextStart">Changed settings that only a restart applies (sockets, ports, paths, access).</param>
public sealed record ReloadOutcome(bool Applied, string Message, IReadOnlyList<string> AtNextStart);

/// <summary>A finished rekey.</summary>
/// <param name="KeyFile">The key file that now holds the new key.</param>
/// <param name="OldKeyId">The id of the key that is gone.</param>
/// <param name="NewKeyId">The id of the new key.</param>
/// <param name="Accounts">How many accounts were sealed again.</param>
public sealed record KeyChange(string KeyFile, string OldKeyId, string NewKeyId, int Accounts);
