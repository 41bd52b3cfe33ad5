namespace TokenBroker.Core.Accounts;

/// <summary>An account's settings that cannot work; the message names the setting and what to give instead.</summary>
public sealed class InvalidAccountException(string message) : Exception(message);
