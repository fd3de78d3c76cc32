using System.Globalization;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Physical;

public enum RecoveryTargetKind
{
    /// <summary>Replay all archived WAL.</summary>
    Latest,

    /// <summary>Stop as soon as the base backup is consistent (trial restores).</summary>
    Immediate,

    Time,
    Lsn,
    Name,
}

/// <summary>Where point-in-time recovery stops, and the recovery_target_* settings that say so.</summary>
public sealed record RecoveryTarget(RecoveryTargetKind Kind, DateTimeOffset? Time = null, Lsn? Lsn = null, string? Name = null)
{
    public static RecoveryTarget Latest { get; } = new(RecoveryTargetKind.Latest);

    public static RecoveryTarget Immediate { get; } = new(RecoveryTargetKind.Immediate);

    public static RecoveryTarget AtTime(DateTimeOffset time) => new(RecoveryTargetKind.Time, Time: time);

    public static RecoveryTarget AtLsn(string lsn) => Wal.Lsn.TryParse(lsn, out var parsed)
        ? new(RecoveryTargetKind.Lsn, Lsn: parsed)
        : throw new PgBackupException("TargetLsnInvalid", ErrorKind.InvalidArgument, $"'{lsn}' is not a WAL location; write it as PostgreSQL does, e.g. 0/5000028 (pg_current_wal_lsn()).");

    public static RecoveryTarget AtName(string name) => new(RecoveryTargetKind.Name, Name: name);

    public string Description => Kind switch
    {
        RecoveryTargetKind.Latest => "the end of the archived WAL",
        RecoveryTargetKind.Immediate => "the end of the base backup (consistency)",
        RecoveryTargetKind.Time => "time " + Time!.Value.ToString("yyyy-MM-dd HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture),
        RecoveryTargetKind.Lsn => "WAL location " + Lsn,
        _ => $"restore point '{Name}'",
    };

    /// <summary>The postgresql.conf lines; every target stops just before it (inclusive = off would differ per kind, so the default, inclusive, is kept).</summary>
    public IEnumerable<(string Name, string Value)> Settings()
    {
        switch (Kind)
        {
            case RecoveryTargetKind.Immediate:
                yield return ("recovery_target", "immediate");
                break;
            case RecoveryTargetKind.Time:
                yield return ("recovery_target_time", Time!.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture));
                break;
            case RecoveryTargetKind.Lsn:
                yield return ("recovery_target_lsn", Lsn!.Value.ToString());
                break;
            case RecoveryTargetKind.Name:
                yield return ("recovery_target_name", Name!);
                break;
        }

        yield return ("recovery_target_timeline", "latest");
        if (Kind != RecoveryTargetKind.Latest)
        {
            yield return ("recovery_target_action", "promote");
        }
    }
}
