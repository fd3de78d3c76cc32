using System.Globalization;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Physical;

/// <summary>The backup_label file PostgreSQL writes at the start of a base backup ("KEY: value" lines).</summary>
public sealed record BackupLabel
{
    public required Lsn StartLsn { get; init; }

    /// <summary>The WAL segment holding <see cref="StartLsn"/>, e.g. 000000010000000000000002.</summary>
    public string? StartWalFile { get; init; }

    public required Lsn CheckpointLsn { get; init; }

    /// <summary>"streamed" for pg_basebackup, "pg_start_backup" for the low-level API.</summary>
    public string? Method { get; init; }

    /// <summary>"primary" or "standby".</summary>
    public string? From { get; init; }

    /// <summary>Null when the server's time zone abbreviation is not one this parser can resolve; see <see cref="StartTimeText"/>.</summary>
    public DateTimeOffset? StartTime { get; init; }

    public string? StartTimeText { get; init; }

    public string? Label { get; init; }

    public required uint StartTimeline { get; init; }

    public static BackupLabel Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
            {
                values.TryAdd(line[..colon], line[(colon + 2)..]);
            }
        }

        var (startLsn, startWalFile) = ParseStartWal(Require(values, "START WAL LOCATION"));
        var checkpoint = Require(values, "CHECKPOINT LOCATION");
        var timeline = Require(values, "START TIMELINE");
        values.TryGetValue("START TIME", out var startTimeText);
        return new BackupLabel
        {
            StartLsn = startLsn,
            StartWalFile = startWalFile,
            CheckpointLsn = Lsn.TryParse(checkpoint, out var checkpointLsn) ? checkpointLsn : throw Invalid($"CHECKPOINT LOCATION '{checkpoint}' is not a WAL location"),
            Method = values.GetValueOrDefault("BACKUP METHOD"),
            From = values.GetValueOrDefault("BACKUP FROM"),
            StartTimeText = startTimeText,
            StartTime = startTimeText is null ? null : PostgresTimestamp.TryParse(startTimeText),
            Label = values.GetValueOrDefault("LABEL"),
            StartTimeline = uint.TryParse(timeline, NumberStyles.None, CultureInfo.InvariantCulture, out var tli) && tli > 0
                ? tli
                : throw Invalid($"START TIMELINE '{timeline}' is not a timeline number"),
        };
    }

    /// <summary>"0/2000028 (file 000000010000000000000002)".</summary>
    private static (Lsn Lsn, string? File) ParseStartWal(string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var lsnText = space < 0 ? value : value[..space];
        if (!Lsn.TryParse(lsnText, out var lsn))
        {
            throw Invalid($"START WAL LOCATION '{value}' does not start with a WAL location");
        }

        string? file = null;
        const string filePrefix = "(file ";
        var rest = space < 0 ? string.Empty : value[(space + 1)..];
        if (rest.StartsWith(filePrefix, StringComparison.Ordinal) && rest.EndsWith(')'))
        {
            file = rest[filePrefix.Length..^1];
        }

        return (lsn, file);
    }

    private static string Require(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value)
            ? value
            : throw Invalid($"the line '{key}: ...' is missing");

    private static PgBackupException Invalid(string problem) => new(
        "BackupLabelInvalid",
        ErrorKind.InvalidData,
        $"The base backup's backup_label is not valid: {problem}. The backup is damaged or was not written by pg_basebackup.")
    {
        Target = "backup_label",
    };
}
