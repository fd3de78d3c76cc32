namespace PgBackupTools.Engine.Notify;

/// <summary>A channel could not deliver an alert. The message is already redacted and safe to show and log.</summary>
public sealed class NotificationDeliveryException(string message) : Exception(message);
