using System.Globalization;

namespace PgBackupTools.Engine.Retention;

/// <summary>The reason texts of <see cref="RetentionDecision.Reasons"/>; scripts may match on them.</summary>
public static class RetentionReasons
{
    public const string NewestComplete = "newest complete";
    public const string InProgress = "in progress";
    public const string BeingRead = "being read by a restore or verification";
    public const string FutureDated = "future-dated";
    public const string NewestVerified = "newest verified";
    public const string NewerThanNewestVerified = "newer than newest verified";
    public const string IncompleteExpired = "incomplete, older than grace period";
    public const string IncompleteInGrace = "incomplete, within grace period";
    public const string NotSelected = "not kept by policy";

    public static string Last(int count) => string.Create(CultureInfo.InvariantCulture, $"last {count}");

    public static string Within(TimeSpan span) => "within " + span.ToString("c", CultureInfo.InvariantCulture);

    public static string Bucket(string label, string key) => label + " " + key;
}
