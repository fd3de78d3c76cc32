using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Wal;
using Xunit;

namespace PgBackupTools.Tests.Physical;

public sealed class BackupLabelTests
{
    internal const string Pg15Label = """
        START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
        CHECKPOINT LOCATION: 0/2000060
        BACKUP METHOD: streamed
        BACKUP FROM: primary
        START TIME: 2026-12-03 13:40:01 UTC
        LABEL: pg_basebackup base backup
        START TIMELINE: 1

        """;

    [Fact]
    public void Parses_a_pg_basebackup_label()
    {
        var label = BackupLabel.Parse(Pg15Label);

        Assert.Equal(Lsn.Parse("0/2000028"), label.StartLsn);
        Assert.Equal("000000010000000000000002", label.StartWalFile);
        Assert.Equal(Lsn.Parse("0/2000060"), label.CheckpointLsn);
        Assert.Equal("streamed", label.Method);
        Assert.Equal("primary", label.From);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 13, 40, 1, TimeSpan.Zero), label.StartTime);
        Assert.Equal("2026-12-03 13:40:01 UTC", label.StartTimeText);
        Assert.Equal("pg_basebackup base backup", label.Label);
        Assert.Equal(1u, label.StartTimeline);
    }

    [Fact]
    public void Crlf_and_unknown_lines_are_tolerated()
    {
        var text = Pg15Label.Replace("\n", "\r\n", StringComparison.Ordinal) + "INCREMENTAL FROM LSN: 0/1000000\r\n";

        var label = BackupLabel.Parse(text);

        Assert.Equal(Lsn.Parse("0/2000060"), label.CheckpointLsn);
        Assert.Equal("pg_basebackup base backup", label.Label);
    }

    [Theory]
    [InlineData("2026-12-03 13:40:01 GMT", 0, 0)]
    [InlineData("2026-12-03 13:40:01 +01", 1, 0)]
    [InlineData("2026-12-03 13:40:01 -03", -3, 0)]
    [InlineData("2026-12-03 13:40:01 +0530", 5, 30)]
    [InlineData("2026-12-03 13:40:01 +05:30", 5, 30)]
    public void Resolvable_zones_give_a_start_time(string startTime, int hours, int minutes)
    {
        var label = BackupLabel.Parse(Pg15Label.Replace("2026-12-03 13:40:01 UTC", startTime, StringComparison.Ordinal));

        var offset = new TimeSpan(hours, hours < 0 ? -minutes : minutes, 0);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 13, 40, 1, offset), label.StartTime);
        Assert.Equal(offset, label.StartTime!.Value.Offset);
    }

    [Theory]
    [InlineData("2026-12-03 13:40:01 CET")]
    [InlineData("2026-12-03 13:40:01 +99")]
    [InlineData("yesterday")]
    public void Unresolvable_zones_keep_only_the_text(string startTime)
    {
        var label = BackupLabel.Parse(Pg15Label.Replace("2026-12-03 13:40:01 UTC", startTime, StringComparison.Ordinal));

        Assert.Null(label.StartTime);
        Assert.Equal(startTime, label.StartTimeText);
    }

    [Theory]
    [InlineData("START WAL LOCATION")]
    [InlineData("CHECKPOINT LOCATION")]
    [InlineData("START TIMELINE")]
    public void Missing_required_line_is_invalid_data(string key)
    {
        var text = string.Join('\n', Pg15Label.Split('\n').Where(l => !l.StartsWith(key + ":", StringComparison.Ordinal)));

        var ex = Assert.Throws<PgBackupException>(() => BackupLabel.Parse(text));

        Assert.Equal("BackupLabelInvalid", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, ex.Kind);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("START WAL LOCATION: nowhere", "START WAL LOCATION")]
    [InlineData("CHECKPOINT LOCATION: 0/", "CHECKPOINT LOCATION")]
    [InlineData("START TIMELINE: one", "START TIMELINE")]
    [InlineData("START TIMELINE: 0", "START TIMELINE")]
    public void Malformed_values_are_invalid_data(string line, string key)
    {
        var text = string.Join('\n', Pg15Label.Split('\n').Select(l => l.StartsWith(key + ":", StringComparison.Ordinal) ? line : l));

        var ex = Assert.Throws<PgBackupException>(() => BackupLabel.Parse(text));

        Assert.Equal(ErrorKind.InvalidData, ex.Kind);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }
}
