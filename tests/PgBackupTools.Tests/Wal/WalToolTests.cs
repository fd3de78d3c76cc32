using System.Buffers.Binary;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Wal;
using PgBackupTools.Tests.Crypto;
using PgBackupTools.Tests.Repository;
using Xunit;

namespace PgBackupTools.Tests.Wal;

/// <summary>pgbt-wal's arguments and exit codes, which PostgreSQL acts on: retry, end recovery, or stop it.</summary>
public sealed class WalToolTests : IDisposable
{
    private readonly TestRepository _repository = new();
    private readonly TempDirectory _dataDirectory = new();

    public WalToolTests()
    {
        // PostgreSQL runs archive and restore commands in the data directory; pg_control names the cluster.
        Directory.CreateDirectory(Path.Combine(_dataDirectory.Path, "global"));
        Directory.CreateDirectory(Path.Combine(_dataDirectory.Path, "pg_wal"));
        var control = new byte[8192];
        BinaryPrimitives.WriteUInt64LittleEndian(control, SyntheticWal.SystemId);
        File.WriteAllBytes(Path.Combine(_dataDirectory.Path, "global", "pg_control"), control);
    }

    [Fact]
    public async Task Push_then_get_through_the_command_line_round_trips()
    {
        var name = SyntheticWal.Name(1, 3);
        SyntheticWal.WriteSegment(Path.Combine(_dataDirectory.Path, "pg_wal"), 1, 3);

        var (pushCode, pushError) = await Run("archive-push", "--repository", _repository.Path_, "--key-file", _repository.KeyFilePath, "pg_wal/" + name, name);
        var (getCode, getError) = await Run("archive-get", "--repository", _repository.Path_, "--key-file", _repository.KeyFilePath, name, "pg_wal/RECOVERYXLOG");

        Assert.Equal((0, ""), (pushCode, pushError));
        Assert.Equal((0, ""), (getCode, getError));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(_dataDirectory.Path, "pg_wal", name)),
            File.ReadAllBytes(Path.Combine(_dataDirectory.Path, "pg_wal", "RECOVERYXLOG")));
    }

    [Fact]
    public async Task Get_ends_recovery_with_1_at_the_end_of_the_archive_and_stops_it_with_126_at_a_hole()
    {
        foreach (var segment in new ulong[] { 3, 5 })
        {
            var name = SyntheticWal.Name(1, segment);
            SyntheticWal.WriteSegment(Path.Combine(_dataDirectory.Path, "pg_wal"), 1, segment);
            Assert.Equal(0, (await Run("archive-push", "--repository", _repository.Path_, "--key-file", _repository.KeyFilePath, "pg_wal/" + name, name)).Code);
        }

        var (endCode, endError) = await Run("archive-get", "--repository", _repository.Path_, "--key-file", _repository.KeyFilePath, SyntheticWal.Name(1, 6), "pg_wal/RECOVERYXLOG");
        var (gapCode, gapError) = await Run("archive-get", "--repository", _repository.Path_, "--key-file", _repository.KeyFilePath, SyntheticWal.Name(1, 4), "pg_wal/RECOVERYXLOG");

        Assert.Equal((1, ""), (endCode, endError));
        Assert.Equal(126, gapCode);
        Assert.Contains(SyntheticWal.Name(1, 4), gapError);
    }

    [Fact]
    public async Task A_failed_push_exits_non_zero_so_postgres_retries()
    {
        var (code, error) = await Run("archive-push", "--repository", _repository.Path_, "--key-file", _repository.KeyFilePath, "pg_wal/missing", SyntheticWal.Name(1, 3));
        Assert.Equal(1, code);
        Assert.StartsWith("pgbt-wal: ERROR:", error);
    }

    [Fact]
    public async Task A_wrong_key_fails_push_and_stops_recovery()
    {
        using var other = new TempDirectory();
        var wrongKey = other.File("wrong.key");
        PgBackupTools.Engine.Crypto.KeyFile.Create(wrongKey);
        var name = SyntheticWal.Name(1, 3);
        SyntheticWal.WriteSegment(Path.Combine(_dataDirectory.Path, "pg_wal"), 1, 3);

        var push = await Run("archive-push", "--repository", _repository.Path_, "--key-file", wrongKey, "pg_wal/" + name, name);
        var get = await Run("archive-get", "--repository", _repository.Path_, "--key-file", wrongKey, name, "pg_wal/RECOVERYXLOG");

        Assert.Equal(1, push.Code);
        Assert.Equal(126, get.Code);
        Assert.Contains("does not unlock", get.Error);
    }

    [Fact]
    public async Task An_encrypted_repository_without_a_key_says_how_to_give_one()
    {
        var (code, error) = await Run("archive-get", "--repository", _repository.Path_, SyntheticWal.Name(1, 3), "pg_wal/RECOVERYXLOG");
        Assert.Equal(126, code);
        Assert.Contains(WalToolOptions.PassphraseVariable, error);
    }

    [Theory]
    [InlineData("archive-push", "--repository", "r", "onlyone")]
    [InlineData("archive-get", "a", "b")]
    [InlineData("archive-push", "--repository", "r", "--compression", "lz4", "a", "b")]
    [InlineData("archive-push", "--repository", "r", "--bogus", "a", "b")]
    [InlineData("push", "--repository", "r", "a", "b")]
    public void Bad_command_lines_are_refused_with_the_usage(params string[] args)
    {
        var error = Assert.Throws<PgBackupException>(() => WalToolOptions.Parse(args));
        Assert.Equal("WalToolUsage", error.ErrorId);
        Assert.Contains("usage:", error.Message);
    }

    [Fact]
    public void Push_takes_path_then_name_and_get_takes_name_then_path()
    {
        var push = WalToolOptions.Parse(["archive-push", "--repository", "r", "--system-id", "42", "--compression", "gzip", "--level", "9", "pg_wal/X", "X"]);
        var get = WalToolOptions.Parse(["archive-get", "--repository", "r", "X", "pg_wal/RECOVERYXLOG"]);
        Assert.Equal(("pg_wal/X", "X", 42ul, 9), (push.WalPath, push.WalFileName, push.SystemIdentifier!.Value, push.Compression.Level));
        Assert.Equal(("pg_wal/RECOVERYXLOG", "X"), (get.WalPath, get.WalFileName));
    }

    public void Dispose()
    {
        _repository.Dispose();
        _dataDirectory.Dispose();
    }

    private async Task<(int Code, string Error)> Run(params string[] args)
    {
        using var error = new StringWriter();
        var code = await WalTool.RunAsync(args, error, _dataDirectory.Path, TimeProvider.System, default);
        return (code, error.ToString().Trim());
    }
}
