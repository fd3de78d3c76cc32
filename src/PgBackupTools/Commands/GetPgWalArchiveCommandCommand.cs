using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Commands;

/// <summary>Returns the archive_command and restore_command that archive a server's WAL into a repository.</summary>
[Cmdlet(VerbsCommon.Get, "PgWalArchiveCommand")]
[OutputType("PgBackupTools.WalArchiveCommand")]
public sealed class GetPgWalArchiveCommandCommand : RepositoryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter]
    public BackupCompression Compression { get; set; } = BackupCompression.Zstd;

    [Parameter]
    [ValidateRange(1, 19)]
    public int? CompressionLevel { get; set; }

    /// <summary>Where pgbt-wal is on the database server, when that is not where this module is installed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ToolPath { get; set; }

    protected override void ProcessRecordCore()
    {
        var repository = ResolvePath(Repository);
        var keySource = GetKeySource();
        using (var session = BackupRepository.Open(repository))
        {
            // The key must really unlock the repository: a command that fails on every segment fills pg_wal silently.
            session.Unlock(keySource);
        }

        var tool = ToolPath is null ? WalToolLocation.Find() : ResolvePath(ToolPath);
        if (ToolPath is not null && !File.Exists(tool))
        {
            WriteWarning($"'{tool}' does not exist here; make sure it does on the database server.");
        }

        var command = WalArchiveCommandBuilder.Build(
            tool,
            repository,
            KeyFile is null ? null : ResolvePath(KeyFile),
            Passphrase is not null,
            WalToolOptions.CompressionFor((CompressionAlgorithm)(int)Compression, CompressionLevel),
            OperatingSystem.IsWindows());
        if (command.RequiredEnvironment is not null)
        {
            WriteWarning("The commands need the passphrase in the server's environment: " + command.RequiredEnvironment);
        }

        WriteObject(command);
    }
}
