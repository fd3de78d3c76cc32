using System.Management.Automation;
using System.Net;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Commands;

/// <summary>Starts a detached pgbt-wal stream: pg_receivewal on a replication slot, completed segments into the repository.</summary>
[Cmdlet(VerbsLifecycle.Start, "PgWalStream")]
[OutputType("PgBackupTools.WalStream")]
public sealed class StartPgWalStreamCommand : ServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter]
    [ValidatePattern("^[a-z0-9_]{1,63}$")]
    public string Slot { get; set; } = WalStreamDefaults.Slot;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SpoolPath { get; set; }

    [Parameter]
    public BackupCompression Compression { get; set; } = BackupCompression.Zstd;

    [Parameter]
    [ValidateRange(1, 19)]
    public int? CompressionLevel { get; set; }

    [Parameter]
    public SwitchParameter Synchronous { get; set; }

    [Parameter]
    public TimeSpan PartialInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Parameter]
    [ValidateRange(1, 3600)]
    public int StartTimeout { get; set; } = 30;

    /// <summary>The pgbt-wal to run, when not this module's copy.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ToolPath { get; set; }

    protected override void ProcessRecordCore()
    {
        var repository = ResolvePath(Repository);
        var keySource = GetKeySource();
        using (var session = BackupRepository.Open(repository))
        {
            // A wrong key would only show in the stream's log, segment after segment.
            session.Unlock(keySource);
        }

        var request = new WalStreamStartRequest
        {
            Repository = repository,
            Slot = Slot,
            Spool = SpoolPath is null ? WalStreamControl.DefaultSpool(repository, Slot) : ResolvePath(SpoolPath),
            ToolPath = ToolPath is null ? WalToolLocation.Find() : ResolvePath(ToolPath),
            Connection = ConnectionTo(ConnectionString is null ? "postgres" : null),
            KeyFile = KeyFile is null ? null : ResolvePath(KeyFile),
            Passphrase = Passphrase is null ? null : new NetworkCredential(string.Empty, Passphrase).Password,
            Compression = WalToolOptions.CompressionFor((CompressionAlgorithm)(int)Compression, CompressionLevel),
            Synchronous = Synchronous.IsPresent,
            PartialInterval = PartialInterval,
            StartTimeout = TimeSpan.FromSeconds(StartTimeout),
        };
        WriteVerbose($"Starting pgbt-wal stream on slot {request.Slot} into '{request.Spool}'");
        WriteObject(RunEngine((context, token) => WalStreamControl.StartAsync(request, context.Reporter, token)));
    }
}

/// <summary>Constants the cmdlets need in attributes and defaults without touching engine types.</summary>
internal static class WalStreamDefaults
{
    public const string Slot = "pgbackuptools";
}
