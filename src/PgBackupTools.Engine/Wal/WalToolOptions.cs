using System.Globalization;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Wal;

/// <summary>The command line of pgbt-wal, the small native program PostgreSQL runs as archive_command and restore_command.</summary>
public sealed record WalToolOptions
{
    public const string PassphraseVariable = "PGBACKUPTOOLS_PASSPHRASE";

    public required string Verb { get; init; }
    public required string Repository { get; init; }
    public string? KeyFile { get; init; }
    public ulong? SystemIdentifier { get; init; }
    public CompressionSettings Compression { get; init; } = CompressionSettings.Default;

    /// <summary>archive-push: %p then %f. archive-get: %f then %p.</summary>
    public required string WalPath { get; init; }

    public required string WalFileName { get; init; }

    public static string Usage =>
        """
        usage: pgbt-wal archive-push --repository <dir> [--key-file <file>] [--system-id <id>] [--compression zstd|gzip|none] [--level <n>] <%p> <%f>
               pgbt-wal archive-get  --repository <dir> [--key-file <file>] [--system-id <id>] <%f> <%p>
        An encrypted repository is unlocked with --key-file, or with a passphrase in the environment variable PGBACKUPTOOLS_PASSPHRASE.
        Without --system-id the cluster is read from global/pg_control in the current directory (PostgreSQL runs both commands in the data directory).
        Get the exact commands for a repository with Get-PgWalArchiveCommand.
        """;

    public static WalToolOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is not ("archive-push" or "archive-get"))
        {
            throw Bad("the first argument must be archive-push or archive-get");
        }

        string? repository = null;
        string? keyFile = null;
        ulong? systemId = null;
        var algorithm = CompressionAlgorithm.Zstd;
        int? level = null;
        var positional = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw Bad($"{arg} needs a value");
            switch (arg)
            {
                case "--repository":
                    repository = Value();
                    break;
                case "--key-file":
                    keyFile = Value();
                    break;
                case "--system-id":
                    systemId = ulong.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw Bad("--system-id must be the decimal database system identifier");
                    break;
                case "--compression":
                    algorithm = Value() switch
                    {
                        "zstd" => CompressionAlgorithm.Zstd,
                        "gzip" => CompressionAlgorithm.Gzip,
                        "none" => CompressionAlgorithm.None,
                        var other => throw Bad($"--compression '{other}' is not zstd, gzip or none"),
                    };
                    break;
                case "--level":
                    level = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw Bad("--level must be a number");
                    break;
                case "--":
                    positional.AddRange(args.Skip(i + 1));
                    i = args.Count;
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal))
                    {
                        throw Bad($"unknown option {arg}");
                    }

                    positional.Add(arg);
                    break;
            }
        }

        if (repository is null)
        {
            throw Bad("--repository is required");
        }

        if (positional.Count != 2)
        {
            throw Bad(args[0] == "archive-push" ? "archive-push takes two arguments: %p %f" : "archive-get takes two arguments: %f %p");
        }

        var push = args[0] == "archive-push";
        return new WalToolOptions
        {
            Verb = args[0],
            Repository = repository,
            KeyFile = keyFile,
            SystemIdentifier = systemId,
            Compression = CompressionSettings.Create(algorithm, algorithm == CompressionAlgorithm.None ? null : level),
            WalPath = push ? positional[0] : positional[1],
            WalFileName = push ? positional[1] : positional[0],
        };
    }

    private static PgBackupException Bad(string reason) =>
        new("WalToolUsage", ErrorKind.InvalidArgument, $"pgbt-wal: {reason}.\n{Usage}");
}
